/** The benchmark scenarios. Adding one is one entry here. */
import { LoadgenReport } from './loadgen-report';
import { Protocol, ServerKind } from './servers';

export interface ScenarioSettings {
  durationS: number;
  warmupS: number;
}

/** One measured figure of a run: a number taken from the loadgen report (and, for memory, the server). */
export interface Measurement {
  report: LoadgenReport;
  /** Scenarios e, wse: server resident memory growth over all the idle connections / their count, bytes. */
  bytesPerConn?: number;
  /** Scenarios e, wse: growth over the second half of them / its count (the slope), bytes. */
  marginalBytesPerConn?: number;
}

export interface Column {
  label: string;
  pick(m: Measurement): number;
}

export interface Scenario {
  id: string;
  title: string;
  kind: ServerKind | 'memory';
  /** The figure the table ranks by, its ratio columns and whether larger is better. */
  metric: Column & { higherIsBetter: boolean };
  extras: Column[];
  /** Rows the ratios are taken against (missing ones leave the ratio blank). */
  baselines: string[];
  /** The rows it runs; without it, every row of its kind that is not listedOnly (servers.ts). */
  servers?: string[];
  /** Load generator options besides port / protocol / hello. */
  loadgenArgs(settings: ScenarioSettings, protocol: Protocol): string[];
}

const ONE_MIB = 1024 * 1024;
const timing = (s: ScenarioSettings): string[] => [
  '--duration',
  String(s.durationS),
  '--warmup',
  String(s.warmupS),
];
const p50: Column = { label: 'p50 us', pick: (m) => m.report.latency_us.p50 };
const p99: Column = { label: 'p99 us', pick: (m) => m.report.latency_us.p99 };
const p999: Column = { label: 'p99.9 us', pick: (m) => m.report.latency_us.p999 };
const max: Column = { label: 'max us', pick: (m) => m.report.latency_us.max };
const loadgenCpu: Column = { label: 'loadgen cpu %', pick: (m) => m.report.cpu_percent };
const msgsPerS = { label: 'msgs/s', pick: (m: Measurement) => m.report.msgs_per_s, higherIsBetter: true };
const echoBaselines = ['node-fullpath', 'reference'];
/** The size sweep also compares the raw rows with the tuned node:net server. */
const sweepBaselines = ['node-fullpath', 'node-tuned', 'reference'];
const mbPerS: Column = { label: 'MB/s', pick: (m) => m.report.mb_per_s };
const deliveriesPerS = {
  label: 'deliveries/s',
  pick: (m: Measurement) => m.report.msgs_per_s,
  higherIsBetter: true,
};
const deliveredPercent: Column = {
  label: 'delivered %',
  pick: (m) => (100 * m.report.received) / (m.report.sent * 500),
};
/** Whole growth per connection, and the slope over the second half of the connections (idle-memory.ts). */
const idleBytesPerConn = {
  label: 'bytes/conn',
  pick: (m: Measurement) => m.bytesPerConn ?? NaN,
  higherIsBetter: false,
};
const idleExtras: Column[] = [
  { label: 'marginal bytes/conn', pick: (m) => m.marginalBytesPerConn ?? NaN },
  { label: 'connected', pick: (m) => m.report.connected },
];
/** The connection count is added per burst (idle-memory.ts); so is --duration. */
const idleArgs = (): string[] => ['--mode', 'idle', '--warmup', '0', '--grace', '0'];
const closedLoop = (conns: number, depth: number, size: number, s: ScenarioSettings): string[] => [
  '--conns',
  String(conns),
  '--depth',
  String(depth),
  '--size',
  String(size),
  ...timing(s),
];
/** Scenario g's load: 500 members, 250 senders, 10,000 msgs/s in total (above what the servers deliver). */
const broadcastAt10x = (s: ScenarioSettings): string[] => [
  '--mode',
  'broadcast',
  '--conns',
  '500',
  '--senders',
  '250',
  '--rate',
  '10000',
  '--size',
  '32',
  ...timing(s),
];
/** A closed-loop echo comparison of the rows it names, ranked by msgs/s. */
function comparison(
  id: string,
  title: string,
  load: { conns: number; depth: number; size: number },
  rows: { servers: string[]; baselines: string[] },
  extras: Column[] = [p50, p99, loadgenCpu],
): Scenario {
  return {
    id,
    title,
    kind: 'echo',
    metric: msgsPerS,
    extras,
    ...rows,
    loadgenArgs: (s) => closedLoop(load.conns, load.depth, load.size, s),
  };
}

