import type { CloseReason } from '../transport/close-reason';
import type { SessionId } from '../transport/transport';

/** A session on another node, as a room hosted here knows it. */
export interface GuestAddress {
  readonly node: string;
  /** The node's incarnation when the guest joined: a restarted node's sessions are other sessions. */
  readonly incarnation: string;
  readonly session: SessionId;
}

/** What a hosting node is told about a joining guest: where it is and its user (copied as JSON). */
export interface GuestInfo extends GuestAddress {
  readonly user: unknown;
  readonly authenticated: boolean;
  readonly remote: string;
}

/** Where a room lives, by the registry. */
export interface RoomLocation {
  readonly node: string;
  readonly type: string;
}

/**
 * The matchmaker's way to rooms hosted on other nodes (the cluster implements it; none in one process).
 * The guest's node holds the seat and the membership; the hosting node runs the room with a guest session.
 */
export interface RoomPeers {
  readonly node: string;
  readonly incarnation: string;
  /** The node hosting the room and its type; undefined when no live room has this id. */
  locate(roomId: string): Promise<RoomLocation | undefined>;
  join(host: string, roomId: string, guest: GuestInfo, options: unknown): Promise<unknown>;
  leave(host: string, roomId: string, guest: GuestAddress, reason: 'left' | 'closed'): Promise<void>;
  /** Runs a room-scoped handler for the guest in the room's mailbox: the encoded request in, response out. */
  handle(
    host: string,
    roomId: string,
    guest: GuestAddress,
    msgId: number,
    payload: Uint8Array,
  ): Promise<Uint8Array | undefined>;
  /** Hosting side: one frame for guests on `node` (sent once; that node fans it out to them). */
  send(node: string, sessions: readonly SessionId[], msgId: number, payload: Uint8Array): void;
  /** Hosting side: the room let the guest go (removeMember, dispose); `close` also closes its session. */
  dropped(guest: GuestAddress, roomId: string, close?: CloseReason): void;
}

/** What the cluster calls on this node's matchmaker for rooms across nodes. */
export interface RoomPortal {
  /** Hosting side: a session of another node joins a room hosted here (onJoin's reply back). */
  joinGuest(roomId: string, guest: GuestInfo, options: unknown): Promise<unknown>;
  leaveGuest(roomId: string, guest: GuestAddress, reason: 'left' | 'closed'): Promise<void>;
  handleGuest(
    roomId: string,
    guest: GuestAddress,
    msgId: number,
    payload: Uint8Array,
  ): Promise<Uint8Array | undefined>;
  /** Hosting side: nodes that have guests here, and their incarnations (to check they are alive). */
  guestNodes(): ReadonlyMap<string, ReadonlySet<string>>;
  /** Hosting side: that node incarnation died: its guests leave ('closed'). */
  nodeGone(node: string, incarnation: string): void;
  /** Guest side: a frame from a hosting node for sessions here. */
  deliver(sessions: readonly SessionId[], msgId: number, payload: Uint8Array): void;
  /** Guest side: the hosting node let the session go; `close` closes it too. */
  droppedHere(roomId: string, session: SessionId, close?: CloseReason): void;
}
