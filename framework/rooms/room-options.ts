/** `GameServer({ rooms })`: room types, room limits and the registry; the schema and its defaults. */
import { integer, milliseconds, options, satisfying } from '../options/rules';
import { z } from 'zod';
import { defaultRoomLimits, type RoomClass, type RoomLimits } from './matchmaker';
import type { RoomRegistry } from './room-registry';

export type RoomOptions = Partial<RoomLimits> & {
  types?: Record<string, RoomClass>;
  registry?: RoomRegistry;
};

export interface ResolvedRoomOptions {
  limits: RoomLimits;
  types: Record<string, RoomClass>;
  registry: RoomRegistry | undefined;
}

export const roomOptionsSchema = options({
  maxRooms: integer(0, 10_000_000).optional(),
  maxRoomsPerSession: integer(0, 1_000_000).optional(),
  emptyTimeoutMs: milliseconds().optional(),
  types: z
    .record(
      satisfying<RoomClass>((value) => typeof value === 'function', 'a Room class'),
      {
        invalid_type_error: 'must be an object of Room classes by type name',
      },
    )
    .optional(),
  registry: satisfying<RoomRegistry>(
    (value) => typeof value === 'object' && value !== null,
    'a RoomRegistry',
  ).optional(),
}).transform((rooms): ResolvedRoomOptions => ({
  limits: {
    maxRooms: rooms.maxRooms ?? defaultRoomLimits.maxRooms,
    maxRoomsPerSession: rooms.maxRoomsPerSession ?? defaultRoomLimits.maxRoomsPerSession,
    emptyTimeoutMs: rooms.emptyTimeoutMs ?? defaultRoomLimits.emptyTimeoutMs,
  },
  types: rooms.types ?? {},
  registry: rooms.registry,
}));
