/** Values a room publishes for matchmaking (`list` / `joinOrCreate` filter on them by equality). */
export type RoomMetadata = Record<string, string | number | boolean>;

/** A live room as the matchmaker sees it. */
export interface RoomListing {
  readonly id: string;
  /** The name its class was defined under (`server.rooms.define(type, RoomClass)`). */
  readonly type: string;
  /** Seats taken: members plus joins in progress (reserved, not yet through onJoin). */
  clients: number;
  /** Seats in all (Infinity = no limit). */
  maxClients: number;
  /** A locked room takes no new members (set while it is created and by `room.lock()`). */
  locked: boolean;
  metadata: RoomMetadata;
  /** ms since the epoch. */
  readonly createdAt: number;
}

/** What a room may change about its listing. */
export type RoomListingUpdate = Partial<Pick<RoomListing, 'maxClients' | 'locked' | 'metadata'>>;

/**
 * The directory of live rooms and their seats: what matchmaking reads and where seats are reserved.
 * Every change a caller relies on is one call (add, reserve, removeIfEmpty), so an implementation can
 * make it atomic: in-process that is one synchronous step (`LocalRoomRegistry`); a cluster
 * implementation makes each a compare-and-set in a shared store and keeps the owner process per room.
 */
export interface RoomRegistry {
  /** Adds a listing; false if a room with this id exists (the id stays the other room's). */
  add(listing: RoomListing): Promise<boolean>;
  /** Changes a listing (no-op for an unknown id). */
  update(id: string, changes: RoomListingUpdate): Promise<void>;
  /** Removes a listing. */
  remove(id: string): Promise<void>;
  /** Removes the listing only if no seat is taken or reserved; true if it did. */
  removeIfEmpty(id: string): Promise<boolean>;
  find(id: string): Promise<RoomListing | undefined>;
  /** Rooms of `type` whose metadata has every field of `filter` with an equal value, oldest first. */
  list(type: string, filter?: RoomMetadata): Promise<RoomListing[]>;
  /** Takes a seat if the room exists, is not locked and has one free; false otherwise. */
  reserve(id: string): Promise<boolean>;
  /** Gives a seat back (a join that failed, a member that left). */
  release(id: string): Promise<void>;
}

/** Whether `listing` matches every field of `filter`. */
export function matchesFilter(listing: RoomListing, filter: RoomMetadata | undefined): boolean {
  if (filter === undefined) return true;
  for (const key of Object.keys(filter)) if (listing.metadata[key] !== filter[key]) return false;
  return true;
}

function snapshot(listing: RoomListing): RoomListing {
  return { ...listing, metadata: { ...listing.metadata } };
}

/** The in-process RoomRegistry: one Map; every method is one synchronous step behind a resolved promise. */
export class LocalRoomRegistry implements RoomRegistry {
  private readonly rooms = new Map<string, RoomListing>();

  add(listing: RoomListing): Promise<boolean> {
    if (this.rooms.has(listing.id)) return Promise.resolve(false);
    this.rooms.set(listing.id, snapshot(listing));
    return Promise.resolve(true);
  }

  update(id: string, changes: RoomListingUpdate): Promise<void> {
    const listing = this.rooms.get(id);
    if (listing !== undefined) {
      if (changes.maxClients !== undefined) listing.maxClients = changes.maxClients;
      if (changes.locked !== undefined) listing.locked = changes.locked;
      if (changes.metadata !== undefined) listing.metadata = { ...changes.metadata };
    }
    return Promise.resolve();
  }

  remove(id: string): Promise<void> {
    this.rooms.delete(id);
    return Promise.resolve();
  }

  removeIfEmpty(id: string): Promise<boolean> {
    const listing = this.rooms.get(id);
    if (listing === undefined || listing.clients > 0) return Promise.resolve(false);
    this.rooms.delete(id);
    return Promise.resolve(true);
  }

  find(id: string): Promise<RoomListing | undefined> {
    const listing = this.rooms.get(id);
    return Promise.resolve(listing && snapshot(listing));
  }

  list(type: string, filter?: RoomMetadata): Promise<RoomListing[]> {
    const found: RoomListing[] = [];
    for (const listing of this.rooms.values())
      if (listing.type === type && matchesFilter(listing, filter)) found.push(snapshot(listing));
    return Promise.resolve(found);
  }

  reserve(id: string): Promise<boolean> {
    const listing = this.rooms.get(id);
    if (listing === undefined || listing.locked || listing.clients >= listing.maxClients)
      return Promise.resolve(false);
    listing.clients++;
    return Promise.resolve(true);
  }

  release(id: string): Promise<void> {
    const listing = this.rooms.get(id);
    if (listing !== undefined && listing.clients > 0) listing.clients--;
    return Promise.resolve();
  }

  /** Rooms listed. */
  get size(): number {
    return this.rooms.size;
  }
}
