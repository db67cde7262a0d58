import {
  PayloadError,
  type DeepPartial,
  type MessageType,
  type RequestType,
} from '../../framework/protocol/message-type';
import type { MessageRules } from './wire-schema';
import { validateMessage } from './wire-validator';

/** What ts-proto generates for each message (`export const LoginReq: MessageFns<LoginReq>`). */
export interface ProtoCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  fromPartial(object: never): T;
}

/**
 * Decodes untrusted bytes: structural validation first (depth limit, no stray groups, bounds), then
 * ts-proto's decoder; anything that goes wrong becomes a PayloadError, never another exception.
 */
export function safeDecode<T>(name: string, codec: ProtoCodec<T>, rules: MessageRules, bytes: Uint8Array): T {
  try {
    validateMessage(bytes, rules);
    return codec.decode(bytes);
  } catch (err) {
    if (err instanceof PayloadError) throw err;
    throw new PayloadError(name, err instanceof Error ? err.message : String(err));
  }
}

function base<T>(id: number, name: string, codec: ProtoCodec<T>, rules: MessageRules) {
  return {
    id,
    name,
    encode: (message: T): Uint8Array => codec.encode(message).finish(),
    decode: (bytes: Uint8Array): T => safeDecode(name, codec, rules, bytes),
    create: (partial?: DeepPartial<T>): T => codec.fromPartial((partial ?? {}) as never),
  };
}

/** A one-way message or a response. */
export function definePacket<T>(
  id: number,
  name: string,
  kind: 'response' | 'message',
  codec: ProtoCodec<T>,
  rules: MessageRules,
): MessageType<T> {
  return Object.freeze({ ...base(id, name, codec, rules), kind });
}

/** A request paired with its response type. */
export function defineRequest<Req, Res>(
  id: number,
  name: string,
  codec: ProtoCodec<Req>,
  rules: MessageRules,
  response: MessageType<Res>,
): RequestType<Req, Res> {
  return Object.freeze({ ...base(id, name, codec, rules), kind: 'request' as const, response });
}

/** Builds the id -> packet map; ids are unique (codegen checked). */
export function buildRegistry(packets: readonly MessageType[]): ReadonlyMap<number, MessageType> {
  return new Map(packets.map((p) => [p.id, p]));
}
