/**
 * The memory of a decoded `bytes` field (the generated decoders ask the shared reader for it).
 *
 * - Owned input (the frame's bytes belong to this message alone: a big frame the native engine handed
 *   over, or a waiting frame the server already copied): the field is a view of the input, no copy.
 * - Borrowed input (a view of a receive batch the transport reuses): a copy. Up to MAX_COPIED_INPUT_BYTES
 *   the decode copies its whole input once, on its first bytes field (copyInput), and every field is a
 *   Buffer over that copy: one Buffer object per field and one memcpy per message, where a copy per field
 *   cost a view of the input and a Buffer for the copy. A bigger input copies each field by itself
 *   (pooledCopy; also the server's copy of a frame that waits in a mailbox).
 * - Copies are carved from slabs (one ArrayBuffer per slab instead of one per copy: a fresh ArrayBuffer,
 *   its external-memory accounting and its finalisation cost more than the copy): below SMALL_COPY_BYTES
 *   from slabs of SMALL_SLAB_BYTES, up to MAX_SLAB_FIELD_BYTES from slabs of SLAB_BYTES; above, a Buffer
 *   of its own. A slab holds at least 16 small copies or 4 others (a new slab per 8 copies of 1 KiB, as
 *   Node's pool would take, was a third of the echo's JavaScript path at 1 KiB).
 *
 * Retention: a field that is kept keeps what it is carved from alive: one slab for a copy (8 KiB below
 * 512 B of input, else 64 KiB), the whole frame for a view of owned input. Copy a field
 * (`Buffer.from(field)`) to keep a small part of a message for long.
 */
/** Copies below this take the small slabs. */
export const SMALL_COPY_BYTES = 512;
/** A small slab's bytes (Node's own pool size): a kept small copy pins no more than Node's pool would. */
export const SMALL_SLAB_BYTES = 8 * 1024;
/** One slab's bytes: below glibc's mmap threshold, so a new slab is heap memory (no fresh page faults). */
export const SLAB_BYTES = 64 * 1024;
/** The largest field carved from a slab: a slab holds at least four, so a slab is at most 4x what it holds. */
export const MAX_SLAB_FIELD_BYTES = SLAB_BYTES / 4;

/** The largest borrowed input a decode copies whole (see above). */
export const MAX_COPIED_INPUT_BYTES = MAX_SLAB_FIELD_BYTES;

/** Uint8Array.prototype.set as a known function: `bytes.set(...)` compiles to a generic property load per copy. */
const copyInto = Uint8Array.prototype.set;

/** Memory carved into copies, 8-byte aligned; a full one is left to the copies that keep it alive. */
class Slab {
  /** The slab's bytes and their ArrayBuffer (kept: a typed array's `.buffer` is a call into V8's C++). */
  bytes = new Uint8Array(0);
  memory: ArrayBufferLike = this.bytes.buffer;
  /** Bytes handed out (a multiple of 8, so every copy starts aligned). */
  private used = 0;

  constructor(private readonly slabBytes: number) {}

  /** Copies `view` in (it must fit in an empty slab); returns its offset in `memory` (maybe a new slab). */
  put(view: Uint8Array): number {
    const length = view.length;
    if (this.used + length > this.bytes.length) {
      // Not zero-filled: every byte handed out is written first.
      this.memory = Buffer.allocUnsafeSlow(this.slabBytes).buffer;
      this.bytes = new Uint8Array(this.memory);
      this.used = 0;
    }
    const at = this.used;
    copyInto.call(this.bytes, view, at);
    this.used = (at + length + 7) & ~7;
    return at;
  }
}

/** Copies from SMALL_COPY_BYTES to MAX_SLAB_FIELD_BYTES. */
const slab = new Slab(SLAB_BYTES);
/** Copies below SMALL_COPY_BYTES. */
const smallSlab = new Slab(SMALL_SLAB_BYTES);

/**
 * Buffer's species constructor (Node's FastBuffer): what TypedArray methods such as subarray build a Buffer
 * with, called with (ArrayBuffer, byteOffset, length) as ECMAScript's TypedArraySpeciesCreate does. It
 * costs what a plain Uint8Array view costs; Buffer.from(arrayBuffer, ...) and Buffer.allocUnsafe cost about
 * twice that on a small field (argument checks and a native type test). Buffer.from where it is missing.
 */
type BufferViewConstructor = new (memory: ArrayBufferLike, offset: number, length: number) => Buffer;
const SpeciesBuffer = (Buffer as unknown as { [Symbol.species]?: unknown })[Symbol.species];
const speciesWorks =
  typeof SpeciesBuffer === 'function' &&
  Buffer.isBuffer(new (SpeciesBuffer as BufferViewConstructor)(new ArrayBuffer(8), 4, 2));
const newBufferView: (memory: ArrayBufferLike, offset: number, length: number) => Buffer = speciesWorks
  ? (memory, offset, length) => new (SpeciesBuffer as BufferViewConstructor)(memory, offset, length)
  : (memory, offset, length) => Buffer.from(memory, offset, length);

/** A copy of `view` that only the caller references (from the pools above). */
export function pooledCopy(view: Uint8Array): Buffer {
  const length = view.length;
  if (length > MAX_SLAB_FIELD_BYTES) {
    const copy = Buffer.allocUnsafeSlow(length);
    copy.set(view);
    return copy;
  }
  const pool = length < SMALL_COPY_BYTES ? smallSlab : slab;
  const at = pool.put(view);
  return newBufferView(pool.memory, at, length);
}

/** Where a decode's bytes fields are carved from: `input[i]` is byte `offset + i` of `memory`. */
export interface FieldMemory {
  memory: ArrayBufferLike | undefined;
  offset: number;
}

/** Points `into` at a copy of `input` (at most MAX_COPIED_INPUT_BYTES) in a slab. */
export function copyInput(input: Uint8Array, into: FieldMemory): void {
  const pool = input.length < SMALL_COPY_BYTES ? smallSlab : slab;
  into.offset = pool.put(input);
  into.memory = pool.memory;
}

/** Points `into` at `input` itself (owned input: fields are views of it). */
export function viewInput(input: Uint8Array, into: FieldMemory): void {
  into.memory = input.buffer;
  into.offset = input.byteOffset;
}

/** `length` bytes at `offset` of `memory` as a Buffer over the same memory. */
export function bufferOver(memory: ArrayBufferLike, offset: number, length: number): Buffer {
  return newBufferView(memory, offset, length);
}
