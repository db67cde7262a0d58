/**
 * Soak (not in CI): a GameServer in a child process under mixed traffic and churn from many sessions, with
 * the server's memory, fds, sessions and request latency reported every --interval seconds. Fails (exit 1)
 * when memory or fds keep growing (second half's trend vs the first, see trend.ts), when requests fail, or
 * when sessions / fds do not come back once every client has left.
 *   npm run soak -- --seconds 120 --sessions 2000 [--engine auto|epoll|uring|node] [--interval 10]
 */
import { GameClient } from '../../framework/client/game-client';
import { createTransport } from '../../framework/transport/create-transport';
import { EchoReq, JoinReq, LoginReq, Note, Say } from '../../test/framework/support/messages';
import { startChild } from '../../test/faults/support/child';
import { FlagError, parseFlags, runMain } from '../../samples/common/flags';
import { growthProblems, type Sample } from './trend';

const SOAK_DEFAULTS = { seconds: 120, sessions: 2000, engine: 'auto', interval: 10 };
const ENGINES = ['auto', 'epoll', 'uring', 'node'];

function soakArgs(argv: string[]): typeof SOAK_DEFAULTS {
  const args = parseFlags(argv, SOAK_DEFAULTS, 'npm run soak --', {
    summary: 'A GameServer under mixed traffic and churn; fails on unbounded growth of memory or fds.',
    flags: {
      seconds: 'how long to run',
      sessions: 'concurrent client sessions',
      engine: ENGINES.join(' | '),
      interval: 'seconds between reports',
    },
  });
  if (!ENGINES.includes(args.engine)) throw new FlagError(`--engine must be one of ${ENGINES.join(', ')}`);
  for (const key of ['seconds', 'sessions', 'interval'] as const)
    if (args[key] < 1) throw new FlagError(`--${key} needs a whole number >= 1, got ${args[key]}`);
  return args;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main(): Promise<void> {
  const args = soakArgs(process.argv.slice(2));
  const child = await startChild(args.engine as 'epoll', {
    limits: { shutdownTimeoutMs: 5000 },
    exposeGc: true,
  });
  const transport = createTransport({ engine: 'node' }); // one client-side transport for every bot
  const startFds = (await child.stats()).fds;
  let latencies: number[] = [];
  let failures = 0;
  let requests = 0;
  let churned = 0;
  let running = true;
  const failure = (error: unknown): void => {
    failures++;
    if (failures <= 5) console.error(`soak: request failed: ${String(error)}`);
  };

  /** One bot: logs in, joins a room, then sends a mix (echo of 10..2000 bytes, one-way notes, room chat). */
  const bot = async (i: number): Promise<void> => {
    while (running) {
      const client = await GameClient.connect({ port: child.port, transport, connectTimeoutMs: 10_000 });
      await client.request(LoginReq, { name: `bot${i}` }).catch(failure);
      await client.request(JoinReq, { room: `room${i % 50}` }).catch(failure);
      // Each connection lives 5..60 s (churn), sending about one message per second.
      const lifeEnd = Date.now() + 5000 + Math.random() * 55_000;
      while (running && Date.now() < lifeEnd && client.connected) {
        await sleep(500 + Math.random() * 1000);
        const pick = Math.random();
        if (pick < 0.6) {
          const started = performance.now();
          const text = 'e'.repeat(10 + Math.floor(Math.random() * 1990));
          requests++;
          await client
            .request(EchoReq, { text, delayMs: 0 })
            .then(() => latencies.push(performance.now() - started), failure);
        } else if (pick < 0.85) client.send(Note, { n: i, delayMs: 0 });
        else client.send(Say, { room: `room${i % 50}`, text: 'hi' });
      }
      await client.close();
      churned++;
    }
  };

  const samples: Sample[] = [];
  const started = Date.now();
  // Ramp up over the first tenth of the run (at most 10 s).
  const rampMs = Math.min(10_000, (args.seconds * 1000) / 10);
  const bots = Array.from({ length: args.sessions }, (_, i) =>
    sleep((rampMs * i) / args.sessions).then(() => bot(i)),
  );
  console.log(
    `soak: engine ${args.engine}, ${args.sessions} sessions, ${args.seconds} s, report every ${args.interval} s`,
  );
  while (Date.now() - started < args.seconds * 1000) {
    await sleep(args.interval * 1000);
    const { stats, memory, fds } = await child.stats();
    if (!memory) throw new Error('soak: the server could not read its memory usage (fd limit?)');
    const sorted = latencies.sort((a, b) => a - b);
    const sample: Sample = {
      atS: (Date.now() - started) / 1000,
      rssMiB: memory.rss / 2 ** 20,
      heapMiB: memory.heapUsed / 2 ** 20,
      fds,
    };
    samples.push(sample);
    console.log(
      `t=${sample.atS.toFixed(0)}s rss=${sample.rssMiB.toFixed(1)}MiB heap=${sample.heapMiB.toFixed(1)}MiB ` +
        `fds=${fds} sessions=${stats.sessions} requests=${requests} churned=${churned} failures=${failures} ` +
        `latency p50=${percentile(sorted, 0.5).toFixed(2)}ms p99=${percentile(sorted, 0.99).toFixed(2)}ms ` +
        `max=${(sorted[sorted.length - 1] ?? 0).toFixed(2)}ms`,
    );
    latencies = [];
  }
  running = false;
  await Promise.all(bots);
  await transport.shutdown();
  // Every client left: sessions and fds come back.
  let after = await child.stats();
  for (let i = 0; i < 100 && (Number(after.stats.sessions) !== 0 || after.fds > startFds + 2); i++) {
    await sleep(100);
    after = await child.stats();
  }
  const problems = growthProblems(samples, args.sessions);
  if (failures > 0) problems.push(`${failures} requests failed`);
  if (Number(after.stats.sessions) !== 0) problems.push(`${after.stats.sessions} sessions left open`);
  if (after.fds > startFds + 2) problems.push(`fds did not come back: ${after.fds} vs ${startFds} at start`);
  child.process.kill('SIGTERM');
  const code = await Promise.race([child.exited, sleep(15_000).then(() => 'late' as const)]);
  if (code !== 0) problems.push(`the server did not exit cleanly on SIGTERM (${code})`);
  child.kill();
  console.log(problems.length === 0 ? 'soak: PASS' : `soak: FAIL\n  ${problems.join('\n  ')}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

runMain('soak', main);
