/** Splits a TCP byte stream into DESIGN.md wire frames (u32 BE length incl. the 10-byte header). */
export const HEADER_BYTES = 10;
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameLengthError extends Error {
  constructor(length: number) {
    super(`frame length ${length} is outside ${HEADER_BYTES}..${MAX_FRAME_BYTES}`);
    this.name = 'FrameLengthError';
  }
}

export class FrameSplitter {
  private pending: Buffer | undefined;

  /** Calls onFrame with each complete frame (a view into the chunk); keeps an incomplete tail. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const length = data.readUInt32BE(offset);
      if (length < HEADER_BYTES || length > MAX_FRAME_BYTES) throw new FrameLengthError(length);
      if (data.length - offset < length) break;
      onFrame(data.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < data.length) {
      data = data.subarray(offset);
      this.pending = Buffer.from(data); // copy: the chunk itself is not kept alive
    }
  }
}
