import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport, TransportHandler } from '../transport/transport';

/** What one client connection receives from a shared transport. */
export type ClientEvents = Omit<TransportHandler, 'onBatchEnd'>;

/** Lets many GameClients share one transport: routes its events by session id. */
export class ClientMux implements TransportHandler {
  private static readonly byTransport = new WeakMap<Transport, ClientMux>();
  private readonly routes = new Map<SessionId, ClientEvents>();

  private constructor(readonly transport: Transport) {
    transport.setHandler(this);
  }

  static of(transport: Transport): ClientMux {
    let mux = ClientMux.byTransport.get(transport);
    if (mux === undefined) {
      mux = new ClientMux(transport);
      ClientMux.byTransport.set(transport, mux);
    }
    return mux;
  }

  /** Starts a connection whose events go to `events` (onOpen or onClose follows). */
  connect(host: string, port: number, timeoutMs: number, events: ClientEvents): SessionId {
    const id = this.transport.connect(host, port, timeoutMs);
    this.routes.set(id, events);
    return id;
  }

  onOpen(session: SessionId, remote: string, listener: number): void {
    this.routes.get(session)?.onOpen(session, remote, listener);
  }

  onFrame(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.routes.get(session)?.onFrame(session, msgId, seq, payload);
  }

  onWritable(session: SessionId, writable: boolean): void {
    this.routes.get(session)?.onWritable(session, writable);
  }

  onClose(session: SessionId, reason: CloseReason, errno: number): void {
    const route = this.routes.get(session);
    this.routes.delete(session);
    route?.onClose(session, reason, errno);
  }
}
