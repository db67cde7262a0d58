/**
 * A hand-driven WebSocket client over a raw TCP socket, for sending what no well-behaved client would
 * (unmasked frames, reserved bits, bad opcodes...). Reads the server's frames (never masked) as they come.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class RawWs {
  readonly frames: ServerFrame[] = [];
  status = 0;
  head = '';
  ended = false;
  private buffer = Buffer.alloc(0);
  private headDone = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => undefined);
  }

  /** Connects and sends `request` (or a valid upgrade for `path`) without waiting for the answer. */
  static async connect(port: number, request?: string | Buffer): Promise<RawWs> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawWs(socket);
    socket.write(request ?? RawWs.upgradeRequest('/'));
    return c;
  }

  static upgradeRequest(path: string, extra: Record<string, string> = {}): string {
    const headers: Record<string, string> = {
      Host: '127.0.0.1',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...extra,
    };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
  }

  /** Resolves once the response head arrived (status set). */
  async upgraded(): Promise<number> {
    await waitFor(() => this.headDone || this.ended, 'the HTTP response');
    return this.status;
  }

  /** One client frame: masked unless told otherwise; rsv = the 3 reserved bits (0..7). */
  send(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: boolean; rsv?: number } = {}): void {
    this.socket.write(RawWs.frame(opcode, payload, options));
  }

  /** The bytes of one client frame (see send). */
  static frame(
    opcode: number,
    payload: Buffer,
    options: { fin?: boolean; mask?: boolean; rsv?: number } = {},
  ): Buffer {
    const { fin = true, mask = true, rsv = 0 } = options;
    const len = payload.length;
    const ext = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
    const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
    head[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
    head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
    if (ext === 2) head.writeUInt16BE(len, 2);
    if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
    let body = payload;
    if (mask) {
      const key = randomBytes(4);
      key.copy(head, 2 + ext);
      body = Buffer.from(payload);
      for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
    }
    return Buffer.concat([head, body]);
  }

  /** The code of the server's Close frame once the connection ended (0: no code, -1: no Close frame). */
  async closeCode(): Promise<number> {
    await waitFor(() => this.ended, 'the server to close the connection');
    const close = this.frames.find((f) => f.opcode === 8);
    if (!close) return -1;
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 0;
  }

  /** Binary message payloads received (fragments joined). */
  messages(): Buffer[] {
    const out: Buffer[] = [];
    let parts: Buffer[] = [];
    for (const f of this.frames) {
      if (f.opcode !== 2 && f.opcode !== 0) continue;
      parts.push(f.payload);
      if (f.fin) {
        out.push(Buffer.concat(parts));
        parts = [];
      }
    }
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.headDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.buffer.subarray(0, end).toString('latin1');
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(this.head)?.[1] ?? 0);
      this.buffer = this.buffer.subarray(end + 4);
      this.headDone = true;
      if (this.status !== 101) return;
    }
    if (this.status !== 101) return;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) return;
      const frame = { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, payload: b.subarray(at, at + len) };
      this.frames.push(frame);
      this.buffer = b.subarray(at + len);
      // Like any client: answer the server's Close with the same code.
      if (frame.opcode === 8 && !this.socket.destroyed) this.send(8, frame.payload.subarray(0, 2));
    }
  }
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
