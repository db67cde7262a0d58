/**
 * The runtime shape of a generated packet constant (codegen writes one per packet message).
 * `T` is the decoded message type; requests also carry their paired response type.
 */
export interface MessageType<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly kind: 'request' | 'response' | 'message';
  encode(message: T): Uint8Array;
  /** Throws PayloadError on bytes that are not a valid encoding of T. */
  decode(bytes: Uint8Array): T;
  /** Builds a full message from a partial object (missing fields take their defaults). */
  create(partial?: DeepPartial<T>): T;
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
