import type { Room } from '../rooms/room';
import type { Connection } from '../server/connection';
import type { Session } from '../server/session';
import type { EngineName, SessionId, Transport } from '../transport/transport';

/** What the admin listener reads from (and does to) a running GameServer; the server builds it. */
export interface AdminTarget {
  readonly engine: EngineName;
  readonly transport: Transport;
  /** Running and taking new sessions (false before start and while draining for stop). */
  readonly accepting: boolean;
  /** Every connection, including those still in the handshake. */
  connections(): Iterable<Connection>;
  session(id: SessionId): Session<unknown> | undefined;
  rooms(): Iterable<Room>;
}

/** One session as the admin API lists it (no user data: operators see ids, addresses and load). */
export interface SessionView {
  id: SessionId;
  remote: string;
  phase: 'handshake' | 'open' | 'closing';
  authenticated: boolean;
  openedAt: string;
  idleMs: number;
  /** Frames waiting in the session's mailbox. */
  queued: number;
  /** Reading is paused because the mailbox is full. */
  paused: boolean;
  rooms: string[];
}

export function viewSession(connection: Connection, now: number): SessionView {
  const { session } = connection;
  const rooms: string[] = [];
  for (const group of session.groups) if ('name' in group) rooms.push(String(group.name));
  return {
    id: session.id,
    remote: session.remoteAddress,
    phase: connection.phase,
    authenticated: session.authenticated,
    openedAt: new Date(connection.openedAt).toISOString(),
    idleMs: Math.max(0, now - connection.lastFrameAt),
    queued: connection.mailbox.size,
    paused: connection.overflowSince !== undefined,
    rooms,
  };
}
