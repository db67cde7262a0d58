import type { Logger } from 'pino';
import type { ActorRef } from './actor-ref';

/** A timer owned by an actor: its callback runs through the actor's mailbox; stop or restart cancels it. */
export interface ActorTimer {
  cancel(): void;
}

/** What the actor system hands an actor instance before onStart. */
export interface ActorContext<Msg, Reply> {
  readonly self: ActorRef<Msg, Reply>;
  readonly logger: Logger;
  after(ms: number, callback: () => void | Promise<void>): ActorTimer;
  every(ms: number, callback: () => void | Promise<void>): ActorTimer;
}

/**
 * Subclass and implement `receive`. Messages (and timer callbacks) are handled one at a time in arrival order,
 * across awaits; what `receive` returns (or throws) answers an `ask`.
 */
export abstract class Actor<Msg = unknown, Reply = void> {
  private actorContext?: ActorContext<Msg, Reply>;

  /** Set by the actor system before onStart. */
  attach(context: ActorContext<Msg, Reply>): void {
    this.actorContext = context;
  }

  protected get context(): ActorContext<Msg, Reply> {
    if (this.actorContext === undefined) throw new Error('actor used before it was spawned');
    return this.actorContext;
  }

  get id(): string {
    return this.context.self.id;
  }

  protected get logger(): Logger {
    return this.context.logger;
  }

  /** Runs `callback` once after `ms`, through the mailbox. */
  protected after(ms: number, callback: () => void | Promise<void>): ActorTimer {
    return this.context.after(ms, callback);
  }

  /** Runs `callback` every `ms`, through the mailbox. */
  protected every(ms: number, callback: () => void | Promise<void>): ActorTimer {
    return this.context.every(ms, callback);
  }

  abstract receive(message: Msg): Reply | Promise<Reply>;
  onStart?(): void | Promise<void>;
  onStop?(): void | Promise<void>;
}

export type ActorMessageOf<A> = A extends Actor<infer M, unknown> ? M : never;
export type ActorReplyOf<A> = A extends Actor<never, infer R> ? R : never;
