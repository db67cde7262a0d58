import type { Container } from 'inversify';
import type { ActorRef } from '../actors/actor-ref';
import type { ActorSystem } from '../actors/actor-system';
import { ErrorCodes, GameError } from '../errors';
import type { Session, SessionGroup } from '../server/session';
import type { Transport } from '../transport/transport';
import type { Room } from './room';
import { RoomActor, type RoomCommand, type RoomHost } from './room-actor';
import { RoomGuests } from './room-guests';
import type { RoomPeers } from './room-peers';
import { LocalRoomRef, RemoteRoomRef, RoomRef, type AnyRoom } from './room-ref';
import type { RoomListing, RoomMetadata, RoomRegistry } from './room-registry';

export { LocalRoomRef, RemoteRoomRef, RoomRef, type AnyRoom } from './room-ref';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RoomClass<R extends AnyRoom = AnyRoom> = new (...args: any[]) => R;

/** What a Room's onJoin returns (awaited): handed to whoever joined the session. */
export type JoinReply<R> = R extends { onJoin?(...args: never[]): infer T } ? Awaited<T> : unknown;
type CreateOptionsOf<R> = R extends Room<object, unknown, infer C, unknown> ? C : unknown;
type JoinOptionsOf<R> = R extends Room<object, unknown, unknown, infer J> ? J : unknown;

/** A room type given by its class (typed) or by the name it was defined under. */
export type RoomTypeRef<R extends AnyRoom> = RoomClass<R> | string;

/** The room actor's id in the actor system: rooms are addressed by type and id. */
export function roomActorId(type: string, roomId: string): string {
  return `room:${type}:${roomId}`;
}

/** A session's place in a room: kept in `session.groups`, so a closing session leaves. */
export class Membership implements SessionGroup {
  /** The seat is held until the member leaves or its join fails; released once. */
  seatHeld = true;

  constructor(
    readonly room: RoomRef,
    private readonly matchmaker: Matchmaker,
  ) {}

  leave(session: Session<unknown, object>): void {
    this.matchmaker.track(
      this.matchmaker
        .leaveMembership(session, this, 'closed')
        .catch((error: unknown) => this.matchmaker.logLeaveFailure(error, this.room.id)),
    );
  }
}

export interface JoinResult<R extends AnyRoom> {
  room: RoomRef<R>;
  /** What the room's onJoin returned. */
  reply: JoinReply<R>;
}

export interface RoomLimits {
  /** Rooms this process hosts at most (default 1000): creating more fails ROOM_LIMIT. */
  maxRooms: number;
  /** Live rooms one session may have created (default 3): creating more fails ROOM_LIMIT. */
  maxRoomsPerSession: number;
  /** A created room nobody joined is disposed after this (ms, default 30000; 0 = never). */
  emptyTimeoutMs: number;
}

export const defaultRoomLimits: Readonly<RoomLimits> = Object.freeze({
  maxRooms: 1000,
  maxRoomsPerSession: 3,
  emptyTimeoutMs: 30_000,
});

export interface CreateRoomOptions<R extends AnyRoom> {
  /** The session asking (its creations count against maxRoomsPerSession; undone if its request fails). */
  session?: Session<unknown, object>;
  /** The room id; default one made up from the type and a counter. ROOM_EXISTS if taken. */
  id?: string;
  /** Passed to onCreate. */
  options?: CreateOptionsOf<R>;
}

export interface JoinOrCreateOptions<R extends AnyRoom> {
  /** Only rooms whose metadata has these values. */
  filter?: RoomMetadata;
  /** Join (or create) exactly this room id. */
  id?: string;
  createOptions?: CreateOptionsOf<R>;
  joinOptions?: JoinOptionsOf<R>;
}

interface HostedRoom {
  readonly ref: LocalRoomRef;
  readonly creator: Session<unknown, object> | undefined;
}

/**
 * Room types, live rooms and matchmaking: create, join(id), joinOrCreate, list with metadata filters.
 * Seats are reserved in the RoomRegistry before a join runs, so concurrent joins never pass maxClients.
 * Done inside a handler turn, a create or join is undone when the request is answered with an Error.
 */
