/** Upper bounds in seconds: 10 us .. 10 s, dense where game handlers live (well under a millisecond). */
export const HANDLER_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

/** Bucket counts (not cumulative; the last one is +Inf), sum and count of one label value. */
export class Buckets {
  readonly counts = new Float64Array(HANDLER_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  /** Counts one observation; returns the index of its bucket. */
  observe(seconds: number): number {
    let i = 0;
    while (i < HANDLER_BUCKETS.length && seconds > HANDLER_BUCKETS[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
    return i;
  }

  /** Counts `times` more observations of `seconds` into bucket `index` (one that observe() returned for it). */
  repeat(index: number, seconds: number, times = 1): void {
    this.counts[index] += times;
    this.sum += seconds * times;
    this.count += times;
  }

  addTo(total: Buckets): void {
    for (let i = 0; i < this.counts.length; i++) total.counts[i] += this.counts[i];
    total.sum += this.sum;
    total.count += this.count;
  }

  /** Bucket counts of this minus an earlier copy of it. */
  since(earlier: Buckets): Buckets {
    const delta = new Buckets();
    for (let i = 0; i < this.counts.length; i++) delta.counts[i] = this.counts[i] - earlier.counts[i];
    delta.sum = this.sum - earlier.sum;
    delta.count = this.count - earlier.count;
    return delta;
  }

  copy(): Buckets {
    return this.since(new Buckets());
  }

  /**
   * The q-quantile (0..1) in seconds, interpolated inside its bucket as Prometheus' histogram_quantile does;
   * undefined without observations; the highest finite bound when it falls in +Inf.
   */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = q * this.count;
    let below = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const inBucket = this.counts[i];
      if (below + inBucket >= rank && inBucket > 0) {
        if (i === HANDLER_BUCKETS.length) return HANDLER_BUCKETS[i - 1];
        const lower = i === 0 ? 0 : HANDLER_BUCKETS[i - 1];
        return lower + (HANDLER_BUCKETS[i] - lower) * ((rank - below) / inBucket);
      }
      below += inBucket;
    }
    return HANDLER_BUCKETS[HANDLER_BUCKETS.length - 1];
  }
}
