import type { SessionId } from '../transport/transport';
import type { Connection } from './connection';

/**
 * The server's connections by session id. A transport delivers the frames of one read together, so the
 * frames of a batch come in runs per session: the last id looked up is remembered, and a run costs one
 * hash lookup instead of one per frame.
 */
export class ConnectionTable {
  private readonly byId = new Map<SessionId, Connection>();
  private lastId: SessionId = -1;
  private last: Connection | undefined = undefined;

  get size(): number {
    return this.byId.size;
  }

  get(id: SessionId): Connection | undefined {
    if (id === this.lastId) return this.last;
    const connection = this.byId.get(id);
    this.lastId = id;
    this.last = connection;
    return connection;
  }

  set(id: SessionId, connection: Connection): void {
    this.byId.set(id, connection);
    if (id === this.lastId) this.last = connection;
  }

  delete(id: SessionId): boolean {
    if (id === this.lastId) this.last = undefined;
    return this.byId.delete(id);
  }

  values(): IterableIterator<Connection> {
    return this.byId.values();
  }

  forEach(callback: (connection: Connection) => void): void {
    this.byId.forEach(callback);
  }
}
