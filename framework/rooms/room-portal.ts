import { ErrorCodes, GameError } from '../errors';
import type { HandlerEntry } from '../handlers/explorer';
import type { Session } from '../server/session';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';
import type { Matchmaker } from './matchmaker';
import type { GuestAddress, GuestInfo, RoomPortal } from './room-peers';

/** What the portal needs from the server. */
export interface PortalLinks {
  /** The handler for a message id (the server's route table). */
  route(msgId: number): HandlerEntry | undefined;
  /** A live session of this node. */
  session(id: SessionId): Session<unknown, object> | undefined;
  readonly transport: Pick<Transport, 'broadcast' | 'close'>;
}

/**
 * The matchmaker's side of rooms across nodes: what other nodes ask of rooms hosted here (guests join,
 * leave, run room-scoped handlers) and what hosting nodes send to this node's sessions.
 */
export class MatchmakerPortal implements RoomPortal {
  constructor(
    private readonly rooms: Matchmaker,
    private readonly links: PortalLinks,
  ) {}

  async joinGuest(roomId: string, info: GuestInfo, options: unknown): Promise<unknown> {
    const ref = await this.rooms.hostedRoom(roomId);
    if (ref === undefined) throw new GameError(ErrorCodes.NO_SUCH_ROOM, `there is no room ${roomId} here`);
    return this.rooms.enterGuest(ref, this.rooms.guests.admit(info), options);
  }

  async leaveGuest(roomId: string, address: GuestAddress, reason: 'left' | 'closed'): Promise<void> {
    const guest = this.rooms.guests.find(address);
    if (guest !== undefined) await this.rooms.exitGuest(guest, roomId, reason);
  }

  async handleGuest(
    roomId: string,
    address: GuestAddress,
    msgId: number,
    payload: Uint8Array,
  ): Promise<Uint8Array | undefined> {
    const route = this.links.route(msgId);
    const ref = this.rooms.get(roomId);
    const guest = this.rooms.guests.find(address);
    if (ref === undefined) throw new GameError(ErrorCodes.NO_SUCH_ROOM, `room ${roomId} is gone`);
    if (guest === undefined || route === undefined || route.roomType !== ref.type)
      throw new GameError(ErrorCodes.NOT_IN_ROOM, `not (or no longer) in ${ref.type} room ${roomId}`);
    const reply = await ref.handle(route, route.type.decode(payload), guest);
    return route.response === undefined ? undefined : route.response.encode(reply);
  }

  guestNodes(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.rooms.guests.nodes();
  }

  nodeGone(node: string, incarnation: string): void {
    for (const guest of this.rooms.guests.of(node, incarnation))
      for (const group of [...(guest.groupsIfAny ?? [])]) group.leave(guest); // as a closed session does
  }

  deliver(sessions: readonly SessionId[], msgId: number, payload: Uint8Array): void {
    const live = sessions.filter((id) => {
      const session = this.links.session(id);
      return session !== undefined && !session.closing;
    });
    if (live.length > 0) this.links.transport.broadcast(live, msgId, 0, payload);
  }

  droppedHere(roomId: string, sessionId: SessionId, close?: CloseReason): void {
    const session = this.links.session(sessionId);
    if (session === undefined) return;
    if (close !== undefined) this.links.transport.close(sessionId, close);
    else this.rooms.dropMember(roomId, session);
  }
}
