import type { ActorRef } from '../actors/actor-ref';
import { ErrorCodes, GameError } from '../errors';
import type { HandlerEntry } from '../handlers/explorer';
import { encodeForSend } from '../protocol/message-type';
import type { Session } from '../server/session';
import type { LeaveReason, Room } from './room';
import type { RoomCommand } from './room-actor';
import type { GuestAddress, RoomPeers } from './room-peers';

// Any room class: the matchmaker hosts rooms of every state and user type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoom = Room<any, any, any, any>;

/** A handle on a live room: its id and type, where it runs, and the ways in (matchmaker-internal). */
export abstract class RoomRef<R extends AnyRoom = AnyRoom> {
  constructor(
    readonly id: string,
    readonly type: string,
  ) {}

  /** The node that hosts the room; undefined: this process. */
  abstract readonly host: string | undefined;

  /** Runs `fn` with the room inside its mailbox (never concurrently with its hooks and handlers). */
  abstract run<T>(fn: (room: R) => T): Promise<Awaited<T>>;

  /** Every member leaves ('disposed'), then the room is disposed. */
  abstract dispose(): void;

  /** Internal: onJoin for the session (its reply), membership on success. */
  abstract enter(session: Session<unknown, object>, options: unknown): Promise<unknown>;

  /** Internal: the member leaves (onLeave runs with `reason`). */
  abstract exit(session: Session<unknown, object>, reason: LeaveReason): Promise<void>;

  /** Internal: a room-scoped handler for a member, in the room's mailbox. */
  abstract handle(route: HandlerEntry, message: unknown, session: Session<unknown, object>): Promise<unknown>;
}

/** A room hosted by this process: its actor. */
export class LocalRoomRef<R extends AnyRoom = AnyRoom> extends RoomRef<R> {
  readonly host = undefined;

  constructor(
    id: string,
    type: string,
    readonly actor: ActorRef<RoomCommand, unknown>,
  ) {
    super(id, type);
  }

  async run<T>(fn: (room: R) => T): Promise<Awaited<T>> {
    return (await this.actor.ask(
      { op: 'run', run: fn as (room: Room<object, unknown>) => unknown },
      0,
    )) as Awaited<T>;
  }

  dispose(): void {
    this.actor.tell({ op: 'dispose' });
  }

  enter(session: Session<unknown, object>, options: unknown): Promise<unknown> {
    return this.actor.ask({ op: 'join', session, options }, 0);
  }

  exit(session: Session<unknown, object>, reason: LeaveReason): Promise<void> {
    this.actor.tell({ op: 'leave', session, reason });
    return Promise.resolve();
  }

  handle(route: HandlerEntry, message: unknown, session: Session<unknown, object>): Promise<unknown> {
    return this.run((instance) => {
      if (!instance.has(session))
        throw new GameError(ErrorCodes.NOT_IN_ROOM, `not (or no longer) in ${this.type} room ${this.id}`);
      return route.invoke(message, session, instance);
    });
  }
}

/**
 * A room hosted by another node of the cluster: joins, leaves and room-scoped handlers go to that node
 * (one request each, in the session's order); its broadcasts come back once per node and fan out here.
 */
export class RemoteRoomRef<R extends AnyRoom = AnyRoom> extends RoomRef<R> {
  constructor(
    id: string,
    type: string,
    readonly host: string,
    private readonly peers: RoomPeers,
    /** The hosting node is gone: the member's membership here is dropped. */
    private readonly gone: (session: Session<unknown, object>) => void,
  ) {
    super(id, type);
  }

  run(): Promise<never> {
    return Promise.reject(
      new GameError(
        ErrorCodes.REMOTE_ROOM,
        `room ${this.id} runs on node ${this.host}: run() works on its hosting node only`,
      ),
    );
  }

  dispose(): void {
    throw new GameError(
      ErrorCodes.REMOTE_ROOM,
      `room ${this.id} runs on node ${this.host}: dispose it there`,
    );
  }

  enter(session: Session<unknown, object>, options: unknown): Promise<unknown> {
    const { user, authenticated, remoteAddress } = session;
    return this.peers.join(
      this.host,
      this.id,
      { ...this.address(session), user, authenticated, remote: remoteAddress },
      options,
    );
  }

  exit(session: Session<unknown, object>, reason: LeaveReason): Promise<void> {
    return this.peers.leave(this.host, this.id, this.address(session), reason === 'left' ? 'left' : 'closed');
  }

  async handle(route: HandlerEntry, message: unknown, session: Session<unknown, object>): Promise<unknown> {
    const payload = encodeForSend(route.type, message);
    try {
      const reply = await this.peers.handle(
        this.host,
        this.id,
        this.address(session),
        route.type.id,
        payload,
      );
      return reply === undefined || route.response === undefined ? undefined : route.response.decode(reply);
    } catch (error) {
      if (error instanceof GameError && error.code === ErrorCodes.NO_SUCH_ROOM) this.gone(session);
      throw error;
    }
  }

  private address(session: Session<unknown, object>): GuestAddress {
    return { node: this.peers.node, incarnation: this.peers.incarnation, session: session.id };
  }
}
