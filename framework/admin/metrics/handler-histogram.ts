import type { Registry } from 'prom-client';

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

  observe(seconds: number): void {
    let i = 0;
    while (i < HANDLER_BUCKETS.length && seconds > HANDLER_BUCKETS[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
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

interface PromValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * fastport_handler_duration_seconds{message}: a histogram observed on the hot path without prom-client's
 * per-call label hashing (one bucket search and three additions), registered in a prom-client Registry as
 * a custom metric that prom-client formats like its own histograms.
 */
export class HandlerHistogram {
  readonly name = 'fastport_handler_duration_seconds';
  readonly help = 'Time of a handler turn (call to result or settled promise), per request message type';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byMessage = new Map<string, Buckets>();

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  /** The buckets of one message type (look it up once per handler, then observe on them). */
  forMessage(message: string): Buckets {
    let buckets = this.byMessage.get(message);
    if (buckets === undefined) {
      buckets = new Buckets();
      this.byMessage.set(message, buckets);
    }
    return buckets;
  }

  /** Every message type together (for p50 / p99 of the whole server). */
  total(): Buckets {
    const total = new Buckets();
    for (const buckets of this.byMessage.values()) buckets.addTo(total);
    return total;
  }

  /** Zeroes every count (the Buckets handed out stay valid). */
  reset(): void {
    for (const buckets of this.byMessage.values()) {
      buckets.counts.fill(0);
      buckets.sum = 0;
      buckets.count = 0;
    }
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: PromValue[] } {
    const values: PromValue[] = [];
    for (const [message, buckets] of this.byMessage) {
      let cumulative = 0;
      for (let i = 0; i < buckets.counts.length; i++) {
        cumulative += buckets.counts[i];
        const le = i < HANDLER_BUCKETS.length ? HANDLER_BUCKETS[i] : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, message }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { message }, value: buckets.sum });
      values.push({ metricName: `${this.name}_count`, labels: { message }, value: buckets.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
