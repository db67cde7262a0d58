/** The cluster bench's packets: JSON-encoded MessageTypes (no .proto needed for a bench). */
import type { MessageType, RequestType } from '../../framework/protocol/message-type';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function json<T>(id: number, name: string, kind: 'message' | 'response'): MessageType<T> {
  return {
    id,
    name,
    kind,
    encode: (message: T) => encoder.encode(JSON.stringify(message)),
    decode: (bytes: Uint8Array) => JSON.parse(decoder.decode(bytes)) as T,
    create: (partial?: unknown) => ({ ...(partial as object) }) as T,
  } as MessageType<T>;
}

export interface JoinRes {
  node: string;
}
export const JoinRes = json<JoinRes>(301, 'bench.JoinRes', 'response');
export interface JoinReq {
  room: string;
}
export const JoinReq = {
  ...json<JoinReq>(300, 'bench.JoinReq', 'message'),
  kind: 'request',
  response: JoinRes,
} as unknown as RequestType<JoinReq, JoinRes>;
/** One-way: broadcast `sentAt` (ms, the sender's clock) to the room. */
export interface Shout {
  room: string;
  sentAt: number;
}
export const Shout = json<Shout>(302, 'bench.Shout', 'message');
export const Shouted = json<Shout>(303, 'bench.Shouted', 'message');

/** Joins (or makes) the matchmaker room `room`: hosted by the node that made it, members of others are guests. */
export const EnterReq = {
  ...json<JoinReq>(304, 'bench.EnterReq', 'message'),
  kind: 'request',
  response: JoinRes,
} as unknown as RequestType<JoinReq, JoinRes>;
/** One-way, room-scoped (BenchRoom): broadcast `sentAt` to the matchmaker room's members. */
export const RoomShout = json<Shout>(305, 'bench.RoomShout', 'message');

export const benchMessages = [JoinReq, Shout, Shouted, EnterReq, RoomShout];
