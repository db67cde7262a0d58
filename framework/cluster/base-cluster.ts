import type { RoomPeers } from '../rooms/room-peers';
import type { RoomRegistry } from '../rooms/room-registry';
import { ActorHost } from './actor-host';
import type {
  ActorFactory,
  ActorType,
  ActorTypeOptions,
  Cluster,
  ClusterActorRef,
  ClusterHost,
  ClusterRoom,
  ClusterUsers,
} from './cluster';
import { ClusterError } from './errors';
import { RoomGroup, type RoomBus } from './room-group';

/** One message to an actor by address; `reply` is set for an ask. */
export interface Delivery {
  readonly type: string;
  readonly id: string;
  readonly message: unknown;
  readonly ask?: { timeoutMs: number; resolve(value: unknown): void; reject(error: unknown): void };
}

/** What both clusters share: actor types, refs, room groups; subclasses route deliveries and rooms. */
export abstract class BaseCluster implements Cluster {
  abstract readonly distributed: boolean;
  abstract readonly users: ClusterUsers;
  abstract readonly roomRegistry: RoomRegistry;
  abstract readonly roomPeers: RoomPeers | undefined;
  protected readonly actorHost = new ActorHost();
  private readonly rooms = new Map<string, RoomGroup>();
  private clusterHost: ClusterHost | undefined;
  protected state: 'new' | 'running' | 'stopped' = 'new';

  constructor(readonly node: string) {}

  define<Msg, Reply>(
    type: string,
    factory: ActorFactory<Msg, Reply>,
    options: ActorTypeOptions<Msg, Reply> = {},
  ): ActorType<Msg, Reply> {
    this.actorHost.define(
      type,
      factory as unknown as ActorFactory<unknown, unknown>,
      options as ActorTypeOptions<unknown, unknown>,
    );
    return { type, ref: (id) => this.ref<Msg, Reply>(type, id) };
  }

  ref<Msg, Reply>(type: string, id: string): ClusterActorRef<Msg, Reply> {
    if (typeof id !== 'string' || id === '') throw new TypeError('actor id must be a non-empty string');
    return {
      type,
      id,
      tell: (message: Msg) => this.dispatch({ type, id, message }),
      ask: (message: Msg, timeoutMs?: number) =>
        new Promise<Reply>((resolve, reject) =>
          this.dispatch({
            type,
            id,
            message,
            ask: {
              timeoutMs: timeoutMs ?? this.host.askTimeoutMs,
              resolve: resolve as (value: unknown) => void,
              reject,
            },
          }),
        ),
    };
  }

  room(name: string): ClusterRoom {
    if (typeof name !== 'string' || name === '') throw new TypeError('room name must be a non-empty string');
    let group = this.rooms.get(name);
    if (group === undefined) {
      group = new RoomGroup(
        name,
        () => this.host.transport,
        this.roomBus(),
        (error) => this.host.logger.error({ err: error, room: name }, 'cluster: room reset listener failed'),
      );
      this.rooms.set(name, group);
    }
    return group;
  }

  async start(host: ClusterHost): Promise<void> {
    if (this.state !== 'new') throw new Error(`cluster start() called while ${this.state}`);
    this.clusterHost = host;
    this.actorHost.attach(host.actors);
    await this.join(host);
    this.state = 'running';
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    await this.leave(); // no more remote messages in; then the activations stop, then the keys are given up
  }

  /** Stops this node's activations (single activation: before their keys are given up). */
  protected stopActivations(): Promise<void> {
    return this.actorHost.stopAll();
  }

  protected get host(): ClusterHost {
    if (this.clusterHost === undefined) throw new ClusterError('NOT_STARTED', 'the cluster is not started');
    return this.clusterHost;
  }

  /** The room group with this name if some code on this node made it. */
  protected existingRoom(name: string): RoomGroup | undefined {
    return this.rooms.get(name);
  }

  /** Delivers to an activation held here; false when there is none. */
  protected deliverLocally(delivery: Delivery, activate: () => boolean): boolean {
    let ref = this.actorHost.find(delivery.type, delivery.id);
    if (ref === undefined) {
      if (!activate()) return false;
      ref = this.actorHost.find(delivery.type, delivery.id);
      if (ref === undefined) return false;
    }
    if (delivery.ask === undefined) {
      if (!ref.tell(delivery.message as never))
        this.host.logger.warn(
          { actor: `${delivery.type}/${delivery.id}` },
          'tell dropped: actor mailbox full or stopped',
        );
    } else {
      ref
        .ask(delivery.message as never, delivery.ask.timeoutMs)
        .then(delivery.ask.resolve, delivery.ask.reject);
    }
    return true;
  }

  private dispatch(delivery: Delivery): void {
    if (this.refuseUnlessRunning(delivery)) return;
    if (!this.actorHost.defines(delivery.type)) {
      const error = new ClusterError('UNKNOWN_ACTOR_TYPE', `actor type "${delivery.type}" is not defined`);
      if (delivery.ask === undefined) throw error; // a programming error, like a bad id
      delivery.ask.reject(error);
      return;
    }
    this.send(delivery);
  }

  /** Rejects an ask / logs a tell sent while the cluster is not running; true when refused. */
  protected refuseUnlessRunning(delivery: Delivery): boolean {
    if (this.state === 'running') return false;
    const error = new ClusterError(
      this.state === 'new' ? 'NOT_STARTED' : 'NODE_STOPPED',
      `cannot reach actor ${delivery.type}/${delivery.id}: the cluster ${this.state === 'new' ? 'is not started' : 'stopped'}`,
    );
    if (delivery.ask === undefined && this.clusterHost === undefined) throw error; // a tell before start: a bug
    this.fail(delivery, error);
    return true;
  }

  /** An ask gets the error; a tell's failure is logged. */
  protected fail(delivery: Delivery, error: unknown): void {
    if (delivery.ask !== undefined) delivery.ask.reject(error);
    else
      this.host.logger.warn({ err: error, actor: `${delivery.type}/${delivery.id}` }, 'tell not delivered');
  }

  /** Routes a delivery to a defined type while running. */
  protected abstract send(delivery: Delivery): void;
  protected abstract roomBus(): RoomBus;
  protected abstract join(host: ClusterHost): Promise<void>;
  protected abstract leave(): Promise<void>;
}
