import type { Actor } from '../actors/actor';
import type { ActorRef } from '../actors/actor-ref';
import type { ActorSystem, SpawnOptions } from '../actors/actor-system';
import type { Activation, ActorFactory, ActorTypeOptions } from './cluster';
import { ClusterError } from './errors';

interface Definition {
  factory: ActorFactory<unknown, unknown>;
  options: ActorTypeOptions<unknown, unknown>;
}

/** The actor id in the node's ActorSystem for a cluster actor. */
export function localActorId(type: string, id: string): string {
  return `${type}/${id}`;
}

/** The actor types a node knows and the activations it holds (shared by the local and NATS clusters). */
export class ActorHost {
  private readonly definitions = new Map<string, Definition>();
  private system: ActorSystem | undefined;
  /** Ids (in the ActorSystem) of the activations started here. */
  private readonly started = new Set<string>();

  define(
    type: string,
    factory: ActorFactory<unknown, unknown>,
    options: ActorTypeOptions<unknown, unknown>,
  ): void {
    if (typeof type !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(type))
      throw new TypeError(
        `actor type must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(type)}`,
      );
    if (this.definitions.has(type)) throw new Error(`actor type "${type}" is already defined`);
    this.definitions.set(type, { factory, options });
  }

  defines(type: string): boolean {
    return this.definitions.has(type);
  }

  attach(system: ActorSystem): void {
    this.system = system;
  }

  /** The activation held here, if any. */
  find(type: string, id: string): ActorRef<unknown, unknown> | undefined {
    return this.actors().get(localActorId(type, id));
  }

  /** Starts the activation here; `onActivate` runs through the mailbox before any message. */
  activate(activation: Activation): ActorRef<unknown, unknown> {
    const definition = this.definitions.get(activation.type);
    if (definition === undefined)
      throw new ClusterError(
        'UNKNOWN_ACTOR_TYPE',
        `actor type "${activation.type}" is not defined on this node`,
      );
    const { factory, options } = definition;
    const create = (): Actor<unknown, unknown> => {
      const actor = factory(activation.id, activation);
      const onActivate = options.onActivate;
      if (onActivate !== undefined) {
        const onStart = actor.onStart?.bind(actor);
        actor.onStart = async () => {
          await onActivate(actor, activation);
          await onStart?.();
        };
      }
      return actor;
    };
    const spawnOptions: SpawnOptions = {};
    if (options.mailboxCapacity !== undefined) spawnOptions.mailboxCapacity = options.mailboxCapacity;
    if (options.askTimeoutMs !== undefined) spawnOptions.askTimeoutMs = options.askTimeoutMs;
    const localId = localActorId(activation.type, activation.id);
    this.started.add(localId);
    return this.actors().spawn(localId, create, spawnOptions);
  }

  /** Stops every activation held here (the node lost its lease: they may be active elsewhere already). */
  async stopAll(): Promise<void> {
    const ids = [...this.started];
    this.started.clear();
    await Promise.all(ids.map((id) => this.actors().get(id)?.stop()));
  }

  private actors(): ActorSystem {
    if (this.system === undefined) throw new ClusterError('NOT_STARTED', 'the cluster is not started');
    return this.system;
  }
}
