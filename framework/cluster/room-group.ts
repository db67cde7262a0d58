import { encodeForSend, type MessageType } from '../protocol/message-type';
import type { Session, SessionGroup } from '../server/session';
import type { SessionId, Transport } from '../transport/transport';
import type { Activation, ClusterRoom, RoomResetListener } from './cluster';

/** How a room's broadcasts reach other nodes: nothing in one process, a NATS subject per room in a cluster. */
export interface RoomBus {
  /** Called when this node gets its first member of the room. */
  subscribe(room: RoomGroup): void;
  /** Called when this node's last member left. */
  unsubscribe(room: RoomGroup): void;
  /** Sends one encoded frame to the other nodes that have members. */
  publish(room: RoomGroup, msgId: number, payload: Uint8Array): void;
}

/** A ClusterRoom: this node's members, and a bus to the other nodes. A closing session leaves it. */
export class RoomGroup implements ClusterRoom, SessionGroup {
  private readonly members = new Map<SessionId, Session<unknown>>();
  private readonly resetListeners = new Map<string, RoomResetListener[]>();
  private subscribed = false;

  constructor(
    readonly name: string,
    /** The server's transport (a room can be made before the server starts). */
    private readonly transport: () => Transport,
    private readonly bus: RoomBus,
  ) {}

  get localSize(): number {
    return this.members.size;
  }

  has(session: Session<unknown>): boolean {
    return this.members.get(session.id) === session;
  }

  /** Adds the session (no-op if it is already in, or closed); the first member here subscribes the node. */
  join(session: Session<unknown>): void {
    if (session.closed || this.has(session)) return;
    this.members.set(session.id, session);
    session.groups.add(this);
    if (!this.subscribed) {
      this.subscribed = true;
      this.bus.subscribe(this);
    }
  }

  /** The last member here out unsubscribes the node. */
  leave(session: Session<unknown>): void {
    if (!this.has(session)) return;
    this.members.delete(session.id);
    session.groups.delete(this);
    if (this.members.size === 0 && this.subscribed) {
      this.subscribed = false;
      this.bus.unsubscribe(this);
    }
  }

  broadcast<T>(type: MessageType<T>, data: T, except?: Session<unknown>): void {
    const payload = encodeForSend(type, data); // valid until the next encode: the bus copies what it keeps
    this.bus.publish(this, type.id, payload);
    this.fanOut(type.id, payload, except);
  }

  onReset(actorType: string, listener: RoomResetListener): void {
    const listeners = this.resetListeners.get(actorType) ?? [];
    listeners.push(listener);
    this.resetListeners.set(actorType, listeners);
  }

  /** Bus side: a broadcast from another node, fanned out to this node's members. */
  deliver(msgId: number, payload: Uint8Array): void {
    this.fanOut(msgId, payload);
  }

  /** Bus side: the actor `activation.type` / this room's name failed over. */
  reset(activation: Activation): void {
    const members = [...this.members.values()];
    for (const listener of this.resetListeners.get(activation.type) ?? []) listener(members, activation);
  }

  private fanOut(msgId: number, payload: Uint8Array, except?: Session<unknown>): void {
    if (this.members.size === 0) return;
    const ids: SessionId[] = [];
    for (const session of this.members.values()) if (session !== except) ids.push(session.id);
    if (ids.length > 0) this.transport().broadcast(ids, msgId, 0, payload);
  }
}
