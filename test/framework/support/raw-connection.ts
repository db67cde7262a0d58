import { Hello, HELLO_MAGIC, PROTOCOL_VERSION } from '../../../framework/protocol/framework-messages';
import type { CloseReason } from '../../../framework/transport/close-reason';
import { createTransport } from '../../../framework/transport/create-transport';
import type { SessionId, Transport, TransportHandler } from '../../../framework/transport/transport';

export interface RawFrame {
  msgId: number;
  seq: number;
  payload: Uint8Array;
}

/** A bare connection (no GameClient logic) for protocol-level tests: send any frame, watch what comes back. */
export class RawConnection implements TransportHandler {
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<CloseReason>;
  private id: SessionId = 0;
  private waiters: (() => void)[] = [];
  private resolveOpen!: () => void;
  private resolveClosed!: (reason: CloseReason) => void;
  private readonly opened = new Promise<void>((resolve) => (this.resolveOpen = resolve));

  private constructor(private readonly transport: Transport) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    transport.setHandler(this);
  }

  static async open(port: number): Promise<RawConnection> {
    const raw = new RawConnection(createTransport({ engine: 'node' }));
    raw.id = raw.transport.connect('127.0.0.1', port, 2000);
    await Promise.race([
      raw.opened,
      raw.closed.then((reason) => Promise.reject(new Error(`connect: ${reason}`))),
    ]);
    return raw;
  }

  send(msgId: number, seq: number, payload: Uint8Array = new Uint8Array(0)): void {
    this.transport.send(this.id, msgId, seq, payload);
  }

  hello(protocolVersion = PROTOCOL_VERSION, seq = 1): void {
    this.send(Hello.id, seq, Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion })));
  }

  /** Resolves with the first received frame (from index `from`) with this msgId. */
  async frame(msgId: number, from = 0): Promise<RawFrame> {
    for (;;) {
      const found = this.frames.slice(from).find((f) => f.msgId === msgId);
      if (found) return found;
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), this.closed]);
      if (this.isClosed) {
        const last = this.frames.slice(from).find((f) => f.msgId === msgId);
        if (last) return last;
        throw new Error(`closed before a frame with id ${msgId} arrived`);
      }
    }
  }

  private isClosed = false;

  async shutdown(): Promise<void> {
    await this.transport.shutdown();
  }

  onOpen(): void {
    this.resolveOpen();
  }

  onFrame(_session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.frames.push({ msgId, seq, payload: payload.slice() });
    for (const wake of this.waiters.splice(0)) wake();
  }

  onWritable(): void {}

  onClose(_session: SessionId, reason: CloseReason): void {
    this.isClosed = true;
    this.resolveClosed(reason);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
