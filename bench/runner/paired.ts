/**
 * Paired comparison of interleaved runs: run i of a row is divided by run i of the baseline, the two
 * measured one after the other, so a drift of a shared machine's load hits both sides of each ratio alike.
 * The median of those ratios (and their spread) separates a few percent where the medians of the rows
 * alone, each as spread as the machine's load, cannot. Used by `npm run bench -- --paired ROW` and by
 * `npm run bench:cost` with several rows.
 */
import { median } from './report';

export interface PairedRatios {
  /** Median of run[i] / baseline[i]. */
  median: number;
  min: number;
  max: number;
  /** Pairs with both runs measured. */
  pairs: number;
}

/** The paired ratios of `runs` against `baseline` (same run order; unpaired or non-finite runs are left out). */
export function pairedRatios(runs: readonly number[], baseline: readonly number[]): PairedRatios {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(runs.length, baseline.length); i++) {
    const ratio = runs[i] / baseline[i];
    if (Number.isFinite(ratio)) ratios.push(ratio);
  }
  if (ratios.length === 0) return { median: NaN, min: NaN, max: NaN, pairs: 0 };
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length };
}
