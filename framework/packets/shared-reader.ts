/**
 * One BinaryReader reused by every decode. Building a reader per message (its fields and above all its
 * DataView) was the largest single cost of decoding a small request, and most messages never read the
 * DataView (only fixed32/64, float and double fields do): the shared reader makes it on first use.
 * Decoding is synchronous and runs no user code, so two top-level decodes never overlap; nested messages
 * share the reader as ts-proto's decoders do.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import {
  bufferOver,
  copyInput,
  type FieldMemory,
  MAX_COPIED_INPUT_BYTES,
  pooledCopy,
  viewInput,
} from './field-bytes';

/** The reader's own fields, set here instead of by a new reader (checked once at start-up). */
interface ReaderInternals {
  buf: Uint8Array;
  len: number;
  pos: number;
}

const EMPTY = new Uint8Array(0);

/** BinaryReader whose `view` is made on first read: the base constructor's assignment lands in the setter. */
class LazyViewReader extends BinaryReader implements FieldMemory {
  lazyView: DataView | undefined = undefined;
  /** The bytes being read belong to the message alone (see field-bytes.ts). */
  owned = false;
  /** This decode's field memory, found on its first bytes field: the input, or a copy of it. */
  memory: ArrayBufferLike | undefined = undefined;
  offset = 0;

  /**
   * The next bytes field as memory the message may keep: a view when the input is owned, else a Buffer over
   * the decode's copy of its input (or a copy of the field alone for a big input). The generated decoders
   * call it when the reader has it (codegen/descriptor/copy-bytes.ts). Reads like bytes(), without its view.
   */
  ownBytes(): Buffer {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError('premature EOF');
    this.pos = end;
    if (this.memory === undefined) {
      const input = (this as unknown as ReaderInternals).buf;
      if (this.owned) viewInput(input, this);
      else if (input.length <= MAX_COPIED_INPUT_BYTES) copyInput(input, this);
      else return pooledCopy(input.subarray(start, end));
    }
    return bufferOver(this.memory!, this.offset + start, length);
  }
}
Object.defineProperty(LazyViewReader.prototype, 'view', {
  get(this: LazyViewReader): DataView {
    const { buf } = this as unknown as ReaderInternals;
    return (this.lazyView ??= new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  },
  set(this: LazyViewReader, view: DataView) {
    this.lazyView = view;
  },
});

const reader = new LazyViewReader(EMPTY);
const internals = reader as unknown as ReaderInternals;
/**
 * False if this @bufbuild/protobuf lays its reader out otherwise (the fields below not its own, or `view`
 * not the inherited accessor): then every decode gets a new plain reader.
 */
const reusable =
  ['buf', 'len', 'pos'].every((field) => Object.prototype.hasOwnProperty.call(reader, field)) &&
  !Object.prototype.hasOwnProperty.call(reader, 'view');

/**
 * A reader over `bytes` from their start: the shared one, valid until releaseReader(). `owned`: the bytes
 * belong to the message alone, so its bytes fields may be views of them.
 */
export function readerFor(bytes: Uint8Array, owned = false): BinaryReader {
  if (!reusable) return new BinaryReader(bytes);
  internals.buf = bytes;
  internals.len = bytes.length;
  internals.pos = 0;
  reader.lazyView = undefined;
  reader.owned = owned;
  reader.memory = undefined;
  return reader;
}

/** Field 1, varint 1: any decoder reading it through the shared reader moves the reader past both bytes. */
const PROBE = Uint8Array.of(0x08, 0x01);

/**
 * True when `decode` reads the shared reader as a reader. A game's generated code may load its own copy of
 * @bufbuild/protobuf: its `instanceof BinaryReader` then fails on this one and it would wrap the reader as
 * if it were bytes, so such a codec is given bytes instead. Checked once per codec: did it read the probe?
 */
export function readsSharedReader(decode: (input: BinaryReader) => unknown): boolean {
  if (!reusable) return false;
  try {
    decode(readerFor(PROBE));
  } catch {
    // a foreign reader class fails on ours; the position below tells
  }
  const read = internals.pos === PROBE.length;
  releaseReader();
  return read;
}

/** Drops the shared reader's reference to the last bytes (a big payload must not stay pinned). */
export function releaseReader(): void {
  if (!reusable) return;
  internals.buf = EMPTY;
  internals.len = 0;
  internals.pos = 0;
  reader.lazyView = undefined;
  reader.owned = false;
  reader.memory = undefined; // a kept field keeps its memory alive; the reader does not
}
