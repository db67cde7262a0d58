/**
 * The shared encode writer, able to leave big `bytes` fields out of its buffer: while `gathering`, a
 * top-level bytes field of at least GATHER_FIELD_BYTES gets only its tag and length written, and is
 * recorded with the buffer position it belongs at. The encoded message is then the buffer's bytes with the
 * recorded fields spliced in (`partsOf`): a transport sends those parts back to back, so a big field (an
 * echo's inbound bytes, a blob) is never copied into the writer.
 *
 * Only top-level fields (no fork open) are left out: a nested message's length is computed from buffer
 * positions at its join(), which a left-out field would shorten. A top-level splice position never moves:
 * a later join() only shifts bytes after its own fork position, which is at or after every earlier splice.
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';

/** Bytes fields at least this big are referenced, not copied, by a gathering encode. */
export const GATHER_FIELD_BYTES = 32 * 1024;

/** BinaryWriter's private capacity check, which `copied` calls (checked once: else BinaryWriter.bytes()). */
const canEnsureCapacity =
  typeof (BinaryWriter.prototype as unknown as { ensureCapacity?: unknown }).ensureCapacity === 'function';

/**
 * Uint8Array.prototype.set, called as a known function: `buffer.set(...)` compiles to a generic property
 * load (a LoadIC call) per copy in the optimized encode, a known function's call() to a direct call.
 */
const copyInto = Uint8Array.prototype.set;

/** BinaryWriter's own fields (private in its typings; checked at run time by the callers). */
export interface WriterInternals {
  buffer?: unknown;
  pos?: unknown;
  stackPos?: unknown;
  /** The DataView over `buffer` that view() hands out while its byteLength matches the buffer's. */
  viewCache?: unknown;
}

/** What `copied` uses of BinaryWriter's internals (a buffer and position, as the callers check). */
interface CopyInternals {
  buffer: Uint8Array;
  pos: number;
  ensureCapacity(size: number): void;
}

export class GatheringWriter extends BinaryWriter {
  /** True during a gathering encode: big top-level bytes fields are recorded instead of copied. */
  gathering = false;
  /** The recorded fields and the buffer position each belongs at (ascending). */
  private readonly splicedAt: number[] = [];
  private readonly spliced: Uint8Array[] = [];

  override bytes(value: Uint8Array): this {
    const length = value.length;
    if (!this.gathering || length < GATHER_FIELD_BYTES || !this.atTopLevel())
      return canEnsureCapacity ? this.copied(value, length) : super.bytes(value);
    this.uint32(length);
    this.splicedAt.push((this as unknown as WriterInternals).pos as number);
    this.spliced.push(value);
    return this;
  }

  /**
   * BinaryWriter.bytes() written out here: its `byteLength` and `buffer.set` loads are shared with every
   * other use of BinaryWriter and compiled as generic property loads (three LoadIC calls per small bytes
   * field in the echo's encode); these sites see only this writer's buffers and fields.
   */
  private copied(value: Uint8Array, length: number): this {
    this.uint32(length);
    const internals = this as unknown as CopyInternals;
    internals.ensureCapacity(length);
    copyInto.call(internals.buffer, value, internals.pos);
    internals.pos += length;
    return this;
  }

  /** Fields were left out by the encode just done (partsOf() is due). */
  get splicing(): boolean {
    return this.spliced.length > 0;
  }

  /**
   * The encoded message as parts: buffer bytes [start, end) with the recorded fields spliced in; then
   * forgets them. The buffer's parts are views of it unless `copied` (then copies of their own).
   */
  partsOf(buffer: Uint8Array, end: number, start = 0, copied = false): Uint8Array[] {
    const parts: Uint8Array[] = [];
    const piece = copied ? buffer.slice.bind(buffer) : buffer.subarray.bind(buffer);
    let from = start;
    for (let i = 0; i < this.spliced.length; i++) {
      const at = this.splicedAt[i];
      if (at > from) parts.push(piece(from, at));
      parts.push(this.spliced[i]);
      from = at;
    }
    if (end > from) parts.push(piece(from, end));
    this.forget();
    return parts;
  }

  /** Drops the recorded fields (after partsOf, or an encode that threw). */
  forget(): void {
    if (this.spliced.length === 0) return; // setting length is a runtime call even when it is 0
    this.splicedAt.length = 0;
    this.spliced.length = 0;
  }

  private atTopLevel(): boolean {
    const stack = (this as unknown as WriterInternals).stackPos;
    return Array.isArray(stack) && stack.length === 0;
  }
}
