import type { Logger } from 'pino';
import type { Actor } from './actor';
import { ActorRef, type ActorRefOptions } from './actor-ref';

export interface SpawnOptions {
  mailboxCapacity?: number;
  askTimeoutMs?: number;
}

/** Spawns named actors (rooms, matchmakers, ...) and finds them by id. */
export class ActorSystem {
  private readonly actors = new Map<string, ActorRef<never, unknown>>();

  constructor(
    readonly logger: Logger,
    private readonly defaults: ActorRefOptions = { mailboxCapacity: 1024, askTimeoutMs: 5000 },
  ) {}

  /** Starts an actor under a unique id; `factory` is called again on restart. */
  spawn<Msg, Reply>(
    id: string,
    factory: () => Actor<Msg, Reply>,
    options: SpawnOptions = {},
  ): ActorRef<Msg, Reply> {
    if (typeof id !== 'string' || id === '') throw new TypeError('actor id must be a non-empty string');
    // A stopping actor's id is free at once (it only finishes its current message).
    if (this.actors.get(id)?.stopped === false)
      throw new Error(`an actor with id "${id}" is already running`);
    const ref = new ActorRef<Msg, Reply>(
      id,
      factory,
      this.logger.child({ actor: id }),
      { ...this.defaults, ...options },
      (stopped) => {
        if (this.actors.get(id) === (stopped as unknown)) this.actors.delete(id);
      },
    );
    this.actors.set(id, ref as unknown as ActorRef<never, unknown>);
    return ref;
  }

  get<Msg = unknown, Reply = unknown>(id: string): ActorRef<Msg, Reply> | undefined {
    return this.actors.get(id) as unknown as ActorRef<Msg, Reply> | undefined;
  }

  get size(): number {
    return this.actors.size;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.actors.values()].map((ref) => ref.stop()));
  }
}
