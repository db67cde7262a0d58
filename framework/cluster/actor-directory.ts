import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { Activation } from './cluster';
import { ClusterError } from './errors';
import { actorKey } from './keys';
import { isCasConflict, type NodeLeases } from './node-leases';

/** The value of an actor's key in `<cluster>_actors`: the node (incarnation) holding its one activation. */
interface Owner {
  node: string;
  incarnation: string;
}

/** Where an actor lives, as seen by a sender. */
export type Route = { kind: 'local' } | { kind: 'remote'; node: string };

const MAX_ROUNDS = 16;

/**
 * Actor type + id -> node, in a JetStream KV bucket. Single activation: a key is taken with create (or update
 * on the revision read, for a dead owner's key), so of two racing nodes one wins and the other routes to it.
 * An owner is alive while its node lease (NodeLeases) is; a dead owner's actors are taken over by the next
 * node that needs them (`reason: 'failover'`).
 */
export class ActorDirectory {
  private readonly claims = new Map<string, Promise<Route>>();
  /** Keys this node holds, with the revision it wrote (to give them up on stop). */
  private readonly owned = new Map<string, number>();

  constructor(
    private readonly kv: KV,
    private readonly leases: NodeLeases,
    private readonly activate: (activation: Activation) => void,
    private readonly logger: Logger,
  ) {}

  /** True while this node is taking the actor (messages for it are answered "retry"). */
  claiming(type: string, id: string): boolean {
    return this.claims.has(actorKey(type, id));
  }

  /** Finds the actor's node, activating it here when nobody (alive) holds it. */
  resolve(type: string, id: string): Promise<Route> {
    const key = actorKey(type, id);
    let claim = this.claims.get(key);
    if (claim === undefined) {
      claim = this.locate(type, id, key).finally(() => this.claims.delete(key));
      this.claims.set(key, claim);
    }
    return claim;
  }

  /** Forgets the keys held (the lease is lost: other nodes take them over). */
  forgetOwned(): void {
    this.owned.clear();
  }

  /** Gives up every key held, so the next message activates the actor elsewhere at once. */
  async releaseAll(): Promise<void> {
    const owned = [...this.owned];
    this.owned.clear();
    await Promise.all(
      owned.map(([key, revision]) =>
        this.kv.delete(key, { previousSeq: revision }).catch((error: unknown) => {
          if (!isCasConflict(error))
            this.logger.warn({ err: error, key }, 'cluster: could not release actor');
        }),
      ),
    );
  }

  private async locate(type: string, id: string, key: string): Promise<Route> {
    const self = this.leases.self;
    const mine = JSON.stringify({ node: self.node, incarnation: self.incarnation } satisfies Owner);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const entry = await this.kv.get(key);
      const owner = ownerOf(entry);
      if (owner !== undefined && owner.incarnation === self.incarnation) {
        this.owned.set(key, entry!.revision);
        this.activate({ type, id, node: self.node, reason: 'new' });
        return { kind: 'local' };
      }
      if (owner !== undefined && (await this.leases.isLive(owner.node, owner.incarnation)))
        return { kind: 'remote', node: owner.node };
      try {
        const revision =
          entry === null ? await this.kv.create(key, mine) : await this.kv.update(key, mine, entry.revision);
        this.owned.set(key, revision);
      } catch (error) {
        if (isCasConflict(error)) continue; // another node was faster: read again
        throw error;
      }
      const failover = owner !== undefined;
      this.activate({
        type,
        id,
        node: self.node,
        reason: failover ? 'failover' : 'new',
        ...(failover ? { previousNode: owner.node } : {}),
      });
      return { kind: 'local' };
    }
    throw new ClusterError('UNDELIVERABLE', `actor ${type}/${id}: its directory entry kept changing`);
  }
}

function ownerOf(entry: KvEntry | null): Owner | undefined {
  if (entry === null || entry.operation !== 'PUT') return undefined;
  try {
    const owner = entry.json<Owner>();
    return typeof owner?.node === 'string' && typeof owner.incarnation === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}
