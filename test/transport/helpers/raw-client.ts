/**
 * A raw node:net peer for the contract tests, independent of the code under test: writes bytes however
 * the test wants (byte by byte, many frames at once) and parses the frames it receives with its own parser.
 */
import { readdirSync } from 'node:fs';
import * as net from 'node:net';

export function frame(msgId: number, seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(10 + payload.length);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt16BE(msgId, 4);
  out.writeUInt32BE(seq, 6);
  out.set(payload, 10);
  return out;
}

/** Deterministic bytes that differ per (seed, index), to catch reordering and corruption. */
export function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface ReceivedFrame {
  msgId: number;
  seq: number;
  payload: Buffer;
}

export class RawClient {
  readonly frames: ReceivedFrame[] = [];
  bytesReceived = 0;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.parse();
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number, options: { paused?: boolean } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      if (options.paused) socket.pause();
      const client = new RawClient(socket);
      socket.once('connect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Writes `bytes` in pieces of `pieceSize()` bytes, each its own write (awaited). */
  async writeInPieces(bytes: Uint8Array, pieceSize: () => number): Promise<void> {
    for (let at = 0; at < bytes.length;) {
      const size = Math.max(1, Math.min(pieceSize(), bytes.length - at));
      await this.write(bytes.subarray(at, at + size));
      at += size;
    }
  }

  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`raw client timed out after ${timeoutMs} ms waiting for ${what}`));
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

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.closed, 'socket close', timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private parse(): void {
    if (this.buffered < 10) return;
    const head = this.chunks[0].length >= 10 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    if (this.buffered < head.readUInt32BE(0)) return; // wait for the whole frame before joining chunks
    let data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    let at = 0;
    while (data.length - at >= 10) {
      const length = data.readUInt32BE(at);
      if (length < 10) throw new Error(`raw client got an invalid frame length ${length}`);
      if (data.length - at < length) break;
      this.frames.push({
        msgId: data.readUInt16BE(at + 4),
        seq: data.readUInt32BE(at + 6),
        payload: Buffer.from(data.subarray(at + 10, at + length)),
      });
      at += length;
    }
    data = data.subarray(at);
    this.chunks = data.length ? [data] : [];
    this.buffered = data.length;
  }
}

/** Open file descriptors of this process. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}
