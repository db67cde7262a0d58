/**
 * Properties of the soak's growth verdict (scripts/soak/trend.ts): steady growth above the stated rates fails
 * whatever its noise, warm-up growth that levels off passes, and the slope is exact on lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { growthProblems, slope, type Sample } from '../../scripts/soak/trend';

/** Samples every 10 s, as `npm run soak -- --seconds 120` takes them. */
function run(count: number, f: (t: number) => { rss: number; heap: number; fds: number }): Sample[] {
  return Array.from({ length: count }, (_, i) => {
    const atS = 10 * (i + 1);
    const { rss, heap, fds } = f(atS);
    return { atS, rssMiB: rss, heapMiB: heap, fds };
  });
}

describe('soak trend verdict', () => {
  it('slope is exact on a line', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (a, b) => {
          const points = Array.from({ length: 6 }, (_, x) => ({ x, y: a * x + b }));
          expect(slope(points)).toBeCloseTo(a, 6);
        },
      ),
    );
  });

  it('fails a steady heap leak of 3 MiB/min or more over a 2-minute run, whatever the noise', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 3, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (perMin, seed) => {
          const noise = (t: number) => (((seed * 7919 + t * 104729) % 200) / 100 - 1) * 0.25; // +-0.25 MiB
          const samples = run(12, (t) => ({ rss: 100, heap: 20 + (perMin / 60) * t + noise(t), fds: 500 }));
          expect(growthProblems(samples, 2000).join()).toContain('heapMiB keeps growing');
        },
      ),
    );
  });

  it('fails fds that keep growing (over 36 per minute at 2000 sessions), passes a plateau after warm-up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 500 }),
        fc.integer({ min: 40, max: 600 }),
        (plateau, leakPerMin) => {
          const flat = run(12, (t) => ({
            rss: 100 + Math.min(t, 40),
            heap: 20,
            fds: Math.min(plateau, t * 20),
          }));
          expect(growthProblems(flat, 2000)).toEqual([]);
          const leaking = run(12, (t) => ({ rss: 100, heap: 20, fds: 500 + (leakPerMin / 60) * t }));
          expect(growthProblems(leaking, 2000).join()).toContain('fds keeps growing');
        },
      ),
    );
  });

  it('asks for a longer run when there are too few samples', () => {
    expect(
      growthProblems(
        run(3, () => ({ rss: 100, heap: 20, fds: 10 })),
        10,
      ),
    ).toEqual(['too few samples to judge a trend (run longer)']);
  });
});
