import { Mailbox, type MailboxOptions } from '../actors/mailbox';
import type { ResumeState } from '../resume/resume-state';
import type { SessionLimits } from './options';
import { RateLimiter, WindowCounter } from './rate-limiter';
import type { Session } from './session';

/** One received frame in a session's mailbox (payload copied out of the transport's batch when it waits). */
export interface InboundFrame {
  msgId: number;
  seq: number;
  payload: Uint8Array;
  /** The payload belongs to this frame alone (its decoded bytes fields may be views of it). */
  owned: boolean;
}

/** What the server does for a connection's mailbox, and its limits: one object shared by every connection. */
export interface ConnectionHooks {
  readonly limits: SessionLimits;
  process(connection: Connection, frame: InboundFrame): void | Promise<void>;
  onError(connection: Connection, error: unknown, frame: InboundFrame): void;
  onFull(connection: Connection): void;
  onDrained(connection: Connection): void;
}

/**
 * What only some connections need, made on first use: the unknown-message window, the closed promise, the
 * time its mailbox became full.
 */
class ConnectionExtras {
  overflowSince: number | undefined = undefined;
  unknownWindow: WindowCounter | undefined = undefined;
  closedPromise: Promise<void> | undefined = undefined;
  resolveClosed: (() => void) | undefined = undefined;
}

/**
 * Server-side state of one connection: the session handlers see, its mailbox and its policy counters.
 * It is its mailbox's options object itself (no closures per connection); what only some connections need
 * is made on first use: the mailbox when the first frame after the Hello reaches it (an idle session has
 * none), the rest in ConnectionExtras. An idle connection is these ten fields (104 B).
 */
export class Connection implements MailboxOptions<InboundFrame> {
  phase: 'handshake' | 'open' | 'closing' = 'handshake';
  // openedAt, lastFrameAt, overflowSince and the rate limiter run on the session clock (session-clock.ts).
  readonly openedAt: number;
  lastFrameAt: number;
  readonly rate: RateLimiter | undefined;
  /** Set for a resumable session (its Hello asked for it): see framework/resume/. */
  resume: ResumeState | undefined;
  private box: Mailbox<InboundFrame> | undefined = undefined;
  private extras: ConnectionExtras | undefined = undefined;
  private isClosed = false;

  constructor(
    readonly session: Session<unknown, object>,
    now: number,
    private readonly hooks: ConnectionHooks,
  ) {
    this.openedAt = now;
    this.lastFrameAt = now;
    const rateLimit = hooks.limits.rateLimit;
    this.rate = rateLimit ? new RateLimiter(rateLimit.perSecond, rateLimit.burst, now) : undefined;
  }

  /** The frames' mailbox, made on first use. */
  get mailbox(): Mailbox<InboundFrame> {
    return (this.box ??= new Mailbox<InboundFrame>(this));
  }

  /** Frames waiting in the mailbox (without making it). */
  get queued(): number {
    return this.box === undefined ? 0 : this.box.size;
  }

  /** A frame is being handled or waits (without making the mailbox). */
  get busy(): boolean {
    return this.box !== undefined && this.box.busy;
  }

  /** Resolves once no frame is being handled or waits. */
  idle(): Promise<void> {
    return this.box === undefined ? Promise.resolve() : this.box.idle();
  }

  /** Drops the frames that wait (not the one being handled). */
  dropQueued(): void {
    this.box?.clear();
  }

  /** When the mailbox became full (reading paused); undefined while it is not. */
  get overflowSince(): number | undefined {
    return this.extras?.overflowSince;
  }

  set overflowSince(at: number | undefined) {
    if (at === undefined && this.extras === undefined) return;
    (this.extras ??= new ConnectionExtras()).overflowSince = at;
  }

  /** Mailbox option: messages queued at which it reports full (read from the limits, not kept per connection). */
  get capacity(): number {
    return this.hooks.limits.mailboxCapacity;
  }

  /** Unknown message ids seen in the last `unknownMessageWindowMs`. */
  get unknownMessages(): WindowCounter {
    const extras = (this.extras ??= new ConnectionExtras());
    return (extras.unknownWindow ??= new WindowCounter(this.hooks.limits.unknownMessageWindowMs));
  }

  /** Resolves when the transport reported the close. */
  get closed(): Promise<void> {
    const extras = (this.extras ??= new ConnectionExtras());
    if (extras.closedPromise === undefined) {
      extras.closedPromise = this.isClosed
        ? Promise.resolve()
        : new Promise((resolve) => (extras.resolveClosed = resolve));
    }
    return extras.closedPromise;
  }

  /** Internal: the transport reported the close. */
  markClosed(): void {
    this.phase = 'closing';
    this.isClosed = true;
    this.extras?.resolveClosed?.();
  }

  // ---- MailboxOptions (called by the mailbox only) ----

  process(frame: InboundFrame): void | Promise<void> {
    return this.hooks.process(this, frame);
  }

  onError(error: unknown, frame: InboundFrame): void {
    this.hooks.onError(this, error, frame);
  }

  onFull(): void {
    this.hooks.onFull(this);
  }

  onDrained(): void {
    this.hooks.onDrained(this);
  }
}
