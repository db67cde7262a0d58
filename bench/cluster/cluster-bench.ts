/**
 * Cluster bench (smoke-run it here; measure on a quiet machine):
 *   npm run bench:cluster -- [--duration 5] [--rate 1000] [--members 300] [--shouts 20]
 *                            [--out bench/results/cluster.md]
 * 1. ask latency p50 / p99 at a fixed rate: this process asks an actor held by another node process,
 *    next to the same asks in one process (LocalCluster).
 * 2. room broadcast: members spread over three node processes vs all in one, one sender shouting at a
 *    fixed rate; deliveries/s and delivery latency p50 / p99. Twice: a cluster room group
 *    (`cluster.room`) and a matchmaker room (hosted on one node, members of the others are guests).
 * Prints one table and writes it to --out. Needs nats-server on PATH (JetStream in a temp dir).
 */
import 'reflect-metadata';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { GameClient } from '../../framework/client/game-client';
import { EnterReq, JoinReq, RoomShout, Shout, Shouted } from './messages';
import { startBenchNode } from './node';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DURATION_MS = flag('duration', 5) * 1000;
const RATE = flag('rate', 1000);
const MEMBERS = flag('members', 300);
const SHOUTS = flag('shouts', 20);
const OUT = ((): string => {
  const i = args.indexOf('--out');
  return i >= 0 ? args[i + 1] : join(__dirname, '..', '..', '..', 'bench', 'results', 'cluster.md');
})();

/** One row of the results table. */
interface Row {
  what: string;
  where: string;
  rate: string;
  throughput: string;
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function table(rows: Row[]): string {
  const lines = [
    '| what | where | offered | throughput | p50 ms | p99 ms | samples |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const sorted = [...row.latencies].sort((a, b) => a - b);
    const p = (q: number) => percentile(sorted, q).toFixed(3);
    lines.push(
      `| ${row.what} | ${row.where} | ${row.rate} | ${row.throughput} | ${p(50)} | ${p(99)} | ${sorted.length} |`,
    );
  }
  return lines.join('\n');
}

async function startNats(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'fastport-bench-nats-'));
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /client connections on [^\s]+:(\d+)/.exec(log);
      if (m && /Server is ready/.test(log)) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`nats-server exited:\n${log}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A node in a child process (this file with --role node); resolves with its port once it listens. */
function forkNode(
  nats: string,
  name: string,
  holdEcho: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['--role', 'node', nats, name, holdEcho ? 'hold' : ''], {
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, port: (message as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`node ${name} exited (${code})`)));
  });
}

/** Asks at RATE per second for DURATION_MS; the latency of each answer. */
async function askAtRate(ask: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const perTick = Math.max(1, Math.round(RATE / 100));
  const end = Date.now() + DURATION_MS;
  while (Date.now() < end) {
    for (let i = 0; i < perTick; i++) {
      const start = process.hrtime.bigint();
      pending.push(ask().then(() => void latencies.push(Number(process.hrtime.bigint() - start) / 1e6)));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  return latencies;
}

/** `group`: a cluster room group; `matchmaker`: a matchmaker room hosted by the first member's node. */
async function broadcast(
  ports: number[],
  kind: 'group' | 'matchmaker',
  room: string,
): Promise<{ deliveries: number; latencies: number[]; ms: number }> {
  const members: GameClient[] = [];
  const latencies: number[] = [];
  let deliveries = 0;
  for (let i = 0; i < MEMBERS; i++) {
    const client = await GameClient.connect({ host: '127.0.0.1', port: ports[i % ports.length] });
    client.on(Shouted, (shout) => {
      deliveries++;
      latencies.push(Date.now() - shout.sentAt);
    });
    await client.request(kind === 'group' ? JoinReq : EnterReq, { room });
    members.push(client);
  }
  const sender = members[0];
  const started = Date.now();
  const end = started + DURATION_MS;
  while (Date.now() < end) {
    sender.send(kind === 'group' ? Shout : RoomShout, { room, sentAt: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 1000 / SHOUTS));
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last shouts in flight (a bench, not a test)
  const ms = Date.now() - started;
  await Promise.all(members.map((client) => client.close()));
  return { deliveries, latencies, ms };
}

async function main(): Promise<void> {
  if (args[0] === '--role') {
    const [, , nats, name, hold] = args;
    const { server, port } = await startBenchNode(nats, name);
    if (hold === 'hold') await server.cluster.ref('echo', 'e1').ask('warm'); // the actor lives here
    process.send?.({ port });
    process.once('disconnect', () => void server.stop().then(() => process.exit(0)));
    return;
  }
  const nats = await startNats();
  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  const askRow = (where: string, latencies: number[]) =>
    rows.push({ what: 'ask (echo actor)', where, rate: `${RATE}/s`, throughput: '-', latencies });
  const shoutRow = (
    what: string,
    where: string,
    run: { deliveries: number; latencies: number[]; ms: number },
  ) =>
    rows.push({
      what,
      where,
      rate: `${SHOUTS} shouts/s to ${MEMBERS}`,
      throughput: `${Math.round((run.deliveries * 1000) / run.ms).toLocaleString('en-US')} deliveries/s`,
      latencies: run.latencies,
    });
  try {
    const local = await startBenchNode(undefined, 'local');
    await local.server.cluster.ref('echo', 'e1').ask('warm');
    askRow(
      'one process (LocalCluster)',
      await askAtRate(() => local.server.cluster.ref('echo', 'e1').ask({ n: 1 })),
    );
    await local.server.stop();

    const host = await forkNode(nats.url, 'host', true);
    children.push(host.child);
    const driver = await startBenchNode(nats.url, 'driver');
    askRow('cross-node (NATS)', await askAtRate(() => driver.server.cluster.ref('echo', 'e1').ask({ n: 1 })));

    const single = await forkNode(nats.url, 'solo', false);
    children.push(single.child);
    const third = await forkNode(nats.url, 'third', false);
    children.push(third.child);
    const three = [single.port, host.port, third.port];
    shoutRow('broadcast, cluster.room', '1 node', await broadcast([single.port], 'group', 'g1'));
    shoutRow('broadcast, cluster.room', '3 nodes', await broadcast(three, 'group', 'g3'));
    shoutRow('broadcast, matchmaker room', '1 node', await broadcast([single.port], 'matchmaker', 'm1'));
    shoutRow(
      'broadcast, matchmaker room',
      '3 nodes (hosted on 1)',
      await broadcast(three, 'matchmaker', 'm3'),
    );
    await driver.server.stop();
  } finally {
    await Promise.all(
      children.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.disconnect();
        return exited;
      }),
    );
    nats.stop();
  }
  const report = [
    '# FastPort cluster bench',
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `Node ${process.version}. Date: ${new Date().toISOString()}. Duration per row: ${DURATION_MS / 1000} s.`,
    'Nodes are processes on this machine joined through one local nats-server (JetStream); latencies are',
    'from send to answer (ask) or to delivery at each member (broadcast, the sender clock).',
    '',
    table(rows),
    '',
  ].join('\n');
  console.log(report);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, report);
  console.log(`written to ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
