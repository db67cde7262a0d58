/**
 * The cluster contract: actors addressed by type + id from any node, room broadcast groups that span nodes,
 * and users found on any node. `LocalCluster` runs it in one process, `NatsCluster` over NATS + JetStream;
 * test/cluster/contract.test.ts runs the same suite over both.
 */
import type { Logger } from 'pino';
import type { Actor } from '../actors/actor';
import type { ActorSystem } from '../actors/actor-system';
import type { MessageType } from '../protocol/message-type';
import type { RoomPeers, RoomPortal } from '../rooms/room-peers';
import type { RoomRegistry } from '../rooms/room-registry';
import type { Session } from '../server/session';
import type { SessionId, Transport } from '../transport/transport';

/** Why an actor instance exists on this node now. */
export interface Activation {
  readonly type: string;
  readonly id: string;
  /** The node that hosts this activation. */
  readonly node: string;
  /** 'new': nobody held it; 'failover': its node died (lease expired) and the state it held is gone. */
  readonly reason: 'new' | 'failover';
  /** The dead node, for a failover. */
  readonly previousNode?: string;
}

export type ActorFactory<Msg, Reply> = (id: string, activation: Activation) => Actor<Msg, Reply>;

export interface ActorTypeOptions<Msg, Reply> {
  /** Runs before the first message of every activation (through the mailbox), e.g. to reload saved state. */
  onActivate?(actor: Actor<Msg, Reply>, activation: Activation): void | Promise<void>;
  mailboxCapacity?: number;
  askTimeoutMs?: number;
}

/**
 * An actor by type + id, wherever it lives. Per sender -> actor pair, messages arrive in the order sent.
 * Messages to and replies from another node are copied as JSON (plain data only).
 */
export interface ClusterActorRef<Msg, Reply> {
  readonly type: string;
  readonly id: string;
  /** Fire and forget; activates the actor if nobody holds it. Failures are logged, never thrown. */
  tell(message: Msg): void;
  /** What `receive` returned; rejects with its GameError (code kept), ActorError TIMEOUT, or ClusterError. */
  ask(message: Msg, timeoutMs?: number): Promise<Reply>;
}

/** A defined actor type: `Counter.ref('c1').ask('inc')`. */
export interface ActorType<Msg, Reply> {
  readonly type: string;
  ref(id: string): ClusterActorRef<Msg, Reply>;
}

/** Where a logged-in user's session is. */
export interface UserLocation {
  readonly node: string;
  readonly session: SessionId;
}

/** Users by id across the cluster (one session per user id: a newer registration replaces the older). */
export interface ClusterUsers {
  /**
   * Records the session as the user's (until it closes, is unregistered or another registers); a session
   * of the user on another node is kicked ('logged in from another connection').
   */
  register(userId: string, session: Session<unknown>): Promise<void>;
  /** Forgets the user if `session` is still the one recorded (logout). */
  unregister(userId: string, session: Session<unknown>): Promise<void>;
  locate(userId: string): Promise<UserLocation | undefined>;
  /** Pushes to the user's session on whichever node; false when the user is not online. */
  push<T>(userId: string, type: MessageType<T>, data: T): Promise<boolean>;
}

/** Called on this node's members of a room whose owning actor failed over (its state was lost). */
export type RoomResetListener = (members: Session<unknown>[], activation: Activation) => void;

/**
 * A broadcast group across nodes: each node holds its own members; a broadcast is encoded once, fanned
 * out to local members by the transport and sent once to each other node that has members.
 */
export interface ClusterRoom {
  readonly name: string;
  /** Members on this node. */
  readonly localSize: number;
  join(session: Session<unknown>): void;
  leave(session: Session<unknown>): void;
  has(session: Session<unknown>): boolean;
  broadcast<T>(type: MessageType<T>, data: T, except?: Session<unknown>): void;
  /**
   * Tied to the actor `type` + this room's name: when that actor fails over, `listener` gets this node's
   * members (they stay in the group; the room's state on the dead node is gone).
   */
  onReset(actorType: string, listener: RoomResetListener): void;
}

/** What the GameServer hands its cluster at start. */
export interface ClusterHost {
  readonly logger: Logger;
  readonly actors: ActorSystem;
  readonly transport: Transport;
  session(id: SessionId): Session<unknown> | undefined;
  /** The server's message table: nodes with different tables refuse to form one cluster. */
  readonly messages: ReadonlyMap<number, MessageType<unknown>>;
  /** Default ask timeout (the server's limits.askTimeoutMs). */
  readonly askTimeoutMs: number;
  /** The matchmaker's side of rooms across nodes (guests of rooms hosted here, frames for sessions here). */
  readonly rooms?: RoomPortal;
}

export interface Cluster {
  readonly node: string;
  /** False for the in-process LocalCluster. */
  readonly distributed: boolean;
  readonly users: ClusterUsers;
  /** The matchmaker's room registry: in this process, or shared by every node (seats counted cluster-wide). */
  readonly roomRegistry: RoomRegistry;
  /** How the matchmaker reaches rooms hosted on other nodes, once started; undefined in one process. */
  readonly roomPeers: RoomPeers | undefined;
  define<Msg, Reply>(
    type: string,
    factory: ActorFactory<Msg, Reply>,
    options?: ActorTypeOptions<Msg, Reply>,
  ): ActorType<Msg, Reply>;
  ref<Msg, Reply>(type: string, id: string): ClusterActorRef<Msg, Reply>;
  room(name: string): ClusterRoom;
  start(host: ClusterHost): Promise<void>;
  stop(): Promise<void>;
}
