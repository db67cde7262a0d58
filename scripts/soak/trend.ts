/** Growth checks for the soak: a least-squares slope per half of the run, and the verdict on them. */

export interface Sample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
}

/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two points. */
export function slope(points: { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Unbounded growth: the second half still grows at more than half the first half's rate AND by more than
 * `floor` over its span (warm-up growth that levels off passes; a steady leak fails). Returns the reasons.
 */
export function growthProblems(samples: Sample[], sessions: number): string[] {
  const half = Math.floor(samples.length / 2);
  const first = samples.slice(0, half);
  const second = samples.slice(half);
  if (first.length < 2 || second.length < 2) return ['too few samples to judge a trend (run longer)'];
  const span = second[second.length - 1].atS - second[0].atS;
  const problems: string[] = [];
  const checks: { name: keyof Sample; floor: number; unit: string }[] = [
    { name: 'rssMiB', floor: 16, unit: 'MiB' }, // RSS rarely shrinks and moves by MiBs: a coarse check
    { name: 'heapMiB', floor: 2, unit: 'MiB' }, // heap used right after a full GC: precise
    { name: 'fds', floor: 10 + sessions * 0.01, unit: 'fds' },
  ];
  for (const { name, floor, unit } of checks) {
    const s1 = slope(first.map((s) => ({ x: s.atS, y: s[name] })));
    const s2 = slope(second.map((s) => ({ x: s.atS, y: s[name] })));
    if (s2 > 0.5 * Math.max(s1, 0) && s2 * span > floor)
      problems.push(
        `${name} keeps growing: ${(s2 * 60).toFixed(2)} ${unit}/min in the second half vs ` +
          `${(s1 * 60).toFixed(2)} ${unit}/min in the first`,
      );
  }
  return problems;
}
