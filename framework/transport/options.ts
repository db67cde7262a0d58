/** Transport options, their defaults (docs/architecture.md, "Limits") and their schema (checked before any native call). */
import { z } from 'zod';
import { parseOptions } from '../options/parse-options';
import {
  assertSameShape,
  callback,
  flag,
  integer,
  milliseconds,
  oneOf,
  options,
  powerOfTwo,
  satisfying,
  type SameShape,
} from '../options/rules';
import type { EngineChoice, Transport, TransportLimits } from './transport';
import {
  resolveWebSocketOptions,
  webSocketSettingsShape,
  type ResolvedWebSocket,
  type WebSocketOptions,
} from './websocket/websocket-options';

const KiB = 1024;
const MiB = 1024 * KiB;

export const MIN_FRAME_BYTES = 10;
export const MAX_FRAME_BYTES = 64 * MiB;
/** The default of TransportOptions.ownedFrameBytes with I/O threads, and what GameServer asks for. */
export const OWNED_FRAME_BYTES = 32 * KiB;
/** Upper bound of ioThreads (more would only fight over the cores). */
export const MAX_IO_THREADS = 64;
const MAX_CONNECTIONS = 1_000_000;
const MAX_SEND_LIMIT = 4 * 1024 * MiB - 1; // u32 counters in the addon

export const defaultLimits: Readonly<TransportLimits> = Object.freeze({
  maxFrameBytes: 1 * MiB,
  sendSoftLimit: 1 * MiB,
  sendHardLimit: 10 * MiB,
  frameTimeoutMs: 10_000,
  sendStallMs: 30_000,
  maxConnections: 50_000,
});

/** io_uring tuning passed through to the addon (its own defaults apply when omitted). */
export interface UringTuning {
  uringEntries?: number;
  uringBufferCount?: number;
  uringBufferSize?: number;
  uringSendSliceSize?: number;
  uringSendSliceCount?: number;
}

export interface TransportOptions extends Partial<TransportLimits>, UringTuning, WebSocketOptions {
  /** Default 'auto': uring where io_uring works and is built, else epoll; node when the addon is missing. */
  engine?: EngineChoice;
  /** 0 (default) = engine runs on the JS thread's loop; N >= 1 = N native I/O threads. Ignored by 'node'. */
  ioThreads?: number;
  /** Accepted connections per remote IP address; 0 (default) = no per-address limit. */
  maxConnectionsPerAddress?: number;
  /** Listen backlog (default 511). */
  backlog?: number;
  /**
   * Let listeners share their port with other processes (SO_REUSEPORT, Linux native engines; the kernel
   * spreads connections over them). Default false: a port in use fails with `Address already in use`, also
   * with ioThreads >= 1 (whose loops share the port among themselves only). Ignored by 'node'.
   */
  reusePort?: boolean;
  /**
   * Frames whose payload has at least this many bytes reach `onFrame` owned (`owned` = true: an ArrayBuffer
   * of their own, kept without a copy); smaller ones are views valid during the call. 0 = none. Default:
   * none with ioThreads 0 (a view of the lent batch costs no copy, a buffer per frame costs garbage
   * collections), 32 KiB with I/O threads (whose batch is copied twice more). GameServer asks for 32 KiB: its
   * decoder keeps views of owned frames. Native engines only ('node' hands over views).
   */
  ownedFrameBytes?: number;
  /** Called with a warning (e.g. falling back to 'node'); default console.warn. */
  warn?: (message: string) => void;
}

export interface ResolvedOptions {
  engine: EngineChoice;
  ioThreads: number;
  maxConnectionsPerAddress: number;
  backlog: number;
  reusePort: boolean;
  /** Resolved TransportOptions.ownedFrameBytes (0 = none). */
  ownedFrameBytes: number;
  limits: TransportLimits;
  uring: UringTuning;
  websocket: ResolvedWebSocket;
}

/** A ready Transport instance (GameServer's and GameClient's `transport`). */
export const transportInstanceSchema = satisfying<Transport>(
  (value) => typeof (value as Transport | undefined)?.setHandler === 'function',
  'a Transport (see framework/transport/transport.ts)',
);

export const ENGINE_CHOICES = ['auto', 'epoll', 'uring', 'iocp', 'rio', 'node'] as const;
export const engineSchema = oneOf(ENGINE_CHOICES);
export const ioThreadsSchema = integer(0, MAX_IO_THREADS);

