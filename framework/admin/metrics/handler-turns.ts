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
 * ended (the count stays exact; the buckets are a sample of the turns, taken evenly through them); it costs
 * one counter on the hot path and is moved into that bucket when the next timed turn ends or on a read.
 */
export class HandlerTurns implements TurnRecorder {
  private readonly counted = new Buckets();
  /** Turns timed so far (for tests and for judging the sample). */
  timedTurns = 0;
  private stride = 1;
  /** Turns until the next timed one (1: the next turn is timed). */
  private untilTimed = 1;
  /** Untimed turns not in `counted` yet. */
  private unfolded = 0;
  /** Untimed turns since the last timed one began, less `unfolded` (for the rate of turns). */
  private foldedSinceTimed = 0;
  private lastTimedAt = -1;
  private lastBucket = 0;
  private lastSeconds = 0;

  /** Every turn so far, untimed ones included. */
  get buckets(): Buckets {
    this.fold();
    return this.counted;
  }

  begin(): number {
    if (--this.untilTimed > 0) {
      this.unfolded++;
      return -1;
    }
    const now = performance.now();
    this.resample(now);
    return now;
  }

  ended(started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.fold(); // the untimed turns before this one belong to the previous timed turn's bucket
    this.lastBucket = this.counted.observe(seconds);
    this.lastSeconds = seconds;
    this.timedTurns++;
  }

  /** The next turn is timed (the resample tick). */
  timeNext(): void {
    this.untilTimed = 1;
  }

  /** Counts the untimed turns not counted yet into the last timed turn's bucket. */
  private fold(): void {
    const pending = this.unfolded;
    if (pending === 0) return;
    this.counted.repeat(this.lastBucket, this.lastSeconds, pending);
    this.foldedSinceTimed += pending;
    this.unfolded = 0;
  }

  /** Sets the stride from the rate of turns since the last timed one. */
  private resample(now: number): void {
    if (this.lastTimedAt >= 0) {
      const turns = this.foldedSinceTimed + this.unfolded + 1;
      const msPerTurn = (now - this.lastTimedAt) / turns;
      const stride = msPerTurn > 0 ? Math.floor(TIMED_INTERVAL_MS / msPerTurn) : MAX_STRIDE;
      this.stride = Math.min(MAX_STRIDE, Math.max(1, stride));
    }
    this.lastTimedAt = now;
    this.foldedSinceTimed = -this.unfolded; // those began before this timed turn
    this.untilTimed = this.stride;
  }
}
