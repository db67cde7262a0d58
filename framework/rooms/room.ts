import type { Logger } from 'pino';
import type { ActorTimer } from '../actors/actor';
import { encodeForSend, type MessageType } from '../protocol/message-type';
import type { Session } from '../server/session';
import type { AppUser } from '../server/session-types';
import type { SessionId } from '../transport/transport';
import { MemberIds } from './member-ids';
import type { FrameSender } from './room-guests';
import type { RoomMetadata } from './room-registry';

// Members are sessions of the room's user type, with whatever session state the application keeps.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Member<User> = Session<User, any>;

/** Why a member left: it asked (`leave`), its connection closed, or the room was disposed. */
export type LeaveReason = 'left' | 'closed' | 'disposed';

/** What the room actor hands its Room before onCreate. */
export interface RoomContext {
  readonly id: string;
  readonly type: string;
  readonly logger: Logger;
  /** Reaches members here and, in a cluster, members on other nodes (guests). */
  readonly transport: FrameSender;
  after(ms: number, callback: () => void | Promise<void>): ActorTimer;
  every(ms: number, callback: () => void | Promise<void>): ActorTimer;
  /** Publishes maxClients / locked / metadata to the registry. */
  publish(): void;
  /** Makes every member leave (reason 'disposed'), then disposes the room. */
  dispose(): void;
  /** Makes one member leave (reason 'left'), as if it asked. */
  remove(session: Session<unknown, object>): void;
}

/** Timers owned by a room: callbacks run in the room's mailbox; dispose cancels them. */
export interface RoomClock {
  after(ms: number, callback: () => void | Promise<void>): ActorTimer;
  every(ms: number, callback: () => void | Promise<void>): ActorTimer;
}

/**
 * A room: a group of sessions with state, run as an actor. Every hook, timer callback and room-scoped
 * `@Handler` runs in the room's own mailbox, one at a time, so room state is never touched by two member
 * sessions at once. Subclass it, define it (`server.rooms.define('grid', GridRoom)`), and join sessions
 * through `server.rooms` (create / join / joinOrCreate).
 *
 * Hooks: `onCreate(options)` once; `onJoin(session, options)` per member (throw a GameError to refuse;
 * what it returns is handed to the joiner's caller); `onLeave(session, reason)`; `onDispose()` last.
 */
export abstract class Room<
  State extends object = Record<string, unknown>,
  User = AppUser,
  CreateOptions = unknown,
  JoinOptions = unknown,
> {
  /** The room's state; set it in onCreate. */
  state!: State;
  /** Seats; joins beyond are refused ROOM_FULL (read after onCreate, published on `lock` / `setMetadata`). */
  maxClients = Infinity;
  /** Dispose as soon as the last member leaves (and after `emptyTimeoutMs` if nobody ever joins). */
  autoDispose = true;
  private roomContext: RoomContext | undefined;
  private readonly memberMap = new Map<SessionId, Member<User>>();
  private readonly ids = new MemberIds();
  private roomMetadata: RoomMetadata = {};
  private isLocked = false;
  private simulation: ActorTimer | undefined;

  onCreate?(options: CreateOptions): void | Promise<void>;
  onJoin?(session: Member<User>, options: JoinOptions): unknown;
  onLeave?(session: Member<User>, reason: LeaveReason): void | Promise<void>;
  onDispose?(): void | Promise<void>;

  /** Internal: set by the room actor before onCreate. */
  attachRoom(context: RoomContext): void {
    this.roomContext = context;
  }

  private get context(): RoomContext {
    if (this.roomContext === undefined) throw new Error('room used before it was created');
    return this.roomContext;
  }

  get id(): string {
    return this.context.id;
  }

  /** The name this room's class was defined under. */
  get type(): string {
    return this.context.type;
  }

  protected get logger(): Logger {
    return this.context.logger;
  }

  /** Members now. */
  get size(): number {
    return this.memberMap.size;
  }

  get members(): ReadonlyMap<SessionId, Member<User>> {
    return this.memberMap;
  }

  has(session: Session<unknown, object>): boolean {
    return this.memberMap.get(session.id) === (session as unknown);
  }

  get metadata(): Readonly<RoomMetadata> {
    return this.roomMetadata;
  }

  /** Replaces fields of the published metadata (what `list` and `joinOrCreate` filter on). */
  setMetadata(changes: RoomMetadata): void {
    this.roomMetadata = { ...this.roomMetadata, ...changes };
    this.context.publish();
  }

  get locked(): boolean {
    return this.isLocked;
  }

  /** No new members until unlock (members stay). */
  lock(): void {
    this.isLocked = true;
    this.context.publish();
  }

  unlock(): void {
    this.isLocked = false;
    this.context.publish();
  }

  /** Timers through the room's mailbox (cancelled at dispose). */
  get clock(): RoomClock {
    return this.context;
  }

  /**
   * The game loop: `step(deltaMs)` every `intervalMs` in the room's mailbox, with the real time since the
   * previous step. Calling it again replaces the loop; `undefined` as step stops it.
   */
  setSimulationInterval(step: ((deltaMs: number) => void) | undefined, intervalMs = 1000 / 60): void {
    this.simulation?.cancel();
    this.simulation = undefined;
    if (step === undefined) return;
    let last = performance.now();
    this.simulation = this.context.every(Math.max(1, Math.round(intervalMs)), () => {
      const now = performance.now();
      const delta = now - last;
      last = now;
      step(delta);
    });
  }

  /**
   * Pushes one message (seq 0) to every member, or every member but `except`: encoded once, one
   * transport call, and no allocation per member (the member id list is cached between changes).
   */
  broadcast<T>(type: MessageType<T>, data: T, options?: { except?: Session<unknown, object> }): void {
    if (this.memberMap.size === 0) return;
    const except = options?.except;
    const payload = encodeForSend(type, data);
    const transport = this.context.transport;
    this.ids.withEach(this.memberMap, except?.id, (ids) => transport.broadcast(ids, type.id, 0, payload));
  }

  /** Makes `session` leave this room (onLeave runs with 'left'). */
  removeMember(session: Session<unknown, object>): void {
    this.context.remove(session);
  }

  /** Every member leaves ('disposed'), then the room is disposed. */
  disconnect(): void {
    this.context.dispose();
  }

  /** Internal (room actor): membership changes, the one place they happen. */
  addMember(session: Member<User>): void {
    this.memberMap.set(session.id, session);
    this.ids.invalidate();
  }

  /** Internal (room actor). */
  deleteMember(session: Session<unknown, object>): boolean {
    if (!this.has(session)) return false;
    this.memberMap.delete(session.id);
    this.ids.invalidate();
    return true;
  }
}