export class Matchmaker {
  private readonly types = new Map<string, RoomClass>();
  private readonly typeNames = new Map<RoomClass, string>();
  private readonly hosted = new Map<string, HostedRoom>();
  /** Rooms being created (onCreate running): joins by id wait for them. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly createdBy = new Map<Session<unknown, object>, number>();
  private creating = 0;
  private nextId = 1;
  private readonly leaving = new Set<Promise<void>>();
  private readonly host: RoomHost;
  /** Sessions of other nodes in rooms hosted here. */
  readonly guests: RoomGuests;
  private peers: RoomPeers | undefined;

  constructor(
    readonly registry: RoomRegistry,
    private readonly actors: ActorSystem,
    transport: Transport,
    private readonly container: Container,
    private readonly limits: RoomLimits,
  ) {
    this.guests = new RoomGuests(
      transport,
      () => this.peers,
      () => this.actors.logger,
    );
    this.host = {
      registry,
      transport: this.guests.sender,
      emptyTimeoutMs: limits.emptyTimeoutMs,
      dropMember: (roomId, session) => this.dropMember(roomId, session),
      leave: (roomId, session) => void this.leave(session, roomId),
      disposed: (roomId) => this.forget(roomId),
    };
  }

  /** In a cluster: rooms of other nodes are joined through `peers` (set once the cluster has started). */
  usePeers(peers: RoomPeers | undefined): void {
    this.peers = peers;
  }

  /** Registers a room class under a type name (before or after start). */
  define(type: string, roomClass: RoomClass): void {
    if (typeof type !== 'string' || type === '') throw new TypeError('a room type is a non-empty string');
    if (this.types.has(type)) throw new Error(`room type "${type}" is defined already`);
    if (this.typeNames.has(roomClass))
      throw new Error(`${roomClass.name} is defined already as "${this.typeNames.get(roomClass)}"`);
    this.types.set(type, roomClass);
    this.typeNames.set(roomClass, type);
  }

  /** Defined room types and their classes. */
  definitions(): ReadonlyMap<string, RoomClass> {
    return this.types;
  }

  /** The type name of a class or name (NO_SUCH_ROOM_TYPE if undefined). */
  typeName(type: RoomTypeRef<AnyRoom>): string {
    const name = typeof type === 'string' ? type : this.typeNames.get(type);
    if (name === undefined || !this.types.has(name))
      throw new GameError(
        ErrorCodes.NO_SUCH_ROOM_TYPE,
        `no room type ${typeof type === 'string' ? type : type.name} is defined (server.rooms.define)`,
      );
    return name;
  }

  /** Rooms of a type, optionally only those whose metadata matches `filter`. */
  list(type: RoomTypeRef<AnyRoom>, filter?: RoomMetadata): Promise<RoomListing[]> {
    return this.registry.list(this.typeName(type), filter);
  }

  /** The live room with this id hosted here. */
  get<R extends AnyRoom = AnyRoom>(roomId: string): LocalRoomRef<R> | undefined {
    return this.hosted.get(roomId)?.ref as LocalRoomRef<R> | undefined;
  }

  /** Whether a live room has this id: hosted here, being created here, or (in a cluster) on any node. */
  async exists(roomId: string): Promise<boolean> {
    return (
      this.hosted.has(roomId) || this.pending.has(roomId) || (await this.registry.find(roomId)) !== undefined
    );
  }

  /** Internal: the hosted room, waiting for one being created. */
  async hostedRoom(roomId: string): Promise<LocalRoomRef | undefined> {
    const creating = this.pending.get(roomId);
    if (!this.hosted.has(roomId) && creating !== undefined) await creating.catch(() => undefined);
    return this.hosted.get(roomId)?.ref;
  }

  /** The room of this type the session is in (a session is in at most one room per type). */
  roomOf<R extends AnyRoom = AnyRoom>(
    session: Session<unknown, object>,
    type: RoomTypeRef<R>,
  ): RoomRef<R> | undefined {
    const name = this.typeName(type);
    return this.membershipOf(session, name)?.room as RoomRef<R> | undefined;
  }

