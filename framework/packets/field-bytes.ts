/**
 * The memory of a decoded `bytes` field (the generated decoders ask the shared reader for it).
 *
 * - Owned input (the frame's bytes belong to this message alone: a big frame the native engine handed
 *   over, or a waiting frame the server already copied): the field is a view of the input, no copy.
 * - Borrowed input (a view of a receive batch the transport reuses): a copy. Below Node's pooling bound
 *   (4 KiB) `Buffer.allocUnsafe` takes it from Node's own pool; from there up to MAX_SLAB_FIELD_BYTES it is
 *   carved from a slab of SLAB_BYTES shared by such fields (one ArrayBuffer per slab instead of one per
 *   field, whose allocation, external-memory accounting and finalisation cost more than the copy); above,
 *   a Buffer of its own.
 *
 * Retention: a field that is kept keeps what it is carved from alive: at most one slab (64 KiB) for a
 * pooled copy, the whole frame for a view of owned input. Copy a field (`Buffer.from(field)`) to keep a
 * small part of a big message for long.
 */

/** Buffer.allocUnsafe pools allocations below half its pool (Node's rule; the `buffer` package has none). */
const NODE_POOLED_BELOW = Buffer.poolSize >>> 1;
/** One slab's bytes: below glibc's mmap threshold, so a new slab is heap memory (no fresh page faults). */
export const SLAB_BYTES = 64 * 1024;
/** The largest field carved from a slab: a slab holds at least four, so a slab is at most 4x what it holds. */
export const MAX_SLAB_FIELD_BYTES = SLAB_BYTES / 4;

let slab: ArrayBufferLike = new ArrayBuffer(0);
/** Bytes of `slab` handed out (rounded up to 8, so every field starts aligned). */
let slabUsed = 0;

/** A copy of `view` that only the caller references (from the pools above). */
export function pooledCopy(view: Uint8Array): Buffer {
  const length = view.length;
  if (length < NODE_POOLED_BELOW || length > MAX_SLAB_FIELD_BYTES) {
    const copy = Buffer.allocUnsafe(length);
    copy.set(view);
    return copy;
  }
  if (slabUsed + length > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer; // not zero-filled: every byte handed out is written first
    slabUsed = 0;
  }
  const copy = Buffer.from(slab, slabUsed, length);
  slabUsed = (slabUsed + length + 7) & ~7;
  copy.set(view);
  return copy;
}

/** `view` as a Buffer over the same memory (for input the message owns). */
export function bufferView(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.length);
}
