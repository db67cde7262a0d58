/**
 * Drives the addon's Engine directly (no TS transport in between) for the io_uring engine tests: walks
 * the event records of docs/boundary.md, optionally echoes every frame back (one SEND command per frame,
 * one submit per batch), and lets a test await conditions on what arrived.
 */
import { loadBinding } from '../../framework/transport/loader';
import { FRAME_DETACHED } from '../../framework/transport/native';
import { expect } from 'vitest';
import { frame, pattern, RawClient } from '../transport/helpers/raw-client';
import { type Event, FRAMES, framesOf } from './epoll-harness';

export interface EngineStats {
  [name: string]: number;
}

interface NativeEngine {
  listen(host: string, port: number, backlog: number): { id: number; port: number };
  unlisten(listenerId: number): void;
  connect(host: string, port: number, timeoutMs: number): number;
  submit(commands: Uint8Array, length: number): void;
  stats(): EngineStats;
  shutdown(): void;
}

interface Binding {
  engines(): string[];
  probeUring(): string;
  closeReasons(): string[];
  Engine: new (
    options: Record<string, unknown>,
    onEvents: (batch: ArrayBuffer, length: number, detached?: ArrayBuffer[]) => void,
  ) => NativeEngine;
}

// Through the one loader (FASTPORT_ADDON: another build, e.g. a sanitizer build, for the same tests).
export const binding = loadBinding() as unknown as Binding;

const OPEN = 1;
const FRAME = 2;
const WRITABLE = 3;
const BLOCKED = 4;
const CLOSE = 5;
const CMD_SEND = 1;
const CMD_CLOSE = 3;

export interface SessionLog {
  remote: string;
  listenerId: number;
  frames: { msgId: number; seq: number; payload: Buffer }[];
  closes: { reason: string; errno: number }[];
  blocked: number;
  writable: number;
  eventsAfterClose: number;
}

function pad4(n: number): number {
  return (4 - (n & 3)) & 3;
}

/** A SEND (or CLOSE) command record as in docs/boundary.md "Commands". */
export function command(op: number, session: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(12 + payload.length + pad4(payload.length));
  out.writeUInt8(op, 0);
  out.writeUInt32LE(session, 4);
  out.writeUInt32LE(payload.length, 8);
  out.set(payload, 12);
  return out;
}

export class EngineHarness {
  readonly engine: NativeEngine;
  readonly sessions = new Map<number, SessionLog>();
  /** FRAMES records seen (whole wire frames of one received buffer, docs/boundary.md). */
  framesRecords = 0;
  private waiters: (() => void)[] = [];
  private readonly reasons = binding.closeReasons();

  constructor(
    options: Record<string, unknown>,
    private readonly echo = true,
  ) {
    this.engine = new binding.Engine({ engine: 'uring', ...options }, (batch, length, detached) =>
      this.onEvents(batch, length, detached ?? []),
    );
  }

  listen(): number {
    return this.engine.listen('127.0.0.1', 0, 1024).port;
  }

  send(session: number, frames: Uint8Array): void {
    const cmd = command(CMD_SEND, session, frames);
    this.engine.submit(cmd, cmd.length);
  }

  /** A command without payload (3 CLOSE, 4 ABORT, 5 PAUSE_READ, 6 RESUME_READ). */
  command(op: number, session: number): void {
    const cmd = command(op, session);
    this.engine.submit(cmd, cmd.length);
  }

  close(session: number, reason = 6): void {
    const cmd = command(CMD_CLOSE, session);
    cmd.writeUInt8(reason, 1);
    this.engine.submit(cmd, cmd.length);
  }

  stats(): EngineStats {
    return this.engine.stats();
  }

  opened(): SessionLog[] {
    return [...this.sessions.values()];
  }

  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Polls stats() every few ms (for changes that produce no event, e.g. a partial frame being held). */
  async untilStats(check: (stats: EngineStats) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.stats())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  shutdown(): void {
    this.engine.shutdown();
  }

