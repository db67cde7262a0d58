/**
 * Requests seen twice after a resume. A resuming client re-sends every request it has no answer for, with
 * its old seq; client seqs increase (mod 2^32), so a request whose seq is not above the highest seq the
 * session already received was received before and must not run again.
 */

/** True when `seq` is at or before `highest` in serial-number order (RFC 1982, 32 bits). */
export function seqAtOrBefore(seq: number, highest: number): boolean {
  return (highest - seq) >>> 0 < 0x80000000;
}

/** Whether `seq` is newer than `highest` (the highest-seen tracker moves to it). */
export function seqNewer(seq: number, highest: number): boolean {
  return highest === 0 || !seqAtOrBefore(seq, highest);
}
