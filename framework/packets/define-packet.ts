import { PayloadError, type DeepPartial, type MessageType, type RequestType } from '../protocol/message-type';
import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { EncodeTarget } from '../transport/transport';
import { GatheringWriter, type WriterInternals } from './gathering-writer';
import { readerFor, readsSharedReader, releaseReader } from './shared-reader';
import type { MessageRules } from './wire-schema';
import { validateMessage } from './wire-validator';

/**
 * What ts-proto generates for each message (`export const LoginReq: MessageFns<LoginReq>`); its decode
 * takes a BinaryReader as well as bytes (safeDecode hands it the shared reader).
 */
export interface ProtoCodec<T> {
  encode(message: T, writer?: BinaryWriter): { finish(): Uint8Array };
  decode(input: BinaryReader | Uint8Array): T;
  fromPartial(object: never): T;
}

/**
 * Decodes untrusted bytes: structural validation first (depth limit, no stray groups, bounds), then
 * ts-proto's decoder (through the shared reader when `sharedReader`: see readsSharedReader); anything
 * that goes wrong becomes a PayloadError, never another exception. `owned`: see MessageType.decode.
 */
export function safeDecode<T>(
  name: string,
  codec: ProtoCodec<T>,
  rules: MessageRules,
  bytes: Uint8Array,
  sharedReader = false,
  owned = false,
): T {
  try {
    validateMessage(bytes, rules);
    return codec.decode(sharedReader ? readerFor(bytes, owned) : bytes);
  } catch (err) {
    if (err instanceof PayloadError) throw err;
    throw new PayloadError(name, err instanceof Error ? err.message : String(err));
  } finally {
    releaseReader();
  }
}

/**
 * A writer whose buffer grew beyond this is replaced after an encode (a huge message must not pin memory).
 * 4 MiB keeps the 2 MiB a 1 MiB message (the default frame limit) grows it to: big messages in a row do
 * not regrow it each time.
 */
export const KEEP_WRITER_BYTES = 4 * 1024 * 1024;
/** One writer reused by every encode (encoding is synchronous), so a message costs no writer or buffer growth. */
let sharedWriter = new GatheringWriter();

/** Bytes the shared writer holds allocated (0 when its internals are not the expected ones). */
export function sharedWriterCapacity(): number {
  const buffer = (sharedWriter as unknown as WriterInternals).buffer;
  return buffer instanceof Uint8Array ? buffer.length : 0;
}

function replaceOversizedWriter(): void {
  if (sharedWriterCapacity() > KEEP_WRITER_BYTES) sharedWriter = new GatheringWriter();
}

/** Encodes with the shared writer; a throw mid-message leaves it dirty, so it is replaced then. */
export function encodeShared<T>(codec: ProtoCodec<T>, message: T): Uint8Array {
  try {
    const bytes = codec.encode(message, sharedWriter).finish();
    replaceOversizedWriter();
    return bytes;
  } catch (err) {
    sharedWriter = new GatheringWriter();
    throw err;
  }
}

/** Transient encodes up to this many bytes reuse one view per length (a view costs more than a small encode). */
const MAX_KEPT_VIEW_BYTES = 1024;
/** The shared writer's buffer that `keptViews` view; they are dropped when the writer's buffer changes. */
let viewedBuffer: unknown = undefined;
/** keptViews[n]: bytes [0, n) of `viewedBuffer` (at most MAX_KEPT_VIEW_BYTES + 1 views of ~100 B). */
let keptViews: (Uint8Array | undefined)[] = [];

/** Bytes [0, length) of the writer's buffer: a kept view for a small length, else a new one. */
function transientView(buffer: Uint8Array, length: number): Uint8Array {
  if (length > MAX_KEPT_VIEW_BYTES) return buffer.subarray(0, length);
  if (viewedBuffer !== buffer) {
    viewedBuffer = buffer;
    keptViews = new Array<Uint8Array | undefined>(MAX_KEPT_VIEW_BYTES + 1);
  }
  return (keptViews[length] ??= buffer.subarray(0, length));
}

/**
 * Encodes with the shared writer and returns a view of its buffer: valid until the next encode (which may
 * return the same view object, with other bytes in it).
 */
export function encodeTransientShared<T>(codec: ProtoCodec<T>, message: T): Uint8Array {
  const writer = sharedWriter;
  try {
    codec.encode(message, writer);
  } catch (err) {
    sharedWriter = new GatheringWriter();
    throw err;
  }
  return takeTransientView(writer);
}