/** The transport's own limits (docs/architecture.md, "Limits"). */
const limitsShape = {
  maxFrameBytes: integer(MIN_FRAME_BYTES, MAX_FRAME_BYTES).optional(),
  sendSoftLimit: integer(1, MAX_SEND_LIMIT).optional(),
  sendHardLimit: integer(1, MAX_SEND_LIMIT).optional(),
  frameTimeoutMs: milliseconds().optional(),
  sendStallMs: milliseconds().optional(),
  maxConnections: integer(1, MAX_CONNECTIONS).optional(),
};

const URING_KEYS = [
  'uringEntries',
  'uringBufferCount',
  'uringBufferSize',
  'uringSendSliceSize',
  'uringSendSliceCount',
] as const;

const uringShape = {
  uringEntries: powerOfTwo(32768).optional(),
  uringBufferCount: powerOfTwo(32768).optional(),
  uringBufferSize: integer(1, 16 * MiB).optional(),
  uringSendSliceSize: integer(1, 16 * MiB).optional(),
  uringSendSliceCount: integer(1, 65536).optional(),
};

/**
 * Every transport option but engine, ioThreads and warn: what a GameServer takes in `limits` and hands to
 * the transport it creates.
 */
export const listenerOptionsShape = {
  ...limitsShape,
  ...uringShape,
  maxConnectionsPerAddress: integer(0, MAX_CONNECTIONS).optional(),
  backlog: integer(1, 65535).optional(),
  reusePort: flag().optional(),
  ownedFrameBytes: integer(0, MAX_FRAME_BYTES).optional(),
  websocket: flag().optional(),
  ...webSocketSettingsShape,
};

/** The keys of listenerOptionsShape. */
export const LISTENER_OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys(listenerOptionsShape));

type Limits = Partial<Record<keyof TransportLimits, number | undefined>>;

/** Send limits that contradict each other (defaults filled in), reported at `path` + the key. */
export function checkSendLimits(given: Limits, ctx: z.RefinementCtx, path: readonly string[] = []): void {
  const pick = (key: keyof TransportLimits): number => given[key] ?? defaultLimits[key];
  const hard = pick('sendHardLimit');
  const problem = (message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...path, 'sendHardLimit'], message });
  if (hard < pick('sendSoftLimit')) problem(`must be at least sendSoftLimit (${pick('sendSoftLimit')})`);
  else if (hard < pick('maxFrameBytes'))
    problem(
      `must be at least maxFrameBytes (${pick('maxFrameBytes')}), or a single largest frame would close the session`,
    );
}

/** The one schema of transport options: createTransport validates with it; GameServer composes its parts. */
export const transportOptionsSchema = options({
  engine: engineSchema.optional(),
  ioThreads: ioThreadsSchema.optional(),
  ...listenerOptionsShape,
  warn: callback<(message: string) => void>().optional(),
}).superRefine((given, ctx) => checkSendLimits(given, ctx));

assertSameShape<SameShape<z.input<typeof transportOptionsSchema>, TransportOptions>>();

/** Validates every option with a message naming it ("transport options: ...") and fills in the defaults. */
export function resolveOptions(given: TransportOptions = {}): ResolvedOptions {
  const o = parseOptions(transportOptionsSchema, given, 'transport options');
  const pick = <K extends keyof TransportLimits>(key: K): number => o[key] ?? defaultLimits[key];
  const limits: TransportLimits = {
    maxFrameBytes: pick('maxFrameBytes'),
    sendSoftLimit: pick('sendSoftLimit'),
    sendHardLimit: pick('sendHardLimit'),
    frameTimeoutMs: pick('frameTimeoutMs'),
    sendStallMs: pick('sendStallMs'),
    maxConnections: pick('maxConnections'),
  };
  const uring: UringTuning = {};
  for (const key of URING_KEYS) if (o[key] !== undefined) uring[key] = o[key];
  const ioThreads = o.ioThreads ?? 0;
  return {
    engine: o.engine ?? 'auto',
    ioThreads,
    maxConnectionsPerAddress: o.maxConnectionsPerAddress ?? 0,
    backlog: o.backlog ?? 511,
    reusePort: o.reusePort ?? false,
    ownedFrameBytes: o.ownedFrameBytes ?? (ioThreads === 0 ? 0 : OWNED_FRAME_BYTES),
    limits,
    uring,
    websocket: resolveWebSocketOptions(o),
  };
}
