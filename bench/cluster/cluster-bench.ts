/**
 * Cluster bench (smoke-run it here; measure on a quiet machine):
 *   node dist/bench/cluster/cluster-bench.js [--duration 5] [--rate 1000] [--members 300] [--shouts 20]
 * 1. ask latency p50 / p99 at a fixed rate: this process asks an actor held by another node process,
 *    next to the same asks in one process (LocalCluster).
 * 2. room broadcast: members spread over three node processes vs all in one, one sender shouting at a
 *    fixed rate; deliveries/s and delivery latency p50 / p99.
 * Needs nats-server on PATH (started with JetStream in a temp dir).
 */
import 'reflect-metadata';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GameClient } from '../../framework/client/game-client';
import { JoinReq, Shout, Shouted } from './messages';
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

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms, n ${sorted.length}`;
};

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

async function broadcast(ports: number[]): Promise<{ deliveries: number; latencies: number[]; ms: number }> {
  const members: GameClient[] = [];
  const latencies: number[] = [];
  let deliveries = 0;
  for (let i = 0; i < MEMBERS; i++) {
    const client = await GameClient.connect({ host: '127.0.0.1', port: ports[i % ports.length] });
    client.on(Shouted, (shout) => {
      deliveries++;
      latencies.push(Date.now() - shout.sentAt);
    });
    await client.request(JoinReq, { room: 'bench' });
    members.push(client);
  }
  const sender = members[0];
  const started = Date.now();
  const end = started + DURATION_MS;
  while (Date.now() < end) {
    sender.send(Shout, { room: 'bench', sentAt: Date.now() });
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
  try {
    const local = await startBenchNode(undefined, 'local');
    await local.server.cluster.ref('echo', 'e1').ask('warm');
    console.log(
      `ask, one process (LocalCluster), ${RATE}/s: ${summary(await askAtRate(() => local.server.cluster.ref('echo', 'e1').ask({ n: 1 })))}`,
    );
    await local.server.stop();

    const host = await forkNode(nats.url, 'host', true);
    children.push(host.child);
    const driver = await startBenchNode(nats.url, 'driver');
    console.log(
      `ask, cross-node (NATS), ${RATE}/s: ${summary(await askAtRate(() => driver.server.cluster.ref('echo', 'e1').ask({ n: 1 })))}`,
    );

    const single = await forkNode(nats.url, 'solo', false);
    children.push(single.child);
    const one = await broadcast([single.port]);
    console.log(
      `broadcast, ${MEMBERS} members on 1 node, ${SHOUTS}/s: ${Math.round((one.deliveries * 1000) / one.ms)} deliveries/s, ${summary(one.latencies)}`,
    );
    const third = await forkNode(nats.url, 'third', false);
    children.push(third.child);
    const three = [host.port, single.port, third.port];
    const spread = await broadcast(three);
    console.log(
      `broadcast, ${MEMBERS} members over 3 nodes, ${SHOUTS}/s: ${Math.round((spread.deliveries * 1000) / spread.ms)} deliveries/s, ${summary(spread.latencies)}`,
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
