import { checkInteger } from '../check-integer';
import { OptionError } from '../errors';

/** How a GameClient with `resume` reconnects after a drop. */
export interface ReconnectOptions {
  /** First delay before a reconnect attempt, in ms (default 100). */
  initialDelayMs?: number;
  /** Cap of the doubling delay, in ms (default 5000). */
  maxDelayMs?: number;
  /** Attempts before the client gives up and reports `lost` (default 10). */
  maxAttempts?: number;
  /** Requests and one-way messages queued while reconnecting (default 1000; more reject with QUEUE_FULL). */
  queueLimit?: number;
  /**
   * More servers to try, in turn, when a reconnect attempt fails (the nodes of a cluster). A node that
   * did not issue the session answers SESSION_GONE: `lost` with a fresh session there, to log in again.
   */
  addresses?: readonly { host: string; port: number }[];
}

/** Exponential backoff with "equal jitter": attempt n waits between half and all of min(cap, first * 2^n). */
export class ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly queueLimit: number;
  readonly addresses: readonly { host: string; port: number }[];

  constructor(
    options: ReconnectOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = checkInteger('resume.initialDelayMs', options.initialDelayMs ?? 100, 0, 600_000);
    this.maxDelayMs = checkInteger('resume.maxDelayMs', options.maxDelayMs ?? 5000, 0, 600_000);
    this.maxAttempts = checkInteger('resume.maxAttempts', options.maxAttempts ?? 10, 1, 1_000_000);
    this.queueLimit = checkInteger('resume.queueLimit', options.queueLimit ?? 1000, 0, 1_000_000);
    this.addresses = (options.addresses ?? []).map(({ host, port }, at) => {
      if (typeof host !== 'string' || host === '')
        throw new OptionError(`resume.addresses[${at}].host must be a non-empty string`);
      return { host, port: checkInteger(`resume.addresses[${at}].port`, port, 1, 65535) };
    });
  }

  /** The wait before attempt `attempt` (0-based), in ms. */
  delay(attempt: number): number {
    const full = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.round(full / 2 + (this.random() * full) / 2);
  }
}