/** The framework echo rows over WebSocket and their hand-written `ws` baseline (issue 16). */
const frameworkOverWebSocket = ['ws-fullpath', 'fastport-epoll-ws', 'fastport-uring-ws'];

/** Payload bytes for a whole frame of `frameBytes`: the header, and for the framework the bytes field's tag
 * and length prefix (1 + varint of the length). */
function payloadFor(frameBytes: number, protocol: Protocol): number {
  if (protocol === 'raw') return frameBytes - 10;
  let payload = frameBytes - 10 - 2;
  while (payload + 1 + varintBytes(payload) > frameBytes - 10) payload--;
  return payload;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** One size-sweep scenario: 100 connections x 4 in flight, payloads of `bytes` (framework payloads are
 * the same bytes wrapped in EchoReq, so both protocols move the same application bytes); with
 * `wholeFrame`, `bytes` is the whole frame instead (for the frame limit). */
function sweep(id: string, label: string, bytes: number, wholeFrame = false): Scenario {
  return {
    id,
    title: `size sweep: 100 connections x 4 in flight x ${label} payloads, closed loop`,
    kind: 'echo',
    metric: msgsPerS,
    extras: [mbPerS, p50, p99, loadgenCpu],
    baselines: sweepBaselines,
    loadgenArgs: (s, protocol) => {
      const size = wholeFrame ? payloadFor(bytes, protocol) : bytes;
      return ['--conns', '100', '--depth', '4', '--size', String(size), ...timing(s)];
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'a',
    title: '100 connections x 16 in flight x 64 B, closed loop',
    kind: 'echo',
    metric: msgsPerS,
    extras: [p50, p99, loadgenCpu],
    baselines: echoBaselines,
    loadgenArgs: (s) => closedLoop(100, 16, 64, s),
  },
  {
    id: 'b',
    title: '1 connection ping-pong, 64 B',
    kind: 'echo',
    metric: msgsPerS,
    extras: [p50, p99, p999],
    baselines: echoBaselines,
    loadgenArgs: (s) => ['--conns', '1', '--depth', '1', '--size', '64', ...timing(s)],
  },
  {
    id: 'c',
    title: 'fixed rate 50k msgs/s over 100 connections, 64 B (latency from the intended send time)',
    kind: 'echo',
    metric: { label: 'p99 us', pick: (m) => m.report.latency_us.p99, higherIsBetter: false },
    extras: [p50, p999, max, { label: 'msgs/s', pick: (m) => m.report.msgs_per_s }],
    baselines: echoBaselines,
    loadgenArgs: (s) => ['--conns', '100', '--rate', '50000', '--size', '64', ...timing(s)],
  },
  {
    id: 'd',
    title: '1 MiB frames (header included), 4 connections, 1 in flight each',
    kind: 'echo',
    metric: { label: 'MB/s', pick: (m) => m.report.mb_per_s, higherIsBetter: true },
    extras: [{ label: 'frames/s', pick: (m) => m.report.msgs_per_s }, p99, loadgenCpu],
    baselines: echoBaselines,
    // A whole frame of exactly 1 MiB: the default frame limit. Wrapped payloads lose tag + 3-byte length.
    loadgenArgs: (s, protocol) => {
      const payload = payloadFor(ONE_MIB, protocol);
      return ['--conns', '4', '--depth', '1', '--size', String(payload), ...timing(s)];
    },
  },
  {
    id: 'e',
    title: '10,000 idle connections: server resident memory per connection',
    kind: 'memory',
    metric: idleBytesPerConn,
    extras: idleExtras,
    baselines: echoBaselines,
    loadgenArgs: idleArgs,
  },
  {
    id: 'f',
    title: 'chat broadcast: one room of 500 members, 10 senders at 1000 msgs/s in total',
    kind: 'broadcast',
    metric: deliveriesPerS,
    extras: [p50, p99, deliveredPercent],
    baselines: ['reference-broadcast'],
    loadgenArgs: (s) => [
      '--mode',
      'broadcast',
      '--conns',
      '500',
      '--senders',
      '10',
      '--rate',
      '1000',
      '--size',
      '32',
      ...timing(s),
    ],
  },
  {
    id: 'g',
    title:
      'chat broadcast at 10x: one room of 500 members, 250 senders at 10,000 msgs/s in total (40/s each)',
    kind: 'broadcast',
    metric: deliveriesPerS,
    extras: [p50, p99, deliveredPercent],
    baselines: ['reference-broadcast'],
    loadgenArgs: broadcastAt10x,
  },
  sweep('s64', '64 B', 64),
  sweep('s1k', '1 KiB', 1024),
  sweep('s4k', '4 KiB', 4 * 1024),
  sweep('s16k', '16 KiB', 16 * 1024),
  sweep('s64k', '64 KiB', 64 * 1024),
  sweep('s256k', '256 KiB', 256 * 1024),
  sweep('s1m', '1 MiB (whole frames of exactly 1 MiB, the default limit)', ONE_MIB, true),
  {
    id: 'seed',
    title: "the seed's benchmark configuration: 1000 connections x 1 in flight, payloads uniform in 4-16 KiB",
    kind: 'echo',
    metric: msgsPerS,
    extras: [mbPerS, p50, p99, loadgenCpu],
    baselines: sweepBaselines,
    loadgenArgs: (s) => [
      '--conns',
      '1000',
      '--depth',
      '1',
      '--min-size',
      String(4 * 1024),
      '--max-size',
      String(16 * 1024),
      ...timing(s),
    ],
  },
  comparison(
    'ws64',
    'framework echo over WebSocket: 100 connections x 16 in flight x 64 B, closed loop',
    { conns: 100, depth: 16, size: 64 },
    { servers: frameworkOverWebSocket, baselines: ['ws-fullpath'] },
  ),
  comparison(
    'ws4k',
    'framework echo over WebSocket: 100 connections x 4 in flight x 4 KiB, closed loop',
    { conns: 100, depth: 4, size: 4 * 1024 },
    { servers: frameworkOverWebSocket, baselines: ['ws-fullpath'] },
    [mbPerS, p50, p99, loadgenCpu],
  ),
  // A WebSocket row's ratio is read in the column of its engine's TCP row.
  comparison(
    'wsraw',
    'raw echo, WebSocket next to TCP on the same engine: 100 connections x 16 in flight x 64 B',
    { conns: 100, depth: 16, size: 64 },
    {
      servers: ['fastport-raw-epoll', 'fastport-raw-epoll-ws', 'fastport-raw-uring', 'fastport-raw-uring-ws'],
      baselines: ['fastport-raw-epoll', 'fastport-raw-uring'],
    },
  ),
  {
    id: 'wsf',
    title: 'chat broadcast over WebSocket: one room of 500 members, 250 senders at 10,000 msgs/s in total',
    kind: 'broadcast',
    metric: deliveriesPerS,
    extras: [p50, p99, deliveredPercent, loadgenCpu],
    baselines: ['ws-broadcast'],
    servers: ['ws-broadcast', 'fastport-chat-ws'],
    loadgenArgs: broadcastAt10x,
  },
  {
    id: 'wse',
    title: '10,000 idle WebSocket connections: server resident memory per connection',
    kind: 'memory',
    metric: idleBytesPerConn,
    extras: idleExtras,
    baselines: ['ws-fullpath'],
    servers: [
      'ws-fullpath',
      'fastport-raw-epoll-ws',
      'fastport-raw-uring-ws',
      'fastport-epoll-ws',
      'fastport-uring-ws',
    ],
    loadgenArgs: idleArgs,
  },
  comparison(
    'resume',
    'cost of session resume for sessions never dropped: scenario a with resume on (default) and off',
    { conns: 100, depth: 16, size: 64 },
    { servers: ['fastport-epoll', 'fastport-epoll-noresume'], baselines: ['fastport-epoll-noresume'] },
  ),
];
