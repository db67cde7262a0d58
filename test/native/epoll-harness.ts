/**
 * Test helpers for the raw addon binding (docs/boundary.md): loads the addon through framework/transport/loader,
 * parses event batches, builds wire frames and command records, and awaits events.
 */
import { loadBinding } from '../../framework/transport/loader';
import type { Socket } from 'node:net';

export interface RawEngine {
  listen(host: string, port: number, backlog: number): { id: number; port: number };
  unlisten(id: number): void;
  connect(host: string, port: number, timeoutMs: number): number;
  submit(commands: Uint8Array, length: number): void;
  stats(): Record<string, number>;
  shutdown(): void;
}
export interface RawBinding {
  engines(): string[];
  probeUring(): string;
  closeReasons(): string[];
  Engine: new (
    options: object,
    onEvents: (batch: ArrayBuffer, length: number, detached?: ArrayBuffer[]) => void,
  ) => RawEngine;
}

// FASTPORT_ADDON points at another build (e.g. the ASan one from `npm run build:native:asan`).
export const binding = loadBinding() as unknown as RawBinding;

export interface Event {
  type: number;
  reason: number;
  msgId: number;
  session: number;
  aux: number;
  payload: Buffer;
}
export const OPEN = 1;
export const FRAME = 2;
export const CLOSE = 5;
/** Whole wire frames of one session as a read brought them (epoll): parseBatch lists each as a FRAME. */
export const FRAMES = 7;

/** The batch's records; each frame of a FRAMES record as a FRAME event of its own. */
export function parseBatch(batch: ArrayBuffer, length: number): Event[] {
  const view = new DataView(batch);
  const events: Event[] = [];
  for (let off = 0; off < length;) {
    const size = view.getUint32(off + 12, true);
    if (view.getUint8(off) === FRAMES) {
      events.push(...framesOf(batch, view.getUint32(off + 4, true), off + 16, size));
      off = (off + 16 + size + 3) & ~3;
      continue;
    }
    events.push({
      type: view.getUint8(off),
      reason: view.getUint8(off + 1),
      msgId: view.getUint16(off + 2, true),
      session: view.getUint32(off + 4, true),
      aux: view.getUint32(off + 8, true),
      payload: Buffer.from(batch.slice(off + 16, off + 16 + size)), // copied: the batch is reused
    });
    off = (off + 16 + size + 3) & ~3;
  }
  return events;
}

/** The wire frames of a FRAMES record (`size` bytes at `start`), each as a FRAME event. */
export function framesOf(batch: ArrayBuffer, session: number, start: number, size: number): Event[] {
  const view = new DataView(batch);
  const frames: Event[] = [];
  for (let at = start; at < start + size;) {
    const frameBytes = view.getUint32(at);
    if (frameBytes < 10 || at + frameBytes > start + size) throw new Error(`broken FRAMES record at ${at}`);
    const payload = Buffer.from(batch.slice(at + 10, at + frameBytes)); // copied: the batch is reused
    frames.push({
      type: FRAME,
      reason: 0,
      msgId: view.getUint16(at + 4),
      session,
      aux: view.getUint32(at + 6),
      payload,
    });
    at += frameBytes;
  }
  return frames;
}

export function wireFrame(msgId: number, seq: number, payload: Uint8Array): Buffer {
  const f = Buffer.alloc(10 + payload.length);
  f.writeUInt32BE(f.length, 0);
  f.writeUInt16BE(msgId, 4);
  f.writeUInt32BE(seq, 6);
  f.set(payload, 10);
  return f;
}

export function command(
  op: number,
  session: number,
  payload: Uint8Array = Buffer.alloc(0),
  reason = 0,
): Buffer {
  const c = Buffer.alloc((12 + payload.length + 3) & ~3);
  c.writeUInt8(op, 0);
  c.writeUInt8(reason, 1);
  c.writeUInt32LE(session, 4);
  c.writeUInt32LE(payload.length, 8);
  c.set(payload, 12);
  return c;
}

export class Harness {
  readonly events: Event[] = [];
  readonly engine: RawEngine;
  /** Called with each batch's events after they are recorded (e.g. to echo frames in the same turn). */
  onBatch: (events: Event[]) => void = () => undefined;
  private waiters: (() => void)[] = [];

  constructor(ioThreads: number, options: object = {}) {
    this.engine = new binding.Engine(
      {
        engine: 'epoll',
        ioThreads,
        maxFrameBytes: 1 << 20,
        sendSoftLimit: 1 << 20,
        sendHardLimit: 10 << 20,
        frameTimeoutMs: 10_000,
        sendStallMs: 30_000,
        maxConnections: 100,
        ...options,
      },
      (batch, length) => {
        const events = parseBatch(batch, length);
        this.events.push(...events);
        for (const w of this.waiters.splice(0)) w();
        this.onBatch(events);
      },
    );
  }

  /** For state that no event reports (counters): re-checks every few ms, up to timeoutMs. */
  async poll(what: string, ready: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Resolves when an event matches (events are awaited, never slept on). */
  async until(what: string, match: (e: Event) => boolean): Promise<Event> {
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export function readFrame(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got.length >= got.readUInt32BE(0)) resolve(got.subarray(0, got.readUInt32BE(0)));
    });
  });
}
