import { Membership, type RoomRef } from '../rooms/matchmaker';
import type { Connection } from '../server/connection';
import type { Session } from '../server/session';
import { wallClockMs } from '../server/session-clock';
import type { EngineName, SessionId, Transport } from '../transport/transport';

/** What the admin listener reads from (and does to) a running GameServer; the server builds it. */
export interface AdminTarget {
  readonly engine: EngineName;
  readonly transport: Transport;
  /** Running and taking new sessions (false before start and while draining for stop). */
  readonly accepting: boolean;
  /** Every connection, including those still in the handshake. */
  connections(): Iterable<Connection>;
  session(id: SessionId): Session<unknown, object> | undefined;
  /** The rooms hosted by this server. */
  rooms(): Iterable<RoomRef>;
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
  /** Ids of the rooms it is in. */
  rooms: string[];
}

/** The rooms a session is in (read without making its group set). */
export function roomsOf(session: Session<unknown, object>): RoomRef[] {
  const rooms: RoomRef[] = [];
  for (const group of session.groupsIfAny ?? []) if (group instanceof Membership) rooms.push(group.room);
  return rooms;
}

/** Members per hosted room id, counted over this server's sessions. */
export function membersByRoom(target: AdminTarget): Map<string, number> {
  const members = new Map<string, number>();
  for (const connection of target.connections())
    for (const room of roomsOf(connection.session)) members.set(room.id, (members.get(room.id) ?? 0) + 1);
  return members;
}

export function viewSession(connection: Connection, now: number): SessionView {
  const { session } = connection;
  return {
    id: session.id,
    remote: session.remoteAddress,
    phase: connection.phase,
    authenticated: session.authenticated,
    openedAt: new Date(wallClockMs(connection.openedAt)).toISOString(),
    idleMs: Math.max(0, now - connection.lastFrameAt),
    queued: connection.queued,
    paused: connection.overflowSince !== undefined,
    rooms: roomsOf(session).map((room) => room.id),
  };
}
