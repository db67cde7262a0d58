/** One outbound frame kept for replay; a broadcast shares one among all its targets. */
export interface ReplayFrame {
  readonly msgId: number;
  readonly seq: number;
  /** A private copy (the sender's bytes may be a transient view). */
  readonly payload: Uint8Array;
}

/** Counted bytes of a kept frame: its payload plus the 10-byte wire header. */
export function replayFrameBytes(frame: ReplayFrame): number {
  return frame.payload.length + 10;
}

export function copyFrame(msgId: number, seq: number, payload: Uint8Array): ReplayFrame {
  return { msgId, seq, payload: payload.slice() };
}

/**
 * A session's outbound frames numbered 1, 2, ... from its Welcome, kept until the client acknowledges them.
 * Bounded by frames and bytes: past a bound the oldest frames are dropped, and a client that had not received
 * them can no longer resume (`canReplayAfter` says so).
 */
export class ReplayBuffer {
  private frames: ReplayFrame[] = [];
  private head = 0;
  private keptBytes = 0;
  /** Number of the newest frame (0 before the first). */
  private newest = 0;
  /** Every frame up to this number was acknowledged or dropped by a bound. */
  private released = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}

  /** Number of the newest frame numbered so far. */
  get lastNumber(): number {
    return this.newest;
  }

  get size(): number {
    return this.frames.length - this.head;
  }

  get bytes(): number {
    return this.keptBytes;
  }

  /** Frames up to this number are no longer kept (acknowledged, or dropped by a bound). */
  get releasedThrough(): number {
    return this.released;
  }

  /** Numbers and keeps one frame; returns its number. */
  append(frame: ReplayFrame): number {
    this.frames.push(frame);
    this.keptBytes += replayFrameBytes(frame);
    this.newest++;
    while (this.size > this.maxFrames || (this.keptBytes > this.maxBytes && this.size > 0)) this.dropOldest();
    return this.newest;
  }

  /** The client received every frame up to `received`: forget them. Numbers outside the kept range are ignored. */
  acknowledge(received: number): void {
    if (received > this.newest) return;
    while (this.released < received && this.size > 0) this.dropOldest();
  }

  /**
   * Whether a client that received up to `received` can be brought up to date from what is kept: 'ok',
   * 'overflow' (frames it misses were dropped by a bound) or 'ahead' (it claims frames never sent).
   */
  replayCheck(received: number): 'ok' | 'overflow' | 'ahead' {
    if (received > this.newest) return 'ahead';
    return received >= this.released ? 'ok' : 'overflow';
  }

  /** The kept frames numbered above `received`, oldest first (`replayCheck(received)` must be 'ok'). */
  framesAfter(received: number): ReplayFrame[] {
    return this.frames.slice(this.head + (received - this.released));
  }

  /** The kept frame with this number, if still kept. */
  frame(number: number): ReplayFrame | undefined {
    if (number <= this.released || number > this.newest) return undefined;
    return this.frames[this.head + (number - this.released - 1)];
  }

  /** The number of the newest kept frame answering request `seq` (seq != 0), if any. */
  findResponse(seq: number): number | undefined {
    for (let i = this.frames.length - 1; i >= this.head; i--)
      if (this.frames[i]!.seq === seq) return this.released + (i - this.head) + 1;
    return undefined;
  }

  private dropOldest(): void {
    const frame = this.frames[this.head]!;
    this.frames[this.head] = undefined as unknown as ReplayFrame;
    this.head++;
    this.released++;
    this.keptBytes -= replayFrameBytes(frame);
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }
}
