import { Mailbox } from '../actors/mailbox';
import type { SessionLimits } from './options';
import { RateLimiter, WindowCounter } from './rate-limiter';
import type { Session } from './session';

/** One received frame in a session's mailbox (payload copied out of the transport's batch when it waits). */
export interface InboundFrame {
  msgId: number;
  seq: number;
  payload: Uint8Array;
}

/** Server-side state of one connection: the session handlers see, its mailbox and its policy counters. */
export class Connection {
  phase: 'handshake' | 'open' | 'closing' = 'handshake';
  readonly openedAt: number;
  lastFrameAt: number;
  /** When the mailbox became full (reading paused); undefined while it is not. */
  overflowSince: number | undefined;
  readonly mailbox: Mailbox<InboundFrame>;
  readonly rate: RateLimiter | undefined;
  readonly unknownMessages: WindowCounter;
  /** Resolves when the transport reported the close. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    readonly session: Session<unknown, object>,
    limits: SessionLimits,
    now: number,
    hooks: {
      process(connection: Connection, frame: InboundFrame): void | Promise<void>;
      onError(connection: Connection, error: unknown, frame: InboundFrame): void;
      onFull(connection: Connection): void;
      onDrained(connection: Connection): void;
    },
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.openedAt = now;
    this.lastFrameAt = now;
    this.rate = limits.rateLimit
      ? new RateLimiter(limits.rateLimit.perSecond, limits.rateLimit.burst, now)
      : undefined;
    this.unknownMessages = new WindowCounter(limits.unknownMessageWindowMs);
    this.mailbox = new Mailbox<InboundFrame>({
      capacity: limits.mailboxCapacity,
      process: (frame) => hooks.process(this, frame),
      onError: (error, frame) => hooks.onError(this, error, frame),
      onFull: () => hooks.onFull(this),
      onDrained: () => hooks.onDrained(this),
    });
  }

  /** Internal: the transport reported the close. */
  markClosed(): void {
    this.phase = 'closing';
    this.resolveClosed();
  }
}
