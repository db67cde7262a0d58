/** Token bucket: `perSecond` tokens refill per second up to `burst`; each frame takes one. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** False when the bucket is empty (the frame is over the limit). `now` in ms. */
  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Counts events in a sliding window (for "3 unknown messages in 60 s"). */
export class WindowCounter {
  private readonly times: number[] = [];

  constructor(private readonly windowMs: number) {}

  /** Records one event at `now` and returns how many fall in the window. */
  hit(now: number): number {
    this.times.push(now);
    while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
    return this.times.length;
  }
}
