import { Reader, Writer } from 'protobufjs/minimal';
import { PayloadError, type DeepPartial, type MessageType, type RequestType } from './message-type';

/**
 * The framework's own messages (ids 1..6 of the reserved 0..99), mirroring proto/fastport/framework.proto.
 * Hand-written codecs until codegen's framework/generated/ lands; the shapes are the MessageType contract,
 * so swapping to the generated constants changes only this file.
 */
export const HELLO_MAGIC = 0x46505254; // 'FPRT'
export const PROTOCOL_VERSION = 1;

export interface Hello {
  magic: number;
  protocolVersion: number;
}
export interface Welcome {
  protocolVersion: number;
  sessionId: number;
  /** How often the client should send Ping (ms); the server closes after idleTimeoutMs without frames. */
  heartbeatIntervalMs: number;
}
export interface Ping {
  timestampMs: number;
  nonce: number;
}
export interface Pong {
  timestampMs: number;
  nonce: number;
}
export interface ErrorMessage {
  code: string;
  message: string;
  /** The msgId of the frame that failed (0 if none). */
  messageId: number;
}
export interface Kick {
  reason: string;
}

type FieldKind = 'uint32' | 'uint64' | 'string';

function toNumber(value: number | { toNumber(): number }): number {
  return typeof value === 'number' ? value : value.toNumber();
}

function defineMessage<T extends object>(
  id: number,
  name: string,
  fields: { [K in keyof T]: readonly [fieldNumber: number, kind: FieldKind] },
): MessageType<T> {
  const entries = Object.entries(fields) as [keyof T & string, readonly [number, FieldKind]][];
  const byNumber = new Map(entries.map(([key, [no, kind]]) => [no, { key, kind }]));
  const create = (partial?: DeepPartial<T>): T => {
    const out: Record<string, unknown> = {};
    const source = (partial ?? {}) as Record<string, unknown>;
    for (const [key, [, kind]] of entries) out[key] = source[key] ?? (kind === 'string' ? '' : 0);
    return out as T;
  };
  return {
    id,
    name,
    kind: 'message',
    create,
    encode(message: T): Uint8Array {
      const writer = Writer.create();
      const values = message as Record<string, unknown>;
      for (const [key, [no, kind]] of entries) {
        const value = values[key];
        if (kind === 'string' && typeof value === 'string' && value !== '')
          writer.uint32((no << 3) | 2).string(value);
        if (kind === 'uint32' && typeof value === 'number' && value !== 0)
          writer.uint32(no << 3).uint32(value);
        if (kind === 'uint64' && typeof value === 'number' && value !== 0)
          writer.uint32(no << 3).uint64(value);
      }
      return writer.finish();
    },
    decode(bytes: Uint8Array): T {
      const out = create() as Record<string, unknown>;
      try {
        const reader = Reader.create(bytes);
        while (reader.pos < reader.len) {
          const tag = reader.uint32();
          const field = byNumber.get(tag >>> 3);
          const wireType = tag & 7;
          if (field === undefined) {
            if (wireType === 3 || wireType === 4) throw new Error('group wire type');
            reader.skipType(wireType);
          } else if (field.kind === 'string' && wireType === 2) out[field.key] = reader.string();
          else if (field.kind === 'uint32' && wireType === 0) out[field.key] = reader.uint32();
          else if (field.kind === 'uint64' && wireType === 0)
            out[field.key] = toNumber(reader.uint64() as unknown as number | { toNumber(): number });
          else throw new Error(`field ${field.key} has wire type ${wireType}`);
        }
      } catch (error) {
        throw new PayloadError(name, error instanceof Error ? error.message : String(error));
      }
      return out as T;
    },
  };
}

export const Welcome = defineMessage<Welcome>(2, 'fastport.Welcome', {
  protocolVersion: [1, 'uint32'],
  sessionId: [2, 'uint64'],
  heartbeatIntervalMs: [3, 'uint32'],
});
export const Hello: RequestType<Hello, Welcome> = {
  ...defineMessage<Hello>(1, 'fastport.Hello', { magic: [1, 'uint32'], protocolVersion: [2, 'uint32'] }),
  kind: 'request',
  response: Welcome,
};
export const Pong = defineMessage<Pong>(4, 'fastport.Pong', {
  timestampMs: [1, 'uint64'],
  nonce: [2, 'uint32'],
});
export const Ping: RequestType<Ping, Pong> = {
  ...defineMessage<Ping>(3, 'fastport.Ping', { timestampMs: [1, 'uint64'], nonce: [2, 'uint32'] }),
  kind: 'request',
  response: Pong,
};
export const ErrorMessage = defineMessage<ErrorMessage>(5, 'fastport.Error', {
  code: [1, 'string'],
  message: [2, 'string'],
  messageId: [3, 'uint32'],
});
export const Kick = defineMessage<Kick>(6, 'fastport.Kick', { reason: [1, 'string'] });

/** Ids below this are reserved for the framework. */
export const FIRST_APPLICATION_ID = 100;
