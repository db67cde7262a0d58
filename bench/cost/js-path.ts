/**
 * `node dist/bench/cost/js-path.js [--frames N] [--size BYTES] [--sessions N] [--per-session N] [--runs N]
 * [--against OTHER/js-path.js]`: main-thread CPU per message of
 * the framework's JavaScript path alone (GameServer.onFrame -> mailbox -> EchoReq decode -> handler ->
 * EchoRes encode -> the command log), the echo sample's server fed frames in batches like the native
 * engine's (default 100 sessions x 4 frames per batch, as the size sweep; `--sessions 1000 --per-session 1`
 * is the seed scenario's shape) by a transport that keeps the command log but has no sockets. No syscalls, so it varies much less than a socket run on a shared machine (cpu-per-msg.ts
 * gives the whole process's figure). `--against` loads another build's copy of this file (e.g. a clone of
 * main, built) into the same process and alternates short slices of both, so load changes hit both alike.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GameServer } from '../../framework';
import { Hello, HELLO_MAGIC, PROTOCOL_VERSION } from '../../framework/protocol/framework-messages';
import type { CloseReason } from '../../framework/transport/close-reason';
import { CommandLog } from '../../framework/transport/command-log';
import { SUBMIT_THRESHOLD_BYTES } from '../../framework/transport/native-transport';
import { OWNED_FRAME_BYTES } from '../../framework/transport/options';
import type {
  PayloadEncoder,
  SessionId,
  Transport,
  TransportHandler,
  TransportLimits,
} from '../../framework/transport/transport';
import { EchoController } from '../../samples/echo/echo-controller';
import * as messages from '../../samples/echo/generated/packets';

/** Batches of the size sweep's shape: 100 sessions x 4 frames each (the load generator's 100 x 4 in flight). */
export const SWEEP_LOAD: FeedLoad = { sessions: 100, perSession: 4 };
/** Frames this big reach a GameServer in an ArrayBuffer of their own, owned (docs/boundary.md, ownedFrameBytes). */
const DETACH_FRAME_BYTES = OWNED_FRAME_BYTES;