/** The bytes the writer holds as a transient view (finish()'s copy where its internals are not the expected ones). */
function takeTransientView(writer: BinaryWriter): Uint8Array {
  const internals = writer as unknown as WriterInternals;
  if (!(internals.buffer instanceof Uint8Array) || typeof internals.pos !== 'number') return writer.finish();
  const view = transientView(internals.buffer, internals.pos);
  internals.pos = 0; // forks and joins are balanced after a whole message: nothing else to reset
  // The view stays valid after a replacement: it keeps the old buffer alive, the next encode uses a new one.
  replaceOversizedWriter();
  return view;
}

/**
 * encodeTransientShared, except that big top-level bytes fields are not copied (gathering-writer.ts): the
 * transient view when none was left out, else the message as parts (valid until the next encode; the
 * fields are the message's own memory).
 */
export function encodeGatheredShared<T>(codec: ProtoCodec<T>, message: T): Uint8Array | Uint8Array[] {
  const writer = sharedWriter;
  const internals = writer as unknown as WriterInternals;
  if (
    !Array.isArray(internals.stackPos) ||
    typeof internals.pos !== 'number' ||
    !(internals.buffer instanceof Uint8Array)
  )
    return encodeTransientShared(codec, message);
  writer.gathering = true;
  try {
    codec.encode(message, writer);
  } catch (err) {
    writer.forget();
    sharedWriter = new GatheringWriter();
    throw err;
  } finally {
    writer.gathering = false;
  }
  if (!writer.splicing) return takeTransientView(writer);
  const parts = writer.partsOf(internals.buffer as Uint8Array, internals.pos as number);
  internals.pos = 0;
  replaceOversizedWriter();
  return parts;
}

/** What encodeGatheredShared returned, as parts (one for a single view). */
function asParts(encoded: Uint8Array | Uint8Array[]): Uint8Array[] {
  return encoded instanceof Uint8Array ? [encoded] : encoded;
}

/**
 * Encodes into `target` in place (PayloadEncoder.encodeInto): the shared writer writes into the target's
 * buffer from its position, growing it into a bigger copy if needed, and is given its own buffer back.
 * When a big top-level bytes field was left out (gathering-writer.ts), the message is returned as parts
 * instead (the target's bytes copied out of it, the fields uncopied); also when the writer's internals
 * are not the expected ones (then encodeGatheredShared's parts).
 */
export function encodeIntoShared<T>(
  codec: ProtoCodec<T>,
  message: T,
  target: EncodeTarget,
): Uint8Array[] | undefined {
  const writer = sharedWriter;
  const internals = writer as unknown as WriterInternals;
  const ownBuffer = internals.buffer;
  const ownView = internals.viewCache;
  if (
    !(ownBuffer instanceof Uint8Array) ||
    !(ownView instanceof DataView) ||
    internals.pos !== 0 ||
    !Array.isArray(internals.stackPos)
  )
    return asParts(encodeGatheredShared(codec, message));
  const start = target.pos;
  internals.buffer = target.bytes;
  internals.viewCache = target.view;
  internals.pos = start;
  writer.gathering = true;
  try {
    codec.encode(message, writer);
  } catch (err) {
    writer.forget();
    sharedWriter = new GatheringWriter(); // this one may be mid-message, pointing into the target
    throw err;
  } finally {
    writer.gathering = false;
  }
  const bytes = internals.buffer as Uint8Array<ArrayBuffer>;
  const end = internals.pos as number;
  internals.buffer = ownBuffer;
  internals.viewCache = ownView;
  internals.pos = 0;
  if (writer.splicing) return writer.partsOf(bytes, end, start, true);
  if (bytes !== target.bytes) {
    target.bytes = bytes;
    target.view = new DataView(bytes.buffer);
  }
  target.pos = end;
  return undefined;
}

function base<T>(id: number, name: string, codec: ProtoCodec<T>, rules: MessageRules) {
  const sharedReader = readsSharedReader((input) => codec.decode(input));
  return {
    id,
    name,
    encode: (message: T): Uint8Array => encodeShared(codec, message),
    encodeTransient: (message: T): Uint8Array => encodeTransientShared(codec, message),
    encodeGathered: (message: T): Uint8Array | Uint8Array[] => encodeGatheredShared(codec, message),
    encodeInto: (message: T, target: EncodeTarget): Uint8Array[] | undefined =>
      encodeIntoShared(codec, message, target),
    decode: (bytes: Uint8Array, owned = false): T =>
      safeDecode(name, codec, rules, bytes, sharedReader, owned),
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
