/**
 * Counts a node process's collections from its `--trace-gc` lines (one per collection, on stdout, e.g.
 * `[pid:0x..]  2191 ms: Scavenge 13.2 (28.5) -> 10.8 (28.5) MB, 0.71 / 0.00 ms  (...) external memory
 * pressure;`): young (Scavenge, Minor Mark-Sweep) and full (Mark-Compact, Mark-Sweep) collections and the
 * main thread's pause in milliseconds (the first figure after "MB,"), wall time: on a loaded machine it
 * includes time the process waited for a CPU. Concurrent marking and sweeping on V8's helper threads are
 * not in the pause; they are in the process's CPU time.
 */

export interface GcCounts {
  young: number;
  full: number;
  pauseMs: number;
}

const GC_LINE = /\d+ ms: (Scavenge|Minor Mark-Sweep|Mark-Compact|Mark-Sweep)\b.*? MB, ([\d.]+) \/ [\d.]+ ms/;
const YOUNG = new Set(['Scavenge', 'Minor Mark-Sweep']);

export class GcTrace {
  private partial = '';
  private counting = false;
  private counts: GcCounts = { young: 0, full: 0, pauseMs: 0 };

  /** Collections from now on are counted (the earlier ones are forgotten). */
  start(): void {
    this.counts = { young: 0, full: 0, pauseMs: 0 };
    this.counting = true;
  }

  /** The collections counted since start(); later ones are not. */
  stop(): GcCounts {
    this.counting = false;
    return { ...this.counts };
  }

  /** A chunk of the process's stdout (lines may be split across chunks). */
  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    if (!this.counting) return;
    for (const line of lines) {
      const match = GC_LINE.exec(line);
      if (match === null) continue;
      if (YOUNG.has(match[1])) this.counts.young++;
      else this.counts.full++;
      this.counts.pauseMs += Number(match[2]);
    }
  }
}
