/**
 * Per remote address connection limit (docs/architecture.md, "Limits": off by default, an option). Wraps any
 * Transport: a session beyond the limit is aborted with `connection_limit` and never reaches the handler
 * (no onOpen, frames or onClose), like a connection refused by the engine's global limit; it is counted
 * in stats().refused.
 */
import type { CloseReason } from './close-reason';
import type { SessionId, Transport, TransportHandler, TransportStats } from './transport';
import { TransportDecorator } from './transport-decorator';

/** The address part of "ip:port" (IPv6 too: the port follows the last colon). */
export function remoteAddress(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return colon > 0 ? remote.slice(0, colon) : remote;
}

export class AddressLimitedTransport extends TransportDecorator {
  private handler: TransportHandler | null = null;
  private readonly perAddress = new Map<string, number>();
  private readonly addressOf = new Map<SessionId, string>();
  /** Sessions refused here: their later events are swallowed. */
  private readonly refusedSessions = new Set<SessionId>();
  private refused = 0;

  constructor(
    inner: Transport,
    private readonly maxPerAddress: number,
  ) {
    super(inner);
    inner.setHandler({
      onOpen: (session, remote, listener) => this.onOpen(session, remote, listener),
      onFrame: (session, msgId, seq, payload, owned) => {
        if (!this.refusedSessions.has(session)) this.handler?.onFrame(session, msgId, seq, payload, owned);
      },
      onWritable: (session, writable) => {
        if (!this.refusedSessions.has(session)) this.handler?.onWritable(session, writable);
      },
      onClose: (session, reason, errno) => this.onClose(session, reason, errno),
      onBatchEnd: () => this.handler?.onBatchEnd?.(),
    });
  }

  override setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  override stats(): TransportStats {
    const stats = this.inner.stats();
    return { ...stats, refused: Number(stats.refused ?? 0) + this.refused };
  }

  private onOpen(session: SessionId, remote: string, listener: number): void {
    if (listener !== 0) {
      const address = remoteAddress(remote);
      const count = this.perAddress.get(address) ?? 0;
      if (count >= this.maxPerAddress) {
        this.refused++;
        this.refusedSessions.add(session);
        this.inner.abort(session, 'connection_limit');
        return;
      }
      this.perAddress.set(address, count + 1);
      this.addressOf.set(session, address);
    }
    this.handler?.onOpen(session, remote, listener);
  }

  private onClose(session: SessionId, reason: CloseReason, errno: number): void {
    if (this.refusedSessions.delete(session)) return;
    const address = this.addressOf.get(session);
    if (address !== undefined) {
      this.addressOf.delete(session);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    }
    this.handler?.onClose(session, reason, errno);
  }
}
