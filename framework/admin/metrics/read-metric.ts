import type { Registry } from 'prom-client';

export interface ReadValue {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A metric family whose values are read from their owner at scrape time (transport counters, session and
 * room counts): nothing is counted twice and nothing runs between scrapes. prom-client formats it.
 */
export class ReadMetric {
  readonly aggregator = 'sum';

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly read: () => ReadValue[],
  ) {
    registry.registerMetric(this as never);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: ReadValue[] } {
    const values = this.read().map((v) => ({ labels: v.labels ?? {}, value: v.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing to reset: the owner keeps the values. */
  reset(): void {}
}
