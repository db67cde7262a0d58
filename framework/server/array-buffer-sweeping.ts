import { setFlagsFromString } from 'node:v8';

/**
 * Makes V8 sweep young ArrayBuffers inside the scavenge that found them dead, not in a background task
 * (V8's `--no-concurrent-array-buffer-sweeping`, which V8 reads at every sweep). GameServer.start calls
 * this unless `sweepArrayBuffersInPause: false` (docs/operations.md, "Cost").
 *
 * Why: a server copies what it keeps of a message into fresh ArrayBuffer memory (the decoded bytes fields,
 * framework/packets/field-bytes.ts: about the message's size per message), which V8 counts as external
 * memory. V8 subtracts what a scavenge freed only once those buffers are swept. Swept by a background task
 * that shares the server's CPU (a pinned process, a busy machine) the subtraction lags behind the
 * allocations, the count passes V8's external-memory limit, and V8 answers with full mark-compacts one
 * after another that find almost nothing to free (bench/README.md, "Where the seed scenario's cost is").
 * Swept in the pause, a scavenge takes about 0.4 ms longer per ~500 buffers of 64 KiB. Process-wide, like
 * any V8 flag: every isolate of the process sweeps this way from then on.
 */
export function sweepArrayBuffersInPause(): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}
