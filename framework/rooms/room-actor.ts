import { Actor } from '../actors/actor';
import { ErrorCodes, GameError } from '../errors';
import type { Session } from '../server/session';
import type { LeaveReason, Room, RoomContext } from './room';
import type { FrameSender } from './room-guests';
import type { RoomRegistry } from './room-registry';

/** What a room actor is told: the only ways its Room is reached. */
export type RoomCommand =
  | { op: 'create'; options: unknown }
  | { op: 'join'; session: Session<unknown, object>; options: unknown }
  | { op: 'leave'; session: Session<unknown, object>; reason: LeaveReason }
  | { op: 'run'; run: (room: Room<object, unknown>) => unknown }
  | { op: 'dispose' };

/** What the room actor needs from the matchmaker. */
export interface RoomHost {
  readonly registry: RoomRegistry;
  readonly transport: FrameSender;
  /** A created room with nobody in it is disposed after this (0 = never). */
  readonly emptyTimeoutMs: number;
  /** Takes a member out of the matchmaker's books (its session's membership, its seat); true if it was in. */
  dropMember(roomId: string, session: Session<unknown, object>): boolean;
  /** Asks for a member to leave as if it had asked. */
  leave(roomId: string, session: Session<unknown, object>): void;
  /** The room is gone: forget it. */
  disposed(roomId: string): void;
}

/**
 * Runs one Room as an actor: create, join, leave, room-scoped handlers, timers and dispose all go through
 * its mailbox, one at a time. Membership changes happen here and only here.
 */
export class RoomActor extends Actor<RoomCommand, unknown> {
  private isDisposed = false;

  constructor(
    private readonly room: Room<object, unknown>,
    private readonly roomId: string,
    private readonly roomType: string,
    private readonly host: RoomHost,
  ) {
    super();
  }

  override onStart(): void {
    const context: RoomContext = {
      id: this.roomId,
      type: this.roomType,
      logger: this.logger,
      transport: this.host.transport,
      after: (ms, callback) => this.after(ms, callback),
      every: (ms, callback) => this.every(ms, callback),
      publish: () => void this.publish(),
      dispose: () => void this.context.self.tell({ op: 'dispose' }),
      remove: (session) => this.host.leave(this.roomId, session),
    };
    this.room.attachRoom(context);
  }

  receive(command: RoomCommand): unknown {
    if (this.isDisposed && command.op !== 'dispose')
      throw new GameError(ErrorCodes.NO_SUCH_ROOM, `room ${this.roomId} is gone`);
    switch (command.op) {
      case 'create':
        return this.create(command.options);
      case 'join':
        return this.join(command.session, command.options);
      case 'leave':
        return this.leave(command.session, command.reason);
      case 'run':
        return command.run(this.room);
      case 'dispose':
        return this.disposeAll();
    }
  }

  private async create(options: unknown): Promise<void> {
    await this.room.onCreate?.(options);
    await this.publish();
    if (this.room.autoDispose && this.host.emptyTimeoutMs > 0)
      this.after(this.host.emptyTimeoutMs, () => this.disposeIfEmpty());
  }

  private async join(session: Session<unknown, object>, options: unknown): Promise<unknown> {
    if (session.closing) throw new GameError(ErrorCodes.CLOSED, `session ${session.id} is closing`);
    const reply = await this.room.onJoin?.(session, options);
    if (session.closing) throw new GameError(ErrorCodes.CLOSED, `session ${session.id} is closing`);
    this.room.addMember(session);
    return reply;
  }

  private async leave(session: Session<unknown, object>, reason: LeaveReason): Promise<void> {
    if (!this.room.deleteMember(session)) return;
    await this.room.onLeave?.(session, reason);
    if (this.room.autoDispose && this.room.size === 0) await this.disposeIfEmpty();
  }

  /** Disposes only if no seat is taken or reserved (a join may be on its way). */
  private async disposeIfEmpty(): Promise<void> {
    if (this.isDisposed || this.room.size > 0) return;
    if (await this.host.registry.removeIfEmpty(this.roomId)) await this.finish();
  }

  private async disposeAll(): Promise<void> {
    if (this.isDisposed) return;
    await this.host.registry.update(this.roomId, { locked: true });
    for (const session of [...this.room.members.values()]) {
      this.room.deleteMember(session);
      this.host.dropMember(this.roomId, session);
      await this.room.onLeave?.(session, 'disposed');
    }
    await this.host.registry.remove(this.roomId);
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.isDisposed = true;
    this.room.setSimulationInterval(undefined);
    this.host.disposed(this.roomId);
    try {
      await this.room.onDispose?.();
    } finally {
      void this.context.self.stop();
    }
  }

  /** At server stop (the actor is stopped without a dispose command): the room is disposed all the same. */
  override async onStop(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.host.disposed(this.roomId);
    await this.host.registry.remove(this.roomId);
    await this.room.onDispose?.();
  }

  private publish(): Promise<void> {
    const { maxClients, locked, metadata } = this.room;
    return this.host.registry.update(this.roomId, { maxClients, locked, metadata });
  }
}
