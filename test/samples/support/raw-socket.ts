import * as net from 'node:net';

export interface RawFrame {
  msgId: number;
  seq: number;
  payload: Buffer;
}

/** A plain TCP client that writes raw bytes and parses the frames the server sends back. */
export class RawSocket {
  readonly frames: RawFrame[] = [];
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= this.pending.readUInt32BE(0)) {
        const length = this.pending.readUInt32BE(0);
        const frame = this.pending.subarray(0, length);
        this.frames.push({
          msgId: frame.readUInt16BE(4),
          seq: frame.readUInt32BE(6),
          payload: frame.subarray(10),
        });
        this.pending = this.pending.subarray(length);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => this.waiters.splice(0).forEach((wake) => wake()));
  }

  static connect(port: number): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  write(hex: string): void {
    this.socket.write(Buffer.from(hex, 'hex'));
  }

  /** Resolves when `count` frames arrived; rejects if the socket closes first or after timeoutMs. */
  async until(count: number, timeoutMs = 5000): Promise<RawFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (this.socket.closed) throw new Error(`socket closed after ${this.frames.length} of ${count} frames`);
      if (Date.now() > deadline) throw new Error(`only ${this.frames.length} of ${count} frames arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.slice(0, count);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One frame as hex: u32 length, u16 msgId, u32 seq (big-endian), then the payload. */
export function frameHex(msgId: number, seq: number, payload: Uint8Array): string {
  const frame = Buffer.alloc(10 + payload.length);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt16BE(msgId, 4);
  frame.writeUInt32BE(seq, 6);
  frame.set(payload, 10);
  return frame.toString('hex');
}
