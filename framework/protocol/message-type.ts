import type { EncodeTarget, PayloadEncoder } from '../transport/transport';

/**
 * The runtime shape of a generated packet constant (codegen writes one per packet message).
 * `T` is the decoded message type; requests also carry their paired response type.
 */
export interface MessageType<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly kind: 'request' | 'response' | 'message';
  encode(message: T): Uint8Array;
  /**
   * Encodes into a buffer shared by every encode: the bytes stay valid only until the next encode (which
   * may hand back the same view object). For callers that copy them at once (Transport.send / broadcast
   * do); optional for hand-written types.
   */
  encodeTransient?(message: T): Uint8Array;
  /**
   * encodeTransient, except that big top-level bytes fields are not copied: either one transient view, or
   * the message as parts to send back to back (the writer's bytes, transient, and the fields' own memory).
   * For callers that hand the result to a transport at once (sendEncoded); optional for hand-written types.
   */
  encodeGathered?(message: T): Uint8Array | Uint8Array[];
  /** PayloadEncoder.encodeInto (Transport.sendEncoded writes the message in place); optional for hand-written types. */
  encodeInto?(message: T, target: EncodeTarget): readonly Uint8Array[] | undefined;
  /**
   * Throws PayloadError on bytes that are not a valid encoding of T. `owned`: the bytes belong to the
   * decoded message alone (nothing reuses or writes them later), so its bytes fields may be views of them
   * instead of copies (a hand-written type may ignore it).
   */
  decode(bytes: Uint8Array, owned?: boolean): T;
  /** Builds a full message from a partial object (missing fields take their defaults). */
  create(partial?: DeepPartial<T>): T;
}

/** Bytes to hand straight to a transport, which copies them: the shared-buffer encode where there is one. */
export function encodeForSend<T>(type: MessageType<T>, message: T): Uint8Array {
  return type.encodeTransient ? type.encodeTransient(message) : type.encode(message);
}

/** encodeForSend, or the message as parts where the type can leave big bytes fields uncopied (encodeGathered). */
export function encodeForSendGathered<T>(type: MessageType<T>, message: T): Uint8Array | Uint8Array[] {
  return type.encodeGathered ? type.encodeGathered(message) : encodeForSend(type, message);
}

/**
 * The type as a PayloadEncoder for Transport.sendEncoded: its encodeInto where it has one (else its
 * encoding as parts), its encodeForSendGathered. Made once per type (callers keep it).
 */
export function payloadEncoderOf<T>(type: MessageType<T>): PayloadEncoder<T> {
  const encodeForSend = (message: T): Uint8Array | Uint8Array[] => encodeForSendGathered(type, message);
  const encodeInto = type.encodeInto
    ? type.encodeInto.bind(type)
    : (message: T): readonly Uint8Array[] => {
        const encoded = encodeForSend(message);
        return encoded instanceof Uint8Array ? [encoded] : encoded;
      };
  return Object.freeze({ encodeInto, encodeForSend });
}

export interface RequestType<Req = unknown, Res = unknown> extends MessageType<Req> {
  readonly kind: 'request';
  readonly response: MessageType<Res>;
}

export type MessageOf<M> = M extends MessageType<infer T> ? T : never;
export type ResponseOf<M> = M extends RequestType<unknown, infer R> ? R : never;

type Builtin =
  Date | Uint8Array | ((...args: never[]) => unknown) | string | number | boolean | bigint | undefined;
export type DeepPartial<T> = T extends Builtin
  ? T
  : T extends readonly (infer U)[]
    ? DeepPartial<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : Partial<T>;

/** A payload that could not be decoded (truncated, malformed, too deep, unexpected group...). */
export class PayloadError extends Error {
  readonly code = 'BAD_PAYLOAD';
  constructor(
    readonly messageName: string,
    reason: string,
  ) {
    super(`cannot decode ${messageName}: ${reason}`);
    this.name = 'PayloadError';
  }
}