/** What one batch holds: `perSession` frames for each of `sessions` sessions (session by session in turn). */
export interface FeedLoad {
  sessions: number;
  perSession: number;
}

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
  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    this.log.sendJoined(session, msgId, seq, parts);
    this.sent++;
    if (this.log.length >= SUBMIT_THRESHOLD_BYTES) this.log.clear();
  }
  sendEncoded<T>(
    session: SessionId,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
  ): void {
    const parts = this.log.sendEncoded(session, msgId, seq, encoder, message, this.limits.maxFrameBytes);
    if (parts !== undefined) {
      this.sendParts(session, msgId, seq, parts);
      return;
    }
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

/** A started echo server fed by `turn()`: one batch of sessions x perSession EchoReq frames. */
export interface FedServer {
  turn(): void;
  /** Answers sent so far. */
  readonly answered: number;
  /** Frames in one batch. */
  readonly batchFrames: number;
  stop(): Promise<void>;
}

/** `load` defaults to SWEEP_LOAD (an older build's copy, loaded by --against, may take only `size`). */
export async function feedEchoServer(size: number, load: FeedLoad = SWEEP_LOAD): Promise<FedServer> {
  const { sessions, perSession } = load;
  const frames = sessions * perSession;
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
  for (let s = 1; s <= sessions; s++) {
    h.onOpen(s, '127.0.0.1:1', 1);
    h.onFrame(s, Hello.id, 1, hello);
  }
  // A batch buffer like the engine's: every frame a fresh view into one reused buffer (a big frame a copy
  // of its own, as the engine detaches it).
  const payload = echoPayload(size);
  const batch = new Uint8Array(payload.length * frames);
  for (let i = 0; i < frames; i++) batch.set(payload, i * payload.length);
  let seq = 2;
  return {
    turn(): void {
      seq++;
      for (let i = 0; i < frames; i++) {
        const view = batch.subarray(i * payload.length, (i + 1) * payload.length);
        if (payload.length < DETACH_FRAME_BYTES)
          h.onFrame((i % sessions) + 1, messages.EchoReq.id, seq, view);
        else h.onFrame((i % sessions) + 1, messages.EchoReq.id, seq, view.slice(), true);
      }
      h.onBatchEnd?.();
      transport.flush();
    },
    get answered() {
      return transport.sent;
    },
    batchFrames: frames,
    stop: () => server.stop(),
  };
}

/** Batches per slice when two builds alternate: short, so a change of machine load hits both alike. */
const SLICE_BATCHES = 50;

/** CPU microseconds per answer over `batches` turns, after a warm-up of a quarter as many. */
function cpuPerAnswer(servers: FedServer[], batches: number): number[] {
  for (const s of servers) for (let b = 0; b < batches / 4; b++) s.turn(); // let the JIT settle
  const used = servers.map(() => 0);
  const answeredBefore = servers.map((s) => s.answered);
  for (let done = 0; done < batches; done += SLICE_BATCHES) {
    servers.forEach((s, i) => {
      const before = process.cpuUsage();
      for (let b = 0; b < SLICE_BATCHES; b++) s.turn();
      const slice = process.cpuUsage(before);
      used[i] += slice.user + slice.system;
    });
  }
  return servers.map((s, i) => {
    const answered = s.answered - answeredBefore[i];
    const expected = Math.ceil(batches / SLICE_BATCHES) * SLICE_BATCHES * s.batchFrames;
    if (answered !== expected) throw new Error(`expected ${expected} answers, got ${answered}`);
    return used[i] / answered;
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '2000000' },
      size: { type: 'string', default: '64' },
      sessions: { type: 'string', default: String(SWEEP_LOAD.sessions) },
      'per-session': { type: 'string', default: String(SWEEP_LOAD.perSession) },
      runs: { type: 'string', default: '5' },
      against: { type: 'string' },
    },
  });
  const size = Number(values.size);
  const load: FeedLoad = { sessions: Number(values.sessions), perSession: Number(values['per-session']) };
  if (![load.sessions, load.perSession].every((n) => Number.isInteger(n) && n >= 1))
    throw new Error('--sessions and --per-session take whole numbers >= 1');
  const batches = Math.ceil(Number(values.frames) / (load.sessions * load.perSession));
  const builds: { name: string; feed: (size: number, load: FeedLoad) => Promise<FedServer> }[] = [
    { name: 'this build', feed: feedEchoServer },
  ];
  if (values.against !== undefined) {
    const other = require(path.resolve(values.against)) as { feedEchoServer: typeof feedEchoServer };
    builds.push({ name: values.against, feed: other.feedEchoServer });
  }
  const results: number[][] = builds.map(() => []);
  for (let run = 0; run < Number(values.runs); run++) {
    const servers = await Promise.all(builds.map((b) => b.feed(size, load)));
    // An older build's copy (before --sessions) feeds 100 x 4 whatever it is asked: not comparable then.
    if (servers.some((s) => s.batchFrames !== load.sessions * load.perSession))
      throw new Error(
        `--against ${values.against}: that build's js-path.js cannot feed ${load.sessions} x ${load.perSession}`,
      );
    const perAnswer = cpuPerAnswer(servers, batches);
    perAnswer.forEach((us, i) => results[i].push(us));
    console.log(
      `run ${run + 1}: ${perAnswer.map((us, i) => `${builds[i].name} ${us.toFixed(3)}`).join(', ')} us/msg`,
    );
    for (const s of servers) await s.stop();
  }
  builds.forEach((b, i) =>
    console.log(
      `JS path, ${size} B, ${load.sessions} x ${load.perSession}, ${b.name}: median ${median(results[i]).toFixed(3)} us/msg`,
    ),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
