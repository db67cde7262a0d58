/**
 * `node dist/bench/cost/js-path.js [--frames N] [--size BYTES] [--runs N] [--against OTHER/js-path.js]`:
 * main-thread CPU per message of
 * the framework's JavaScript path alone (GameServer.onFrame -> mailbox -> EchoReq decode -> handler ->
 * EchoRes encode -> the command log), the echo sample's server fed frames in batches like the native
 * engine's (100 sessions x 4 frames per batch) by a transport that keeps the command log but has no
 * sockets. No syscalls, so it varies much less than a socket run on a shared machine (cpu-per-msg.ts
 * gives the whole process's figure). `--against` loads another build's copy of this file (e.g. a clone of
 * main, built) into the same process and alternates short slices of both, so load changes hit both alike.
 */
import * as path from 'node:path';
import { GameServer } from '../../framework';
import { Hello, HELLO_MAGIC, PROTOCOL_VERSION } from '../../framework/protocol/framework-messages';
import type { CloseReason } from '../../framework/transport/close-reason';
import { CommandLog } from '../../framework/transport/command-log';
import { SUBMIT_THRESHOLD_BYTES } from '../../framework/transport/native-transport';
import type {
  SessionId,
  Transport,
  TransportHandler,
  TransportLimits,
} from '../../framework/transport/transport';
import { EchoController } from '../../samples/echo/echo-controller';
import * as messages from '../../samples/echo/generated/packets';
import { median } from '../runner/report';
import { cpuPerTurn, parseHarnessFlags, warmUp } from './alternating';

const SESSIONS = 100;
/** Frames this big arrive in an ArrayBuffer of their own, handed over owned (docs/boundary.md, kDetachFrameBytes). */
const DETACH_FRAME_BYTES = 32 * 1024;
const PER_SESSION = 4;

/**
 * Keeps what the server sends in a real CommandLog, emptied per batch and, like the native transport's
 * early submit, whenever it passes SUBMIT_THRESHOLD_BYTES; no network.
 */
class LogOnlyTransport implements Transport {
  readonly engine = 'epoll' as const;
  readonly limits: TransportLimits = {
    maxFrameBytes: 1 << 20,
    sendSoftLimit: 1 << 20,
    sendHardLimit: 1 << 24,
    frameTimeoutMs: 10_000,
    sendStallMs: 10_000,
    maxConnections: 100_000,
  };
  handler: TransportHandler | undefined;
  readonly log = new CommandLog();
  sent = 0;

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }
  listen(): Promise<{ listener: number; port: number }> {
    return Promise.resolve({ listener: 1, port: 1 });
  }
  unlisten(): void {}
  connect(): SessionId {
    throw new Error('not used');
  }
  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.log.send(session, msgId, seq, payload);
    this.sent++;
    if (this.log.length >= SUBMIT_THRESHOLD_BYTES) this.log.clear();
  }
  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    this.log.broadcast(sessions, msgId, seq, payload);
  }
  close(session: SessionId, reason: CloseReason): void {
    this.handler?.onClose(session, reason, 0);
  }
  abort(session: SessionId, reason: CloseReason): void {
    this.close(session, reason);
  }
  pauseReading(): void {}
  resumeReading(): void {}
  flush(): void {
    this.log.clear();
  }
  stats() {
    return { engine: this.engine };
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** An EchoReq payload of `size` data bytes. */
function echoPayload(size: number): Uint8Array {
  return messages.EchoReq.encode({ data: Buffer.alloc(size, 0x5a) }).slice();
}

/** A started echo server fed by `turn()`: one batch of SESSIONS x PER_SESSION EchoReq frames. */
export interface FedServer {
  turn(): void;
  /** Answers sent so far. */
  readonly answered: number;
  stop(): Promise<void>;
}

export async function feedEchoServer(size: number): Promise<FedServer> {
  const transport = new LogOnlyTransport();
  const server = new GameServer({
    port: 0,
    transport,
    messages,
    controllers: [EchoController],
    limits: { rateLimit: false },
    logger: { level: 'warn', name: 'js-path' },
  });
  await server.start();
  const h = transport.handler!;
  const hello = Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion: PROTOCOL_VERSION })).slice();
  for (let s = 1; s <= SESSIONS; s++) {
    h.onOpen(s, '127.0.0.1:1', 1);
    h.onFrame(s, Hello.id, 1, hello);
  }
  // A batch buffer like the engine's: every frame a fresh view into one reused buffer (a big frame a copy
  // of its own, as the engine detaches it).
  const payload = echoPayload(size);
  const batch = new Uint8Array(payload.length * SESSIONS * PER_SESSION);
  for (let i = 0; i < SESSIONS * PER_SESSION; i++) batch.set(payload, i * payload.length);
  let seq = 2;
  return {
    turn(): void {
      seq++;
      for (let i = 0; i < SESSIONS * PER_SESSION; i++) {
        const view = batch.subarray(i * payload.length, (i + 1) * payload.length);
        if (payload.length < DETACH_FRAME_BYTES)
          h.onFrame((i % SESSIONS) + 1, messages.EchoReq.id, seq, view);
        else h.onFrame((i % SESSIONS) + 1, messages.EchoReq.id, seq, view.slice(), true);
      }
      h.onBatchEnd?.();
      transport.flush();
    },
    get answered() {
      return transport.sent;
    },
    stop: () => server.stop(),
  };
}

const BATCH_FRAMES = SESSIONS * PER_SESSION;

/** CPU microseconds per answer over `batches` turns, after a warm-up of a quarter as many. */
function cpuPerAnswer(servers: FedServer[], batches: number): number[] {
  const turns = servers.map((s) => () => s.turn());
  warmUp(turns, batches / 4);
  const answeredBefore = servers.map((s) => s.answered);
  const { perTurn, calls } = cpuPerTurn(turns, batches);
  return servers.map((s, i) => {
    const answered = s.answered - answeredBefore[i];
    const expected = calls * BATCH_FRAMES;
    if (answered !== expected) throw new Error(`expected ${expected} answers, got ${answered}`);
    return perTurn[i] / BATCH_FRAMES;
  });
}

async function main(): Promise<void> {
  const { frames, size, runs, against } = parseHarnessFlags(2_000_000);
  const batches = Math.ceil(frames / BATCH_FRAMES);
  const builds: { name: string; feed: (size: number) => Promise<FedServer> }[] = [
    { name: 'this build', feed: feedEchoServer },
  ];
  if (against !== undefined) {
    const other = require(path.resolve(against)) as { feedEchoServer: typeof feedEchoServer };
    builds.push({ name: against, feed: other.feedEchoServer });
  }
  const results: number[][] = builds.map(() => []);
  for (let run = 0; run < runs; run++) {
    const servers = await Promise.all(builds.map((b) => b.feed(size)));
    const perAnswer = cpuPerAnswer(servers, batches);
    perAnswer.forEach((us, i) => results[i].push(us));
    console.log(
      `run ${run + 1}: ${perAnswer.map((us, i) => `${builds[i].name} ${us.toFixed(3)}`).join(', ')} us/msg`,
    );
    for (const s of servers) await s.stop();
  }
  builds.forEach((b, i) =>
    console.log(`JS path, ${size} B, ${b.name}: median ${median(results[i]).toFixed(3)} us/msg`),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
