import type { Hello, Welcome } from '../protocol/framework-messages';

/** What a resuming client reports (GameClient.onReconnect). */
export type ReconnectEvent =
  | { type: 'reconnecting'; attempt: number; delayMs: number; reason: string }
  /** The session is back; `replayed` frames it had missed were delivered first. */
  | { type: 'resumed'; replayed: number }
  /**
   * The session is gone: `reason` is the server's code (RESUME_EXPIRED, RESUME_UNKNOWN, RESUME_OVERFLOW,
   * RESUME_ENDED), a Kick reason, or GAVE_UP. `fresh`: the client is connected to a new, anonymous session.
   */
  | { type: 'lost'; reason: string; fresh: boolean };

/** Ack after this long with unacknowledged frames, in ms (the count and byte thresholds come from Welcome). */
export const ACK_DELAY_MS = 100;

/**
 * The client half of session resume: the token, the count of server frames received since the Welcome
 * (the server numbers them the same way), and when to acknowledge them.
 */
export class ClientResume {
  private token: Buffer | undefined;
  /** Server frames received on this session since its first Welcome. */
  received = 0;
  private acked = 0;
  private bytesSinceAck = 0;
  private ackFrames = 1;
  private ackBytes = 1;
  /** True between a Welcome and the connection's close: frames are counted. */
  counting = false;

  /** Whether a dropped connection can be resumed (a token was issued). */
  get resumable(): boolean {
    return this.token !== undefined;
  }

  /** The resume fields of the next Hello. */
  helloFields(): Pick<Hello, 'resumable' | 'resumeToken' | 'lastReceived'> {
    return {
      resumable: true,
      resumeToken: this.token ?? Buffer.alloc(0),
      lastReceived: this.token === undefined ? 0 : this.received,
    };
  }

  /** A Welcome arrived (before any later frame is counted). Returns how many frames the server replays. */
  welcomed(welcome: Welcome): number {
    this.token = welcome.resumeToken.length > 0 ? Buffer.from(welcome.resumeToken) : undefined;
    const replayed = welcome.resumed ? Number(welcome.lastSent) - this.received : 0;
    if (!welcome.resumed) this.received = 0;
    this.acked = this.received;
    this.bytesSinceAck = 0;
    this.ackFrames = Math.max(1, welcome.ackFrames);
    this.ackBytes = Math.max(1, welcome.ackBytes);
    this.counting = this.token !== undefined;
    return replayed;
  }

  /** Counts one received frame; true when an Ack is due now. */
  frameReceived(payloadBytes: number): boolean {
    this.received++;
    this.bytesSinceAck += payloadBytes + 10;
    return this.received - this.acked >= this.ackFrames || this.bytesSinceAck >= this.ackBytes;
  }

  /** An Ack for everything received so far, or undefined when there is nothing new. */
  takeAck(): number | undefined {
    if (this.received === this.acked) return undefined;
    this.acked = this.received;
    this.bytesSinceAck = 0;
    return this.received;
  }

  /** Forget the session (lost, or ended on purpose). */
  forget(): void {
    this.token = undefined;
    this.received = 0;
    this.acked = 0;
    this.counting = false;
  }
}