  /** The rooms hosted by this process (the admin API lists them). */
  hostedRooms(): IterableIterator<LocalRoomRef> {
    return [...this.hosted.values()].map((hosted) => hosted.ref).values();
  }

  /** Rooms hosted by this process. */
  get size(): number {
    return this.hosted.size;
  }

  /** Creates a room (onCreate runs before this resolves). ROOM_LIMIT / ROOM_EXISTS on refusal. */
  async create<R extends AnyRoom>(
    type: RoomTypeRef<R>,
    options: CreateRoomOptions<R> = {},
  ): Promise<LocalRoomRef<R>> {
    const name = this.typeName(type);
    const { session } = options;
    if (this.hosted.size + this.creating >= this.limits.maxRooms)
      throw new GameError(ErrorCodes.ROOM_LIMIT, `this server hosts at most ${this.limits.maxRooms} rooms`);
    if (session !== undefined && (this.createdBy.get(session) ?? 0) >= this.limits.maxRoomsPerSession)
      throw new GameError(
        ErrorCodes.ROOM_LIMIT,
        `a session may keep at most ${this.limits.maxRoomsPerSession} rooms it created`,
      );
    const id = options.id ?? this.newRoomId(name);
    this.creating++;
    if (session !== undefined) this.createdBy.set(session, (this.createdBy.get(session) ?? 0) + 1);
    let ref: LocalRoomRef<R>;
    const spawned = this.spawn<R>(name, id, options.options);
    if (!this.pending.has(id)) this.pending.set(id, spawned);
    try {
      ref = await spawned;
    } catch (error) {
      if (session !== undefined) this.uncount(session);
      throw error;
    } finally {
      this.creating--;
      if (this.pending.get(id) === spawned) this.pending.delete(id);
    }
    this.hosted.set(id, { ref, creator: session });
    session?.onUndo(() => ref.dispose());
    return ref;
  }

  /** `<type>-<n>`, in a cluster `<type>-<node>-<n>` (ids are cluster-wide). */
  private newRoomId(type: string): string {
    return this.peers === undefined
      ? `${type}-${this.nextId++}`
      : `${type}-${this.peers.node}-${this.nextId++}`;
  }

  private async spawn<R extends AnyRoom>(
    type: string,
    id: string,
    options: unknown,
  ): Promise<LocalRoomRef<R>> {
    const listing: RoomListing = {
      id,
      type,
      clients: 0,
      maxClients: Infinity,
      locked: true,
      metadata: {},
      createdAt: Date.now(),
    };
    if (!(await this.registry.add(listing)))
      throw new GameError(ErrorCodes.ROOM_EXISTS, `a room with id ${id} exists already`);
    const roomClass = this.types.get(type) as RoomClass;
    let actor: ActorRef<RoomCommand, unknown>;
    try {
      const room = (
        this.container.isBound(roomClass) ? this.container.get(roomClass) : new roomClass()
      ) as Room<object, unknown>;
      actor = this.actors.spawn(roomActorId(type, id), () => new RoomActor(room, id, type, this.host));
    } catch (error) {
      await this.registry.remove(id);
      throw error;
    }
    try {
      await actor.ask({ op: 'create', options }, 0);
    } catch (error) {
      await this.registry.remove(id);
      await actor.stop();
      throw error;
    }
    return new LocalRoomRef<R>(id, type, actor);
  }

