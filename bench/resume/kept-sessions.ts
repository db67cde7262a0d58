/**
 * Memory of session resume: a GameServer in this process, N clients in a child process. Reports the server's
 * heap and RSS per session for plain sessions, for resumable ones while connected (replay buffer acknowledged
 * by the clients), and for resumable ones kept away after the child died (each holding `--pushes` unacked
 * pushes in its replay buffer).
 *
 *   npm run bench:build && node --expose-gc dist/bench/resume/kept-sessions.js --sessions 2000 --pushes 16
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { GameClient } from '../../framework/client/game-client';
import { GameServer } from '../../framework/server/game-server';
import type { Session } from '../../framework/server/session';
import { createTransport } from '../../framework/transport/create-transport';
import type { EngineChoice } from '../../framework/transport/transport';
import { EchoRes, registry } from '../../samples/echo/generated/packets';

interface Figures {
  heap: number;
  rss: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<Figures> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

const perSession = (after: Figures, before: Figures, n: number): string =>
  `heap ${((after.heap - before.heap) / n).toFixed(0)} B, rss ${((after.rss - before.rss) / n).toFixed(0)} B per session`;

/** Child: opens `sessions` clients, reports 'ready', then waits to be killed. */
async function runClients(port: number, sessions: number, resume: boolean): Promise<void> {
  const transport = createTransport({ engine: 'node' });
  for (let i = 0; i < sessions; i++) await GameClient.connect({ port, transport, resume, heartbeat: false });
  process.send?.('ready');
}

function waitFor(child: ChildProcess, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('message', (m) => m === message && resolve());
    child.on('exit', (code) => reject(new Error(`client process exited with ${code}`)));
  });
}

async function measure(
  resume: boolean,
  sessions: number,
  pushes: number,
  engine: EngineChoice,
): Promise<void> {
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine,
    messages: registry,
    controllers: [],
    logger: { level: 'silent' },
    limits: { rateLimit: false, maxConnectionsPerAddress: sessions + 10, resumeWindowMs: 600_000 },
  });
  const { port } = await server.start();
  const before = await settle();
  const child = fork(__filename, [
    '--client',
    '--port',
    String(port),
    '--sessions',
    String(sessions),
    ...(resume ? ['--resume'] : []),
  ]);
  await waitFor(child, 'ready');
  const connected = await settle();
  console.log(`${resume ? 'resumable' : 'plain    '} connected: ${perSession(connected, before, sessions)}`);
  if (!resume) {
    child.kill('SIGKILL');
    await server.stop();
    return;
  }
  const awaySessions: Session[] = [];
  const away = new Promise<void>((resolve) => {
    server.onSessionDrop((session) => awaySessions.push(session) === sessions && resolve());
  });
  child.kill('SIGKILL');
  await away;
  // Pushes to away sessions go to their replay buffers only.
  for (let n = 0; n < pushes; n++)
    for (const session of awaySessions) session.push(EchoRes, { data: Buffer.alloc(32, n) });
  const kept = await settle();
  console.log(
    `resumable kept away with ${pushes} pushes of 32 B each: ${perSession(kept, before, sessions)}`,
  );
  await server.stop();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      sessions: { type: 'string', default: '1000' },
      pushes: { type: 'string', default: '16' },
      engine: { type: 'string', default: 'auto' },
    },
  });
  const sessions = Number(values.sessions);
  if (values.client) return runClients(Number(values.port), sessions, values.resume);
  if (gc === undefined) console.log('(run node with --expose-gc for steadier figures)');
  const engine = values.engine as EngineChoice;
  await measure(false, sessions, 0, engine);
  await measure(true, sessions, Number(values.pushes), engine);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
