import { createHash, randomUUID } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { PROTOCOL_VERSION } from '../protocol/framework-messages';
import { TAKEN_OVER } from '../users/user-index';
import type { MessageType } from '../protocol/message-type';
import type { SessionId } from '../transport/transport';
import { ActorDirectory } from './actor-directory';
import { BaseCluster, type Delivery } from './base-cluster';
import type { Activation, ClusterHost, ClusterUsers } from './cluster';
import { decodeAnswer, encodeJson, type Answer, type Envelope } from './envelope';
import { ClusterError } from './errors';
import { actorKey, names, type Names } from './keys';
import { connectNats } from './nats-link';
import { NatsRoomRegistry } from './nats-room-registry';
import { NatsUsers } from './nats-users';
import { NodeInbox } from './node-inbox';
import { NodeLeases, type NodeRecord } from './node-leases';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './options';
import { Outbox } from './outbox';
import type { RoomBus, RoomGroup } from './room-group';
import { RoomLink } from './room-link';

/** Version of the node-to-node protocol (envelopes, keys, subjects); nodes with another refuse to join. */
export const CLUSTER_PROTOCOL = 1;

/** Hash of a message table (ids and names): nodes of one cluster must have the same. */
export function messageTableHash(messages: ReadonlyMap<number, MessageType<unknown>>): string {
  const lines = [...messages.values()].map((type) => `${type.id}:${type.name}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

interface Connected {
  nc: NatsConnection;
  leases: NodeLeases;
  directory: ActorDirectory;
  inbox: NodeInbox;
  subscriptions: Subscription[];
  /** Checks, every lease TTL, that the nodes with guests in rooms hosted here are alive. */
  guestSweep: NodeJS.Timeout;
}

/**
 * The cluster on NATS + JetStream: node leases, the actor directory and the user directory in KV buckets,
 * one request subject per node for tell / ask / push, one subject per room for broadcasts.
 */
export class NatsCluster extends BaseCluster {
  readonly distributed = true;
  readonly options: ResolvedClusterOptions;
  private readonly names: Names;
  private readonly outboxes = new Map<string, Outbox>();
  private readonly roomSubscriptions = new Map<RoomGroup, Subscription>();
  private connected: Connected | undefined;
  private clusterUsers: NatsUsers | undefined;
  private roomBacking: { kv: KV; leases: NodeLeases } | undefined;
  private link: RoomLink | undefined;
  readonly roomRegistry = new NatsRoomRegistry(() => {
    if (this.roomBacking === undefined) throw new ClusterError('NOT_STARTED', 'the cluster is not started');
    return this.roomBacking;
  });

  constructor(options: ClusterOptions) {
    const resolved = resolveClusterOptions(options);
    super(resolved.node);
    this.options = resolved;
    this.names = names(resolved.name);
  }

  get roomPeers(): RoomLink | undefined {
    return this.link;
  }

  get users(): ClusterUsers {
    if (this.clusterUsers === undefined) throw new ClusterError('NOT_STARTED', 'the cluster is not started');
    return this.clusterUsers;
  }

  protected async join(host: ClusterHost): Promise<void> {
    const { logger } = host;
    const nc = await connectNats(this.options, logger);
    try {
      const { Kvm } = require('@nats-io/kv') as typeof import('@nats-io/kv'); // loaded on join, as in connectNats
      const kvm = new Kvm(nc);
      const nodes = await kvm.create(this.names.nodesBucket, { ttl: this.options.leaseTtlMs, history: 1 });
      const actors = await kvm.create(this.names.actorsBucket, { history: 1 });
      const users = await kvm.create(this.names.usersBucket, { history: 1 });
      const rooms = await kvm.create(this.names.roomsBucket, { history: 1 });
      const leases = new NodeLeases(nodes, this.nodeRecord(host), this.options, logger, {
        lost: () => this.lostLease(),
        rejoined: async () => {
          await this.clusterUsers?.reregister();
          logger.info({ node: this.node }, 'cluster: node rejoined with a new lease');
        },
      });
      await leases.join();
      const directory = new ActorDirectory(
        actors,
        leases,
        (activation) => this.activateHere(activation),
        logger,
      );
      const inbox = new NodeInbox({
        find: (type, id) => this.actorHost.find(type, id),
        defines: (type) => this.actorHost.defines(type),
        recheck: (type, id) => {
          if (!directory.claiming(type, id)) directory.resolve(type, id).catch(() => undefined);
        },
        push: (_user, session, msgId, payload) => this.pushLocal(session, msgId, payload),
        room: (envelope) => {
          if (this.link === undefined) throw new ClusterError('NOT_STARTED', 'no rooms on this node');
          return this.link.serve(envelope);
        },
        kick: (_user, sessionId) => {
          const session = host.session(sessionId);
          if (session === undefined || session.closing) return false;
          session.kick(TAKEN_OVER);
          return true;
        },
        logger,
      });
      inbox.listen(nc, this.names.nodeSubject(this.node));
      const resets = nc.subscribe(this.names.resetSubject, {
        callback: (error, msg) => {
          if (error === null) this.onReset(msg.json<Activation>());
        },
      });
      this.clusterUsers = this.makeUsers(users, leases, host);
      this.roomBacking = { kv: rooms, leases };
      const subscriptions = [resets];
      if (host.rooms !== undefined) {
        this.link = this.makeRoomLink(host, leases);
        subscriptions.push(this.link.listen(nc));
      }
      const guestSweep = setInterval(() => {
        this.link?.sweep((node, incarnation) => leases.isLive(node, incarnation)).catch(() => undefined);
      }, this.options.leaseTtlMs);
      guestSweep.unref();
      this.connected = { nc, leases, directory, inbox, subscriptions, guestSweep };
      await nc.flush();
      logger.info({ node: this.node, nats: this.options.servers }, `cluster: node "${this.node}" joined`);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  protected async leave(): Promise<void> {
    const connected = this.connected;
    if (connected === undefined) return;
    const stopped = new ClusterError('NODE_STOPPED', `node "${this.node}" stopped`);
    for (const outbox of this.outboxes.values()) outbox.close(stopped);
    this.outboxes.clear();
    connected.inbox.close();
    clearInterval(connected.guestSweep);
    for (const subscription of [...connected.subscriptions, ...this.roomSubscriptions.values()])
      subscription.unsubscribe();
    this.roomSubscriptions.clear();
    await this.stopActivations();
    await connected.directory.releaseAll(); // both log and go on when NATS is away: leases then expire
    await connected.leases.leave();
    this.connected = undefined;
    try {
      await connected.nc.drain();
    } catch {
      await connected.nc.close().catch(() => undefined); // NATS already gone: nothing left to flush
    }
  }

  protected send(delivery: Delivery): void {
    const connected = this.connected!;
    const key = actorKey(delivery.type, delivery.id);
    let outbox = this.outboxes.get(key);
    if (outbox === undefined) {
      outbox = new Outbox(`${delivery.type}/${delivery.id}`, {
        resolve: () => connected.directory.resolve(delivery.type, delivery.id),
        deliverLocally: (d) => this.deliverLocally(d, () => false),
        request: (node, d, timeoutMs) => this.request(node, d, timeoutMs),
        tellTimeoutMs: this.options.tellTimeoutMs,
        logger: this.host.logger,
      });
      this.outboxes.set(key, outbox);
    }
    outbox.push(delivery);
  }

  protected roomBus(): RoomBus {
    return {
      subscribe: (room) => {
        const subscription = this.nc().subscribe(this.names.roomSubject(room.name), {
          callback: (error, msg) => {
            if (error !== null || msg.data.length < 2) return;
            room.deliver((msg.data[0] << 8) | msg.data[1], msg.data.subarray(2));
          },
        });
        this.roomSubscriptions.set(room, subscription);
      },
      unsubscribe: (room) => {
        this.roomSubscriptions.get(room)?.unsubscribe();
        this.roomSubscriptions.delete(room);
      },
      publish: (room, msgId, payload) => {
        if (this.connected === undefined) return;
        const frame = new Uint8Array(2 + payload.length); // a copy: the payload is a transient encode
        frame[0] = msgId >> 8;
        frame[1] = msgId & 0xff;
        frame.set(payload, 2);
        this.connected.nc.publish(this.names.roomSubject(room.name), frame);
      },
    };
  }

  private async request(node: string, delivery: Delivery, timeoutMs: number): Promise<Answer> {
    const envelope: Envelope = {
      k: delivery.ask === undefined ? 'tell' : 'ask',
      type: delivery.type,
      id: delivery.id,
      m: delivery.message,
      from: this.node,
      ...(delivery.ask !== undefined ? { t: timeoutMs } : {}),
    };
    const reply = await this.nc().request(this.names.nodeSubject(node), encodeJson(envelope), {
      timeout: timeoutMs,
    });
    return decodeAnswer(reply.data);
  }

  private activateHere(activation: Activation): void {
    if (this.actorHost.find(activation.type, activation.id) !== undefined) return;
    this.actorHost.activate(activation);
    if (activation.reason === 'failover') {
      this.host.logger.warn(
        activation,
        `cluster: ${activation.type}/${activation.id} taken over from dead node`,
      );
      this.onReset(activation);
      this.connected?.nc.publish(this.names.resetSubject, JSON.stringify(activation));
    }
  }

  private onReset(activation: Activation): void {
    this.existingRoom(activation.id)?.reset(activation);
  }

  private pushLocal(sessionId: SessionId, msgId: number, payload: Uint8Array): boolean {
    const session = this.host.session(sessionId);
    if (session === undefined || session.closing) return false;
    this.host.transport.send(sessionId, msgId, 0, payload);
    return true;
  }

  private makeRoomLink(host: ClusterHost, leases: NodeLeases): RoomLink {
    return new RoomLink({
      node: this.node,
      incarnation: () => leases.self.incarnation,
      nc: () => this.nc(),
      names: this.names,
      locate: (roomId) => this.roomRegistry.locate(roomId),
      portal: host.rooms!,
      timeoutMs: host.askTimeoutMs,
      logger: host.logger,
    });
  }

  private makeUsers(kv: KV, leases: NodeLeases, host: ClusterHost): NatsUsers {
    return new NatsUsers(kv, {
      leases,
      logger: host.logger,
      localSession: (id) => host.session(id),
      kickRemote: async (node, user, session) => {
        const envelope: Envelope = { k: 'kick', user, session };
        const reply = await this.nc().request(this.names.nodeSubject(node), encodeJson(envelope), {
          timeout: 3000,
        });
        return decodeAnswer(reply.data);
      },
      pushRemote: async (node, user, session, msgId, payload) => {
        const envelope: Envelope = {
          k: 'push',
          user,
          session,
          msgId,
          payload: Buffer.from(payload).toString('base64'),
        };
        const reply = await this.nc().request(this.names.nodeSubject(node), encodeJson(envelope), {
          timeout: 3000,
        });
        return decodeAnswer(reply.data);
      },
    });
  }

  /** The lease lapsed: other nodes may hold our actors by now, so drop ours and rejoin as a new incarnation. */
  private async lostLease(): Promise<NodeRecord> {
    this.connected?.directory.forgetOwned();
    const held = [...this.outboxes.values()];
    this.outboxes.clear();
    for (const outbox of held) outbox.close(new ClusterError('UNDELIVERABLE', 'node lease lost'));
    await this.actorHost.stopAll();
    return this.nodeRecord(this.host);
  }

  private nodeRecord(host: ClusterHost): NodeRecord {
    return {
      node: this.node,
      incarnation: randomUUID(),
      protocol: PROTOCOL_VERSION,
      cluster: CLUSTER_PROTOCOL,
      messages: messageTableHash(host.messages),
      startedAt: new Date().toISOString(),
    };
  }

  private nc(): NatsConnection {
    if (this.connected === undefined)
      throw new ClusterError('NODE_STOPPED', `node "${this.node}" is not connected`);
    return this.connected.nc;
  }
}
