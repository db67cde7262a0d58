/**
 * Splits a TCP byte stream into wire frames. A frame that is whole inside a chunk is delivered as a view
 * into that chunk (no copy); a frame split across chunks is assembled in one buffer allocated only after
 * its length passed the checks. Used by NodeNetTransport (the native engines frame in C++).
 */
import { WIRE_HEADER_BYTES } from './transport';

export type FrameError = 'frame_too_large' | 'frame_invalid';

export interface FrameSink {
  /** `payload` is valid only during the call. Return false to stop reading (paused): the rest is kept. */
  frame(msgId: number, seq: number, payload: Uint8Array): boolean;
  error(reason: FrameError): void;
}

export class FrameReader {
  private readonly header = Buffer.alloc(WIRE_HEADER_BYTES);
  private headerFill = 0;
  private partial: Buffer | null = null;
  private partialFill = 0;
  /** Bytes received while paused (or after a pause mid-chunk), parsed on resume. */
  private stash: Buffer[] = [];
  private failed = false;
  /** Completed frames so far (lets the owner tell one in-progress frame from the next). */
  framesDone = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly sink: FrameSink,
  ) {}

  /** True while a frame has started but not completed (the slowloris clock runs). */
  get inProgress(): boolean {
    return this.headerFill > 0 || this.partial !== null;
  }

  /** True when a partial frame buffer or stashed bytes are held. */
  get holdsBuffer(): boolean {
    return this.partial !== null || this.stash.length > 0;
  }

  get hasStash(): boolean {
    return this.stash.length > 0;
  }

  /** Keeps bytes for later (the owner is paused). */
  keep(chunk: Buffer): void {
    if (chunk.length > 0) this.stash.push(Buffer.from(chunk));
  }

  /** Parses stashed bytes; false when the sink paused again. */
  drainStash(): boolean {
    while (this.stash.length > 0) {
      const chunk = this.stash.shift() as Buffer;
      if (!this.push(chunk)) return false;
    }
    return true;
  }

  /** Parses one chunk. Returns false if the sink paused (the unparsed rest is stashed) or on a frame error. */
  push(chunk: Buffer): boolean {
    let pos = 0;
    const end = chunk.length;
    while (pos < end && !this.failed) {
      if (this.partial !== null) {
        const need = this.partial.length - this.partialFill;
        const take = Math.min(need, end - pos);
        chunk.copy(this.partial, this.partialFill, pos, pos + take);
        this.partialFill += take;
        pos += take;
        if (this.partialFill === this.partial.length) {
          const frame = this.partial;
          this.partial = null;
          if (!this.deliver(frame, 0, frame.length)) return this.stop(chunk, pos);
        }
        continue;
      }
      if (this.headerFill > 0 || end - pos < WIRE_HEADER_BYTES) {
        const take = Math.min(WIRE_HEADER_BYTES - this.headerFill, end - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill >= 4 && !this.checkLength(this.header.readUInt32BE(0))) return false;
        if (this.headerFill === WIRE_HEADER_BYTES) {
          const length = this.header.readUInt32BE(0);
          this.headerFill = 0;
          if (length === WIRE_HEADER_BYTES) {
            if (!this.deliver(this.header, 0, WIRE_HEADER_BYTES)) return this.stop(chunk, pos);
          } else {
            this.partial = Buffer.allocUnsafe(length);
            this.header.copy(this.partial, 0);
            this.partialFill = WIRE_HEADER_BYTES;
          }
        }
        continue;
      }
      const length = chunk.readUInt32BE(pos);
      if (!this.checkLength(length)) return false;
      if (end - pos >= length) {
        const start = pos;
        pos += length;
        if (!this.deliver(chunk, start, length)) return this.stop(chunk, pos);
      } else {
        this.partial = Buffer.allocUnsafe(length);
        chunk.copy(this.partial, 0, pos, end);
        this.partialFill = end - pos;
        pos = end;
      }
    }
    return !this.failed;
  }

  /** Drops everything held (the session is closing). */
  reset(): void {
    this.partial = null;
    this.headerFill = 0;
    this.stash = [];
    this.failed = true;
  }

  private checkLength(length: number): boolean {
    if (length < WIRE_HEADER_BYTES) return this.fail('frame_invalid');
    if (length > this.maxFrameBytes) return this.fail('frame_too_large');
    return true;
  }

  private fail(reason: FrameError): false {
    this.reset();
    this.sink.error(reason);
    return false;
  }

  private deliver(buf: Buffer, start: number, length: number): boolean {
    this.framesDone++;
    const msgId = buf.readUInt16BE(start + 4);
    const seq = buf.readUInt32BE(start + 6);
    return this.sink.frame(msgId, seq, buf.subarray(start + WIRE_HEADER_BYTES, start + length));
  }

  private stop(chunk: Buffer, pos: number): false {
    if (!this.failed && pos < chunk.length) this.stash.unshift(Buffer.from(chunk.subarray(pos)));
    return false;
  }
}