  /**
   * Joins the session to a room by id (hosted here or, in a cluster, on another node): NO_SUCH_ROOM,
   * ROOM_FULL, ALREADY_IN_ROOM, or what onJoin threw.
   */
  async join<R extends AnyRoom = AnyRoom>(
    roomId: string,
    session: Session<unknown, object>,
    options?: JoinOptionsOf<R>,
  ): Promise<JoinResult<R>> {
    const ref = (await this.hostedRoom(roomId)) ?? (await this.remoteRoom(roomId));
    if (ref === undefined) throw new GameError(ErrorCodes.NO_SUCH_ROOM, `there is no room ${roomId}`);
    if (session.closing) throw new GameError(ErrorCodes.CLOSED, `session ${session.id} is closing`);
    const current = this.membershipOf(session, ref.type);
    if (current !== undefined)
      throw new GameError(
        ErrorCodes.ALREADY_IN_ROOM,
        current.room.id === ref.id
          ? `already in room ${roomId}`
          : `already in ${ref.type} room ${current.room.id}`,
      );
    const membership = new Membership(ref, this);
    session.groups.add(membership); // before any await: a second join of this type is refused meanwhile
    if (!(await this.registry.reserve(roomId))) {
      session.groups.delete(membership);
      const listing = await this.registry.find(roomId);
      if (listing === undefined) throw new GameError(ErrorCodes.NO_SUCH_ROOM, `there is no room ${roomId}`);
      throw new GameError(
        ErrorCodes.ROOM_FULL,
        listing.locked ? `room ${roomId} is locked` : `room ${roomId} is full`,
      );
    }
    let reply: unknown;
    try {
      reply = await ref.enter(session, options);
    } catch (error) {
      session.groups.delete(membership);
      await this.releaseSeat(membership);
      throw error instanceof GameError && error.code === 'ACTOR_STOPPED'
        ? new GameError(ErrorCodes.NO_SUCH_ROOM, `room ${roomId} is gone`)
        : error;
    }
    session.onUndo(() => void this.leaveMembership(session, membership, 'left'));
    return { room: ref as RoomRef<R>, reply: reply as JoinReply<R> };
  }

  /** A room of another node (in a cluster), by the registry. */
  private async remoteRoom(roomId: string): Promise<RemoteRoomRef | undefined> {
    const peers = this.peers;
    if (peers === undefined) return undefined;
    const location = await peers.locate(roomId);
    if (location === undefined || location.node === peers.node) return undefined;
    return new RemoteRoomRef(roomId, location.type, location.node, peers, (session) =>
      this.dropMember(roomId, session),
    );
  }

  /**
   * Internal (hosting side): a guest session joins a room hosted here. Its node holds the seat and the
   * membership; here the guest is a member like any other.
   */
  async enterGuest(ref: LocalRoomRef, guest: Session<unknown, object>, options: unknown): Promise<unknown> {
    if (this.membershipOf(guest, ref.type) !== undefined)
      throw new GameError(ErrorCodes.ALREADY_IN_ROOM, `already in a ${ref.type} room`);
    const membership = new Membership(ref, this);
    membership.seatHeld = false; // the guest's node holds it
    guest.groups.add(membership);
    try {
      return await ref.enter(guest, options);
    } catch (error) {
      guest.groups.delete(membership);
      this.guests.forgetIfIdle(guest);
      throw error;
    }
  }

  /** Internal (hosting side): the guest's node says it left (no word back to that node). */
  async exitGuest(guest: Session<unknown, object>, roomId: string, reason: 'left' | 'closed'): Promise<void> {
    for (const group of guest.groups)
      if (group instanceof Membership && group.room.id === roomId) {
        await this.leaveMembership(guest, group, reason, false);
        return;
      }
  }

