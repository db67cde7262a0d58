import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { encodeForSend, type MessageType } from '../protocol/message-type';
import type { Session } from '../server/session';
import type { SessionId } from '../transport/transport';
import type { ClusterUsers, UserLocation } from './cluster';
import type { Answer } from './envelope';
import { userKey } from './keys';
import { isCasConflict, type NodeLeases } from './node-leases';

interface UserRecord {
  node: string;
  incarnation: string;
  session: SessionId;
}

/** What the user directory needs from its node. */
export interface UserLinks {
  readonly leases: NodeLeases;
  readonly logger: Logger;
  localSession(id: SessionId): Session<unknown> | undefined;
  /** Asks another node to kick the user's session there (the user logged in here). */
  kickRemote(node: string, user: string, session: SessionId): Promise<Answer>;
  /** A push request to another node's session. */
  pushRemote(
    node: string,
    user: string,
    session: SessionId,
    msgId: number,
    payload: Uint8Array,
  ): Promise<Answer>;
}

/**
 * User id -> node + session in `<cluster>_users`. An entry whose node is dead counts as offline; a session
 * removes its own entry when it closes (compare-and-set: a newer login elsewhere is kept).
 */
export class NatsUsers implements ClusterUsers {
  /** Users whose session is on this node, and the revision of their entry (to re-register, to remove). */
  private readonly local = new Map<string, { session: Session<unknown>; revision: number }>();

  constructor(
    private readonly kv: KV,
    private readonly links: UserLinks,
  ) {}

  async register(userId: string, session: Session<unknown>): Promise<void> {
    const known = this.local.get(userId)?.session === session;
    const entry = { session, revision: 0 };
    this.local.set(userId, entry);
    const previous = await this.record(userId);
    entry.revision = await this.write(userId, session);
    const self = this.links.leases.self;
    if (previous !== undefined && previous.incarnation !== self.incarnation)
      await this.links.kickRemote(previous.node, userId, previous.session).catch(() => undefined);
    if (!known)
      session.onClose(() => {
        this.unregister(userId, session).catch((error: unknown) =>
          this.links.logger.warn({ err: error, user: userId }, 'cluster: user entry kept'),
        );
      });
  }

  async unregister(userId: string, session: Session<unknown>): Promise<void> {
    const current = this.local.get(userId);
    if (current?.session !== session) return; // a newer session of this user holds the entry
    this.local.delete(userId);
    try {
      await this.kv.delete(userKey(userId), { previousSeq: current.revision });
    } catch (error) {
      if (!isCasConflict(error)) throw error;
    }
  }

  /** After a lost lease: this node's users, written again under the new incarnation. */
  async reregister(): Promise<void> {
    await Promise.all(
      [...this.local].map(async ([userId, entry]) => {
        try {
          entry.revision = await this.write(userId, entry.session);
        } catch (error) {
          this.links.logger.warn({ err: error, user: userId }, 'cluster: user not registered again');
        }
      }),
    );
  }

  async locate(userId: string): Promise<UserLocation | undefined> {
    const record = await this.record(userId);
    return record === undefined ? undefined : { node: record.node, session: record.session };
  }

  async push<T>(userId: string, type: MessageType<T>, data: T): Promise<boolean> {
    const record = await this.record(userId);
    if (record === undefined) return false;
    const self = this.links.leases.self;
    if (record.node === self.node && record.incarnation === self.incarnation) {
      const session = this.links.localSession(record.session);
      if (session === undefined || session.closing) return false;
      session.push(type, data);
      return true;
    }
    const answer = await this.links
      .pushRemote(record.node, userId, record.session, type.id, encodeForSend(type, data))
      .catch(() => ({ ok: false }) as Answer);
    return answer.ok;
  }

  private write(userId: string, session: Session<unknown>): Promise<number> {
    const self = this.links.leases.self;
    const record: UserRecord = { node: self.node, incarnation: self.incarnation, session: session.id };
    return this.kv.put(userKey(userId), JSON.stringify(record));
  }

  private async record(userId: string): Promise<UserRecord | undefined> {
    const entry = await this.kv.get(userKey(userId));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const record = entry.json<UserRecord>();
    return (await this.links.leases.isLive(record.node, record.incarnation)) ? record : undefined;
  }
}