  private log(session: number): SessionLog {
    let s = this.sessions.get(session);
    if (!s) {
      s = {
        remote: '',
        listenerId: -1,
        frames: [],
        closes: [],
        blocked: 0,
        writable: 0,
        eventsAfterClose: 0,
      };
      this.sessions.set(session, s);
    }
    return s;
  }

  private onEvents(batch: ArrayBuffer, length: number, detached: ArrayBuffer[]): void {
    const replies: Buffer[] = [];
    const records = recordsOf(batch, length, detached, () => this.framesRecords++);
    for (const { type, reason, msgId, session, aux, payload } of records) {
      const s = this.log(session);
      if (s.closes.length > 0) s.eventsAfterClose++;
      if (type === OPEN) {
        s.remote = payload.toString();
        s.listenerId = aux;
      } else if (type === FRAME) {
        s.frames.push({ msgId, seq: aux, payload });
        if (this.echo) replies.push(command(CMD_SEND, session, frame(msgId, aux, payload)));
      } else if (type === BLOCKED) {
        s.blocked++;
      } else if (type === WRITABLE) {
        s.writable++;
      } else if (type === CLOSE) {
        s.closes.push({ reason: this.reasons[reason] ?? String(reason), errno: aux });
      }
    }
    if (replies.length > 0) {
      const log = Buffer.concat(replies);
      this.engine.submit(log, log.length);
    }
    for (const w of [...this.waiters]) w();
  }
}

/**
 * The batch's records in order, payloads copied (the batch is reused); each frame of a FRAMES record (whole
 * wire frames of one received buffer) as a FRAME record of its own. A big FRAME's payload is the call's
 * next detached ArrayBuffer (reason FRAME_DETACHED).
 */
function recordsOf(
  batch: ArrayBuffer,
  length: number,
  detached: ArrayBuffer[],
  onFramesRecord: () => void,
): Event[] {
  const view = new DataView(batch, 0, length);
  const records: Event[] = [];
  let nextDetached = 0;
  for (let at = 0; at < length;) {
    const type = view.getUint8(at);
    const reason = view.getUint8(at + 1);
    const session = view.getUint32(at + 4, true);
    const recorded = view.getUint32(at + 12, true);
    if (type === FRAMES) {
      onFramesRecord();
      records.push(...framesOf(batch, session, at + 16, recorded));
    } else {
      const payload =
        type === FRAME && reason === FRAME_DETACHED
          ? Buffer.from(detached[nextDetached++])
          : Buffer.from(new Uint8Array(batch, at + 16, recorded));
      records.push({
        type,
        reason,
        msgId: view.getUint16(at + 2, true),
        session,
        aux: view.getUint32(at + 8, true),
        payload,
      });
    }
    at += 16 + recorded + pad4(recorded);
  }
  return records;
}

/** Frames with sizes from 10 bytes to `maxPayload`, each payload distinct. */
export function mixedFrames(count: number, seed: number, maxPayload: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size = i % 7 === 0 ? maxPayload - (i % 13) : (i * 37 + seed) % 300;
    out.push(frame(100 + (i % 50), i + 1, pattern(size, seed * 100_000 + i)));
  }
  return out;
}

/** Connects `clients` raw clients, each sends its frames in one write, and checks the echo byte for byte. */
export async function echoRoundTrip(port: number, clients: number, frames: number, maxPayload: number) {
  const peers = await Promise.all(Array.from({ length: clients }, () => RawClient.connect(port)));
  const sent = peers.map((_, i) => mixedFrames(frames, i + 1, maxPayload));
  await Promise.all(peers.map((p, i) => p.write(Buffer.concat(sent[i]))));
  await Promise.all(peers.map((p) => p.until(() => p.frames.length >= frames, `${frames} echoed frames`)));
  peers.forEach((p, i) => {
    const got = Buffer.concat(p.frames.map((f) => frame(f.msgId, f.seq, f.payload)));
    expect(got.equals(Buffer.concat(sent[i]))).toBe(true);
  });
  return peers;
}
