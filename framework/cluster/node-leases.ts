import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { ClusterError } from './errors';

/** A live node's entry in `<cluster>_nodes` (a bucket whose TTL is the lease: renewed while the node lives). */
export interface NodeRecord {
  node: string;
  /** Random per start: a restarted node with the same name is another incarnation. */
  incarnation: string;
  /** Framework wire protocol and cluster protocol versions. */
  protocol: number;
  cluster: number;
  /** Hash of the message table (ids and names). */
  messages: string;
  startedAt: string;
}

/** Compare-and-set failures from JetStream ("wrong last sequence: N"). */
export function isCasConflict(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}

/**
 * This node's lease and a view of the others'. `join` refuses a node whose protocol or message table differs
 * from a live node's, and a node name that a live node holds; the lease is renewed every `renewMs`; when a
 * renewal finds the lease gone (NATS unreachable longer than the TTL), `onLost` runs.
 */
export class NodeLeases {
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  /** Lost and dropped, the new incarnation not yet holding the name. */
  private rejoining = false;
  private readonly liveCache = new Map<string, { incarnation: string | undefined; at: number }>();

  constructor(
    private readonly kv: KV,
    private record: NodeRecord,
    private readonly options: { renewMs: number; leaseTtlMs: number },
    private readonly logger: Logger,
    private readonly hooks: {
      /** The lease lapsed: drop what it covered; returns the record of the new incarnation. */
      lost(): Promise<NodeRecord>;
      /** The new incarnation holds a lease again. */
      rejoined(): Promise<void>;
    },
  ) {}

  get self(): NodeRecord {
    return this.record;
  }

  async join(): Promise<void> {
    for (const other of await this.liveRecords()) {
      if (other.node === this.record.node) continue;
      const mismatch = describeMismatch(this.record, other);
      if (mismatch !== undefined)
        throw new ClusterError(
          'JOIN_REFUSED',
          `node "${this.record.node}" cannot join the cluster: ${mismatch}`,
        );
    }
    await this.claimName();
    this.timer = setInterval(() => void this.renew(), this.options.renewMs);
    this.timer.unref();
  }

  /** True when `node` holds a lease with this incarnation (cached for a short while). */
  async isLive(node: string, incarnation: string): Promise<boolean> {
    if (node === this.record.node) return incarnation === this.record.incarnation;
    const now = Date.now();
    const cached = this.liveCache.get(node);
    if (cached !== undefined && now - cached.at < Math.min(500, this.options.leaseTtlMs / 4))
      return cached.incarnation === incarnation;
    const entry = await this.kv.get(node);
    const live =
      entry !== null && entry.operation === 'PUT' ? entry.json<NodeRecord>().incarnation : undefined;
    this.liveCache.set(node, { incarnation: live, at: now });
    return live === incarnation;
  }

  /** Stops renewing and gives the lease up at once (the node's actors can move without waiting the TTL). */
  async leave(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.kv.delete(this.record.node, { previousSeq: this.revision });
    } catch (error) {
      this.logger.warn({ err: error }, 'cluster: could not give up the node lease (it expires by TTL)');
    }
  }

  private async claimName(): Promise<void> {
    try {
      this.revision = await this.kv.create(this.record.node, JSON.stringify(this.record));
    } catch (error) {
      if (!isCasConflict(error)) throw error;
      const held = await this.kv.get(this.record.node);
      const other = held?.operation === 'PUT' ? held.json<NodeRecord>() : undefined;
      throw new ClusterError(
        'JOIN_REFUSED',
        `node name "${this.record.node}" is held by a live node (started ${other?.startedAt ?? '?'}); ` +
          `choose another name or wait until its lease ends (${this.options.leaseTtlMs} ms after it died)`,
      );
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      this.revision = await this.kv.update(this.record.node, JSON.stringify(this.record), this.revision);
    } catch (error) {
      if (isCasConflict(error))
        await this.recover().catch((failure: unknown) =>
          this.logger.error({ err: failure }, 'cluster: could not take the node lease again (retrying)'),
        );
      else this.logger.warn({ err: error }, 'cluster: lease renewal failed (retrying)');
    } finally {
      this.renewing = false;
    }
  }

  /** The entry is not the one we wrote last: still ours (renewal raced a reconnect) or lost. */
  private async recover(): Promise<void> {
    const entry = await this.kv.get(this.record.node);
    if (entry?.operation === 'PUT' && entry.json<NodeRecord>().incarnation === this.record.incarnation) {
      this.revision = entry.revision;
      return;
    }
    if (!this.rejoining) {
      this.logger.error(
        'cluster: this node lost its lease (NATS was unreachable longer than the TTL); rejoining',
      );
      this.record = await this.hooks.lost();
      this.rejoining = true;
    }
    await this.claimName();
    this.rejoining = false;
    await this.hooks.rejoined();
  }

  private async liveRecords(): Promise<NodeRecord[]> {
    const records: NodeRecord[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry?.operation === 'PUT') records.push(entry.json<NodeRecord>());
    }
    return records;
  }
}

function describeMismatch(self: NodeRecord, other: NodeRecord): string | undefined {
  const peer = `live node "${other.node}"`;
  if (self.protocol !== other.protocol)
    return `it speaks framework protocol ${self.protocol}, ${peer} speaks ${other.protocol}`;
  if (self.cluster !== other.cluster)
    return `it speaks cluster protocol ${self.cluster}, ${peer} speaks ${other.cluster}`;
  if (self.messages !== other.messages)
    return (
      `its message table differs from ${peer}'s (hash ${self.messages.slice(0, 12)} vs ` +
      `${other.messages.slice(0, 12)}): every node must be built from the same .proto files`
    );
  return undefined;
}
