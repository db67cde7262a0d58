import { encodeForSend, type MessageType } from '../protocol/message-type';
import type { Session, SessionGroup } from '../server/session';
import type { SessionId, Transport } from '../transport/transport';

/** A named group of sessions; a broadcast is encoded once and handed to the transport once. */
export class Room implements SessionGroup {
  private readonly members = new Map<SessionId, Session<unknown>>();
  private ids: SessionId[] | undefined; // cached member ids for broadcast, rebuilt after a change

  constructor(
    readonly name: string,
    private readonly transport: Transport,
    private readonly onEmpty?: (room: Room) => void,
  ) {}

  get size(): number {
    return this.members.size;
  }

  has(session: Session<unknown>): boolean {
    return this.members.get(session.id) === session;
  }

  sessions(): IterableIterator<Session<unknown>> {
    return this.members.values();
  }

  /** Adds the session (no-op if it is already in, or closed). */
  join(session: Session<unknown>): void {
    if (session.closed || this.has(session)) return;
    this.members.set(session.id, session);
    session.groups.add(this);
    this.ids = undefined;
  }

  leave(session: Session<unknown>): void {
    if (!this.has(session)) return;
    this.members.delete(session.id);
    session.groups.delete(this);
    this.ids = undefined;
    if (this.members.size === 0) this.onEmpty?.(this);
  }

  /** Pushes one message (seq 0) to every member, optionally except one. */
  broadcast<T>(type: MessageType<T>, data: T, except?: Session<unknown>): void {
    if (this.members.size === 0) return;
    let targets = (this.ids ??= [...this.members.keys()]);
    if (except !== undefined && this.has(except)) targets = targets.filter((id) => id !== except.id);
    if (targets.length === 0) return;
    this.transport.broadcast(targets, type.id, 0, encodeForSend(type, data));
  }
}

/** The server's rooms by name. */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly transport: Transport) {}

  /** The room with this name, created on first use. `disposeWhenEmpty` removes it when its last member leaves. */
  get(name: string, options: { disposeWhenEmpty?: boolean } = {}): Room {
    let room = this.rooms.get(name);
    if (room === undefined) {
      const onEmpty = options.disposeWhenEmpty ? (empty: Room) => this.delete(empty.name) : undefined;
      room = new Room(name, this.transport, onEmpty);
      this.rooms.set(name, room);
    }
    return room;
  }

  /** Every room (the admin API lists them). */
  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  find(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** Removes the room; its members leave it. */
  delete(name: string): void {
    const room = this.rooms.get(name);
    if (room === undefined) return;
    this.rooms.delete(name);
    for (const session of [...room.sessions()]) room.leave(session);
  }

  get size(): number {
    return this.rooms.size;
  }
}
