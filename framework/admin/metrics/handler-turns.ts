import type { TurnRecorder } from '../../server/observer';
import { Buckets } from './buckets';

/** Timed turns of one message type are at least this far apart on average (ms): <= 10,000 a second. */
export const TIMED_INTERVAL_MS = 0.1;
/** At most one turn in this many goes untimed in a row (between two resample ticks). */
export const MAX_STRIDE = 4096;
/** Every recorder times its next turn this often (ms), so its stride follows a drop in rate. */
export const RESAMPLE_MS = 100;

/**
 * The turns of one message type in fastport_handler_duration_seconds. Every turn is counted; the clock is
 * read (twice per timed turn, the costliest step of a turn's bookkeeping) for one turn in `stride`, chosen
 * so that timed turns are about TIMED_INTERVAL_MS apart: every turn while the handler runs slower than
 * 10,000 a second, one in N above. An untimed turn is counted in the bucket of the last timed turn that
 * ended (the count stays exact; the buckets are a sample of the turns, taken evenly through them).
 */
export class HandlerTurns implements TurnRecorder {
  readonly buckets = new Buckets();
  /** Turns timed so far (for tests and for judging the sample). */
  timedTurns = 0;
  private stride = 1;
  /** Turns until the next timed one (1: the next turn is timed). */
  private untilTimed = 1;
  private turnsSinceTimed = 0;
  private lastTimedAt = -1;
  private lastBucket = 0;
  private lastSeconds = 0;

  begin(): number {
    if (--this.untilTimed > 0) {
      this.buckets.repeat(this.lastBucket, this.lastSeconds);
      this.turnsSinceTimed++;
      return -1;
    }
    const now = performance.now();
    this.resample(now);
    return now;
  }

  ended(started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.lastBucket = this.buckets.observe(seconds);
    this.lastSeconds = seconds;
    this.timedTurns++;
  }

  /** The next turn is timed (the resample tick). */
  timeNext(): void {
    this.untilTimed = 1;
  }

  /** Sets the stride from the rate of turns since the last timed one. */
  private resample(now: number): void {
    if (this.lastTimedAt >= 0) {
      const msPerTurn = (now - this.lastTimedAt) / (this.turnsSinceTimed + 1);
      const stride = msPerTurn > 0 ? Math.floor(TIMED_INTERVAL_MS / msPerTurn) : MAX_STRIDE;
      this.stride = Math.min(MAX_STRIDE, Math.max(1, stride));
    }
    this.lastTimedAt = now;
    this.turnsSinceTimed = 0;
    this.untilTimed = this.stride;
  }
}
