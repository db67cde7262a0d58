import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Frees the memory of owned frames (detached payloads, docs/boundary.md) with young-generation collections
 * (V8's scavenge), as V8 does for the ArrayBuffers it allocates itself.
 *
 * Why: an owned frame is an external ArrayBuffer over a native block, freed when V8 finds it dead. V8
 * counts that memory as external, and past 64 MB more than at the last full collection it starts a full
 * mark-compact (about 16 per 1000 frames of 1 MiB). For the ArrayBuffers V8 allocates itself it first runs
 * a scavenge once 32 MB of them are young (Heap::AllocateExternalBackingStore), which frees the short-lived
 * ones cheaply; memory handed to it from outside skips that step, and a server that allocates few small
 * objects per big frame runs no scavenge on its own at all. So this runs one per SCAVENGE_AFTER_BYTES
 * of owned frames delivered, before the next batch is handled (the frames handled so far are dead by then
 * unless kept).
 *
 * Safe by construction: a collection frees only what nothing references (a kept frame survives, and is
 * promoted to the old generation after a second one). Where no scavenge can be had (see obtainScavenge),
 * nothing changes: V8's external-memory rule alone frees the frames, as before.
 */

/**
 * Owned-frame bytes delivered between two scavenges. A quarter of V8's own trigger: measured on the echo
 * server (100 connections x 4 in flight, 256 KiB and 1 MiB frames), one per 32 MB still left V8 a full
 * mark-compact per one or two scavenges (4-10 per 1000 frames of 256 KiB), one per 8 or 16 MB none (one
 * per 16 MB still some at 1 MiB).
 */
export const SCAVENGE_AFTER_BYTES = 8 * 1024 * 1024;

type GcFunction = (options?: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * A synchronous scavenge, or undefined where none can be had. V8's gc extension offers it: as the global
 * `gc` when node runs with --expose-gc, otherwise from a context created while the flag is set (set back
 * at once: contexts made later get no `gc`; V8 flags are process-wide, so a worker thread's context made
 * in that instant could).
 */
export function obtainScavenge(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  let gc = typeof exposed === 'function' ? (exposed as GcFunction) : undefined;
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const created: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
      if (typeof created === 'function') gc = created as GcFunction;
    } catch {
      // no gc extension in this runtime: leave the frames to V8's own rules
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  const collect = gc;
  return collect === undefined ? undefined : () => collect({ type: 'minor', execution: 'sync' });
}

/** Counts owned-frame bytes delivered and scavenges once per `afterBytes`. */
export class OwnedFrameCollector {
  private pending = 0;
  private collections = 0;

  /** `scavenge`: obtainScavenge()'s (undefined: count nothing, collect nothing). */
  constructor(
    private readonly scavenge: (() => void) | undefined,
    private readonly afterBytes = SCAVENGE_AFTER_BYTES,
  ) {}

  /** A batch brings these owned frames: first scavenges when the frames delivered before are due. */
  delivered(frames: readonly ArrayBuffer[]): void {
    if (this.scavenge === undefined) return;
    if (this.pending >= this.afterBytes) {
      this.pending = 0;
      this.collections++;
      this.scavenge();
    }
    for (const frame of frames) this.pending += frame.byteLength;
  }

  /** Scavenges run so far. */
  get scavenges(): number {
    return this.collections;
  }
}
