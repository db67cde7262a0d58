/** Wire frame header (big-endian): u32 length incl. header, u16 msgId, u32 seq; then the payload. */
import { WIRE_HEADER_BYTES } from './transport';

export const MAX_MSG_ID = 0xffff;
export const MAX_SEQ = 0xffffffff;

/** Throws a precise error for arguments that cannot be framed (before anything is queued). */
export function checkFrameArgs(
  msgId: number,
  seq: number,
  payloadBytes: number,
  maxFrameBytes: number,
): void {
  if (!Number.isInteger(msgId) || msgId < 0 || msgId > MAX_MSG_ID) {
    throw new RangeError(`msgId must be an integer between 0 and ${MAX_MSG_ID}, got ${msgId}`);
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer between 0 and ${MAX_SEQ}, got ${seq}`);
  }
  if (payloadBytes + WIRE_HEADER_BYTES > maxFrameBytes) {
    throw new RangeError(
      `frame of ${payloadBytes + WIRE_HEADER_BYTES} bytes (payload ${payloadBytes}) exceeds maxFrameBytes ${maxFrameBytes}`,
    );
  }
}

/** Writes a frame header at `offset` of `view`. */
export function writeFrameHeader(
  view: DataView,
  offset: number,
  payloadBytes: number,
  msgId: number,
  seq: number,
): void {
  view.setUint32(offset, payloadBytes + WIRE_HEADER_BYTES, false);
  view.setUint16(offset + 4, msgId, false);
  view.setUint32(offset + 6, seq, false);
}

/** One whole wire frame in a fresh Buffer. */
export function encodeFrame(msgId: number, seq: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(WIRE_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt16BE(msgId, 4);
  frame.writeUInt32BE(seq, 6);
  frame.set(payload, WIRE_HEADER_BYTES);
  return frame;
}

/** Bytes of a payload given as parts. */
export function partsLength(parts: readonly Uint8Array[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}

/** A payload given as parts, back to back in one fresh Buffer. */
export function joinParts(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts, partsLength(parts));
}
