import { z } from 'zod';
import { assertSameShape, integer, nonEmptyString, options, tcpPort, type SameShape } from '../options/rules';

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

/** GameClient's `resume: { ... }` (composed into the client options schema). */
export const reconnectOptionsSchema = options({
  initialDelayMs: integer(0, 600_000).optional(),
  maxDelayMs: integer(0, 600_000).optional(),
  maxAttempts: integer(1, 1_000_000).optional(),
  queueLimit: integer(0, 1_000_000).optional(),
  addresses: z
    .array(options({ host: nonEmptyString(), port: tcpPort(1) }))
    .readonly()
    .optional(),
});

assertSameShape<SameShape<z.input<typeof reconnectOptionsSchema>, ReconnectOptions>>();

/** Exponential backoff with "equal jitter": attempt n waits between half and all of min(cap, first * 2^n). */
export class ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly queueLimit: number;
  readonly addresses: readonly { host: string; port: number }[];

  /** options: already validated by the client's schema. */
  constructor(
    options: ReconnectOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = options.initialDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.queueLimit = options.queueLimit ?? 1000;
    this.addresses = options.addresses ?? [];
  }

  /** The wait before attempt `attempt` (0-based), in ms. */
  delay(attempt: number): number {
    const full = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.round(full / 2 + (this.random() * full) / 2);
  }
}
