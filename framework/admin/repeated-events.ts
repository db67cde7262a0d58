import type { Logger } from 'pino';

type Level = 'warn' | 'error';

/** Whatever carries the logger an event is written to (a Session: its child logger is made only if used). */
export interface LogSource {
  readonly logger: Logger;
}

interface Tally {
  level: Level;
  suppressed: number;
}

/**
 * Logs that a client cannot flood: per event kind, the first event of each interval is written at once, the
 * rest are counted and written as one summary line per kind when the interval ends. Kinds are a fixed set
 * chosen by the server (close reasons, handler names), never client data; past `maxKinds` they share one.
 */
export class RepeatedEventLog {
  private readonly tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    readonly intervalMs = 10_000,
    private readonly maxKinds = 64,
  ) {}

  warn(kind: string, source: LogSource, fields: object, message: string): void {
    this.report('warn', kind, source, fields, message);
  }

  error(kind: string, source: LogSource, fields: object, message: string): void {
    this.report('error', kind, source, fields, message);
  }

  /** Writes the summary lines of the interval so far and starts a new one. */
  flush(): void {
    for (const [kind, tally] of this.tallies) {
      if (tally.suppressed === 0) continue;
      const seconds = this.intervalMs / 1000;
      this.logger[tally.level](
        { event: kind, suppressed: tally.suppressed, intervalMs: this.intervalMs },
        `${kind}: ${tally.suppressed} more in the last ${seconds} s (summarised, not logged one by one)`,
      );
    }
    this.tallies.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private report(level: Level, kind: string, source: LogSource, fields: object, message: string): void {
    const key = this.tallies.has(kind) || this.tallies.size < this.maxKinds ? kind : 'other';
    const tally = this.tallies.get(key);
    if (tally !== undefined) {
      tally.suppressed++;
      return;
    }
    this.tallies.set(key, { level, suppressed: 0 });
    source.logger[level]({ event: kind, ...fields }, message);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }
}