  /**
   * Joins the oldest room of the type with a free seat (matching `filter`), or creates one (or: joins or
   * creates the room `id`). Rooms that fill up meanwhile are skipped; seats are never oversold.
   */
  async joinOrCreate<R extends AnyRoom>(
    type: RoomTypeRef<R>,
    session: Session<unknown, object>,
    options: JoinOrCreateOptions<R> = {},
  ): Promise<JoinResult<R>> {
    const name = this.typeName(type);
    for (let attempt = 0; attempt < 3; attempt++) {
      const candidates =
        options.id !== undefined
          ? (await this.exists(options.id))
            ? [options.id]
            : []
          : (await this.registry.list(name, options.filter))
              .filter((listing) => !listing.locked && listing.clients < listing.maxClients)
              .map((listing) => listing.id);
      for (const id of candidates) {
        try {
          return await this.join<R>(id, session, options.joinOptions);
        } catch (error) {
          if (!(error instanceof GameError) || (error.code !== 'ROOM_FULL' && error.code !== 'NO_SUCH_ROOM'))
            throw error;
        }
      }
      let ref: LocalRoomRef<R>;
      try {
        ref = await this.create<R>(name, { session, id: options.id, options: options.createOptions });
      } catch (error) {
        if (error instanceof GameError && error.code === 'ROOM_EXISTS') continue; // created meanwhile
        throw error;
      }
      if (options.filter !== undefined) await ref.run((room) => room.setMetadata(options.filter!));
      return await this.join<R>(ref.id, session, options.joinOptions);
    }
    throw new GameError(ErrorCodes.ROOM_FULL, `no ${name} room had a seat`);
  }

  /** The session leaves the room (onLeave runs with 'left'); false if it was not in it. */
  async leave(session: Session<unknown, object>, roomId: string): Promise<boolean> {
    for (const group of session.groups)
      if (group instanceof Membership && group.room.id === roomId) {
        await this.leaveMembership(session, group, 'left');
        return true;
      }
    return false;
  }

  /** Internal: the one way out of a room (asked, closed, undone). */
  async leaveMembership(
    session: Session<unknown, object>,
    membership: Membership,
    reason: 'left' | 'closed',
    tellGuestNode = true,
  ): Promise<void> {
    if (!session.groups.delete(membership)) return;
    await this.releaseSeat(membership);
    await membership.room.exit(session, reason);
    this.guestLeft(session, membership.room.id, tellGuestNode);
  }

  /** Internal: a leave running in the background (a closed session's), awaited by `settled`. */
  track(leave: Promise<void>): void {
    this.leaving.add(leave);
    void leave.finally(() => this.leaving.delete(leave));
  }

  /** Resolves once every background leave has given its seat back: the server awaits it before leaving a cluster. */
  async settled(): Promise<void> {
    while (this.leaving.size > 0) await Promise.all([...this.leaving]);
  }

  /** Internal: a leave that could not give its seat back (the registry unreachable, e.g. at shutdown). */
  logLeaveFailure(error: unknown, roomId: string): void {
    this.actors.logger.warn({ err: error, room: roomId }, 'room leave: seat not given back');
  }

  /** A guest left a room hosted here: its node forgets the membership (unless it said so itself). */
  private guestLeft(session: Session<unknown, object>, roomId: string, tellGuestNode: boolean): void {
    const address = this.guests.addressOf(session);
    if (address === undefined) return;
    if (tellGuestNode) this.peers?.dropped(address, roomId);
    this.guests.forgetIfIdle(session);
  }

  private membershipOf(session: Session<unknown, object>, type: string): Membership | undefined {
    for (const group of session.groups)
      if (group instanceof Membership && group.room.type === type) return group;
    return undefined;
  }

  /** Internal: takes the membership out of the books without telling the room (it let the member go). */
  dropMember(roomId: string, session: Session<unknown, object>): boolean {
    for (const group of session.groups)
      if (group instanceof Membership && group.room.id === roomId) {
        session.groups.delete(group);
        this.track(this.releaseSeat(group).catch((error: unknown) => this.logLeaveFailure(error, roomId)));
        this.guestLeft(session, roomId, true);
        return true;
      }
    return false;
  }

  private async releaseSeat(membership: Membership): Promise<void> {
    if (!membership.seatHeld) return;
    membership.seatHeld = false;
    await this.registry.release(membership.room.id);
  }

  private forget(roomId: string): void {
    const hosted = this.hosted.get(roomId);
    if (hosted === undefined) return;
    this.hosted.delete(roomId);
    if (hosted.creator !== undefined) this.uncount(hosted.creator);
  }

  private uncount(session: Session<unknown, object>): void {
    const count = (this.createdBy.get(session) ?? 1) - 1;
    if (count > 0) this.createdBy.set(session, count);
    else this.createdBy.delete(session);
  }
}
