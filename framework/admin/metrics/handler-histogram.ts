import type { Registry } from 'prom-client';
import { Buckets, HANDLER_BUCKETS } from './buckets';
import { HandlerTurns, RESAMPLE_MS } from './handler-turns';

interface PromValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * fastport_handler_duration_seconds{message}: a histogram observed on the hot path without prom-client's
 * per-call label hashing (each message type's HandlerTurns holds its buckets), registered in a prom-client
 * Registry as a custom metric that prom-client formats like its own histograms.
 */
export class HandlerHistogram {
  readonly name = 'fastport_handler_duration_seconds';
  readonly help = 'Time of a handler turn (call to result or settled promise), per request message type';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byMessage = new Map<string, HandlerTurns>();
  private timer: NodeJS.Timeout | undefined;

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  /** The turn recorder of one message type (asked once per handler, when the server builds its table). */
  forMessage(message: string): HandlerTurns {
    let turns = this.byMessage.get(message);
    if (turns === undefined) {
      turns = new HandlerTurns();
      this.byMessage.set(message, turns);
    }
    return turns;
  }

  /** Every message type together (for p50 / p99 of the whole server). */
  total(): Buckets {
    const total = new Buckets();
    for (const turns of this.byMessage.values()) turns.buckets.addTo(total);
    return total;
  }

  /** Has every recorder time its next turn each `intervalMs`, so a drop in rate is seen within one tick. */
  start(intervalMs = RESAMPLE_MS): void {
    this.stop();
    this.timer = setInterval(() => {
      for (const turns of this.byMessage.values()) turns.timeNext();
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Zeroes every count (the recorders handed out stay valid). */
  reset(): void {
    for (const { buckets } of this.byMessage.values()) {
      buckets.counts.fill(0);
      buckets.sum = 0;
      buckets.count = 0;
    }
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: PromValue[] } {
    const values: PromValue[] = [];
    for (const [message, { buckets }] of this.byMessage) {
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
