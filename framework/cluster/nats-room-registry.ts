import type { KV, KvEntry } from '@nats-io/kv';
import {
  matchesFilter,
  type RoomListing,
  type RoomListingUpdate,
  type RoomMetadata,
  type RoomRegistry,
} from '../rooms/room-registry';
import { token } from './keys';
import { isCasConflict, type NodeLeases } from './node-leases';

/** A listing as stored: the hosting node (incarnation) added; maxClients Infinity stored as null. */
interface StoredListing extends Omit<RoomListing, 'maxClients'> {
  maxClients: number | null;
  node: string;
  incarnation: string;
}

interface Backing {
  kv: KV;
  leases: NodeLeases;
}

const MAX_ROUNDS = 32;

/**
 * The cluster's RoomRegistry in `<cluster>_rooms`: one key per room id, every change a compare-and-set on
 * the key's revision (seats are never oversold across nodes). Listings of a dead node are dropped when met.
 * `list` reads every key (fine for thousands of rooms, not millions). Usable once the cluster has started.
 */
export class NatsRoomRegistry implements RoomRegistry {
  constructor(private readonly backing: () => Backing) {}

  async add(listing: RoomListing): Promise<boolean> {
    const { kv, leases } = this.backing();
    const self = leases.self;
    const stored: StoredListing = {
      ...listing,
      metadata: { ...listing.metadata },
      maxClients: Number.isFinite(listing.maxClients) ? listing.maxClients : null,
      node: self.node,
      incarnation: self.incarnation,
    };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const entry = await kv.get(token(listing.id));
      const existing = await this.live(entry);
      if (existing !== undefined) return false;
      try {
        if (entry === null) await kv.create(token(listing.id), JSON.stringify(stored));
        else await kv.update(token(listing.id), JSON.stringify(stored), entry.revision);
        return true;
      } catch (error) {
        if (!isCasConflict(error)) throw error;
      }
    }
    return false;
  }

  update(id: string, changes: RoomListingUpdate): Promise<void> {
    return this.change(id, (listing) => {
      if (changes.maxClients !== undefined)
        listing.maxClients = Number.isFinite(changes.maxClients) ? changes.maxClients : null;
      if (changes.locked !== undefined) listing.locked = changes.locked;
      if (changes.metadata !== undefined) listing.metadata = { ...changes.metadata };
      return true;
    }).then(() => undefined);
  }

  async remove(id: string): Promise<void> {
    await this.backing().kv.delete(token(id));
  }

  async removeIfEmpty(id: string): Promise<boolean> {
    const { kv } = this.backing();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const entry = await kv.get(token(id));
      const listing = await this.live(entry);
      if (listing === undefined || listing.clients > 0) return false;
      try {
        await kv.delete(token(id), { previousSeq: entry!.revision });
        return true;
      } catch (error) {
        if (!isCasConflict(error)) throw error;
      }
    }
    return false;
  }

  async find(id: string): Promise<RoomListing | undefined> {
    const listing = await this.live(await this.backing().kv.get(token(id)));
    return listing && toListing(listing);
  }

  /** The node hosting a live room, and its type. */
  async locate(id: string): Promise<{ node: string; type: string } | undefined> {
    const listing = await this.live(await this.backing().kv.get(token(id)));
    return listing && { node: listing.node, type: listing.type };
  }

  async list(type: string, filter?: RoomMetadata): Promise<RoomListing[]> {
    const { kv } = this.backing();
    const found: RoomListing[] = [];
    for await (const key of await kv.keys()) {
      const listing = await this.live(await kv.get(key));
      if (listing === undefined || listing.type !== type) continue;
      const public_ = toListing(listing);
      if (matchesFilter(public_, filter)) found.push(public_);
    }
    return found.sort((a, b) => a.createdAt - b.createdAt);
  }

  reserve(id: string): Promise<boolean> {
    return this.change(id, (listing) => {
      const max = listing.maxClients ?? Infinity;
      if (listing.locked || listing.clients >= max) return false;
      listing.clients++;
      return true;
    });
  }

  release(id: string): Promise<void> {
    return this.change(id, (listing) => {
      if (listing.clients === 0) return false;
      listing.clients--;
      return true;
    }).then(() => undefined);
  }

  /** Read, change, compare-and-set, again on a conflict; false when the room is gone or `apply` said no. */
  private async change(id: string, apply: (listing: StoredListing) => boolean): Promise<boolean> {
    const { kv } = this.backing();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const entry = await kv.get(token(id));
      const listing = await this.live(entry);
      if (listing === undefined || !apply(listing)) return false;
      try {
        await kv.update(token(id), JSON.stringify(listing), entry!.revision);
        return true;
      } catch (error) {
        if (!isCasConflict(error)) throw error;
      }
    }
    return false;
  }

  /** The stored listing if its node is alive; a dead node's listing is deleted (compare-and-set). */
  private async live(entry: KvEntry | null): Promise<StoredListing | undefined> {
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const listing = entry.json<StoredListing>();
    const { kv, leases } = this.backing();
    if (await leases.isLive(listing.node, listing.incarnation)) return listing;
    await kv.delete(entry.key, { previousSeq: entry.revision }).catch(() => undefined);
    return undefined;
  }
}

function toListing(stored: StoredListing): RoomListing {
  const { node: _node, incarnation: _incarnation, maxClients, ...rest } = stored;
  return { ...rest, metadata: { ...rest.metadata }, maxClients: maxClients ?? Infinity };
}
