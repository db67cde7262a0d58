import type { CloseReason } from '../transport/close-reason';
import type { AdminTarget } from './admin-target';
import type { Buckets } from './metrics/buckets';
import type { ServerMetrics } from './metrics/server-metrics';

/** One second of the server, as the dashboard and `fastport top` chart it. */
export interface Sample {
  /** End of the second, ms since the epoch. */
  t: number;
  sessions: number;
  rooms: number;
  msgsInPerSec: number;
  msgsOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  handledPerSec: number;
  /** Handler time percentiles over this second, in ms; null without any handler call. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Sessions closed in this second, by reason (reasons with none left out). */
  closes: Partial<Record<CloseReason, number>>;
}

interface Totals {
  t: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  handler: Buckets;
  closes: Record<CloseReason, number>;
}

/** The last `capacity` seconds (default 5 minutes), one Sample per tick of a 1 s timer. */
export class History {
  private readonly samples: Sample[] = [];
  private previous: Totals | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: AdminTarget,
    private readonly metrics: ServerMetrics,
    readonly capacity = 300,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.previous = this.totals();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples oldest first, optionally only those after `since` (ms since the epoch). */
  list(since = 0): Sample[] {
    return this.samples.filter((sample) => sample.t > since);
  }

  latest(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Takes one sample now (the timer calls it every second). */
  tick(): void {
    const now = this.totals();
    const before = this.previous ?? now;
    this.previous = now;
    const seconds = Math.max(0.001, (now.t - before.t) / 1000);
    const rate = (a: number, b: number): number => Math.round((a - b) / seconds);
    const handled = now.handler.since(before.handler);
    const closes: Sample['closes'] = {};
    for (const reason of Object.keys(now.closes) as CloseReason[]) {
      const count = now.closes[reason] - before.closes[reason];
      if (count > 0) closes[reason] = count;
    }
    const ms = (q: number): number | null => {
      const value = handled.quantile(q);
      return value === undefined ? null : Math.round(value * 1e6) / 1e3;
    };
    let sessions = 0;
    for (const _ of this.target.connections()) sessions++;
    this.samples.push({
      t: now.t,
      sessions,
      rooms: [...this.target.rooms()].length,
      msgsInPerSec: rate(now.framesIn, before.framesIn),
      msgsOutPerSec: rate(now.framesOut, before.framesOut),
      bytesInPerSec: rate(now.bytesIn, before.bytesIn),
      bytesOutPerSec: rate(now.bytesOut, before.bytesOut),
      handledPerSec: rate(handled.count, 0),
      p50Ms: ms(0.5),
      p99Ms: ms(0.99),
      closes,
    });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  private totals(): Totals {
    const stats = this.target.transport.stats();
    const number = (key: string): number => Number(stats[key] ?? 0);
    return {
      t: Date.now(),
      framesIn: number('framesIn'),
      framesOut: number('framesOut'),
      bytesIn: number('bytesIn'),
      bytesOut: number('bytesOut'),
      handler: this.metrics.handlerTimes.total(),
      closes: { ...this.metrics.closes },
    };
  }
}
