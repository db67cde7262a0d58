/**
 * FastPort wire frames (docs/architecture.md): u32 BE length incl. the 10-byte header, u16 BE msgId, u32 BE
 * seq. Splits a byte stream into frames (encodeFrame in framework/transport/wire.ts builds one).
 */
export const HEADER_BYTES = 10;
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameLengthError extends Error {
  constructor(length: number) {
    super(`frame length ${length} is outside ${HEADER_BYTES}..${MAX_FRAME_BYTES}`);
    this.name = 'FrameLengthError';
  }
}

export class FrameSplitter {
  /** Chunks of an incomplete frame, joined once the whole frame (or at least a header) is there. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needed = 0;

  /** Calls onFrame with each complete frame (a view, valid during the call); keeps an incomplete tail. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return;
      data = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const length = data.readUInt32BE(offset);
      if (length < HEADER_BYTES || length > MAX_FRAME_BYTES) throw new FrameLengthError(length);
      if (data.length - offset < length) break;
      onFrame(data.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < data.length) {
      const tail = Buffer.from(data.subarray(offset)); // copy: the chunk itself is not kept alive
      this.pending = [tail];
      this.pendingBytes = tail.length;
      this.needed = tail.length >= HEADER_BYTES ? tail.readUInt32BE(0) : HEADER_BYTES;
    }
  }
}
