/** A Transport in front of another: forwards every call, so a decorator overrides only what it changes. */
import type { CloseReason } from './close-reason';
import type { ResolvedOptions } from './options';
import type {
  PayloadEncoder,
  SessionId,
  Transport,
  TransportHandler,
  TransportLimits,
  TransportStats,
} from './transport';

export abstract class TransportDecorator implements Transport {
  constructor(protected readonly inner: Transport) {}

  get engine(): Transport['engine'] {
    return this.inner.engine;
  }

  get limits(): TransportLimits {
    return this.inner.limits;
  }

  get resolvedOptions(): Readonly<ResolvedOptions> | undefined {
    return this.inner.resolvedOptions;
  }

  setHandler(handler: TransportHandler): void {
    this.inner.setHandler(handler);
  }

  listen(host: string, port: number): Promise<{ listener: number; port: number }> {
    return this.inner.listen(host, port);
  }

  unlisten(listener: number): void {
    this.inner.unlisten(listener);
  }

  connect(host: string, port: number, timeoutMs: number): SessionId {
    return this.inner.connect(host, port, timeoutMs);
  }

  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.inner.send(session, msgId, seq, payload);
  }

  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    this.inner.sendParts(session, msgId, seq, parts);
  }

  sendEncoded<T>(
    session: SessionId,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
  ): void {
    this.inner.sendEncoded(session, msgId, seq, encoder, message);
  }

  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    this.inner.broadcast(sessions, msgId, seq, payload);
  }

  close(session: SessionId, reason: CloseReason): void {
    this.inner.close(session, reason);
  }

  abort(session: SessionId, reason: CloseReason): void {
    this.inner.abort(session, reason);
  }

  pauseReading(session: SessionId): void {
    this.inner.pauseReading(session);
  }

  resumeReading(session: SessionId): void {
    this.inner.resumeReading(session);
  }

  flush(): void {
    this.inner.flush();
  }

  stats(): TransportStats {
    return this.inner.stats();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
