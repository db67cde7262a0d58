/**
 * One turn's commands for the addon, laid out per docs/boundary.md in one growing buffer: record headers
 * little-endian, wire frames big-endian, every record on a 4-byte boundary. SEND writes the wire header
 * and payload straight into the log; consecutive SENDs to one session share one record. SEND_PAYLOAD
 * writes only the wire header and hands the payload's parts over beside the log (`payloads`), uncopied.
 * SEND_SPAN names whole frames inside a payload handed over beside the log (the event batch), uncopied;
 * consecutive spans to one session that continue each other share one record.
 */
import { align4, COMMAND_HEADER_BYTES, CommandOp, SEND_PAYLOAD_BYTES, SEND_SPAN_BYTES } from './native';
import { type EncodeTarget, type PayloadEncoder, WIRE_HEADER_BYTES } from './transport';
import { checkFrameArgs, partsLength, writeFrameHeader } from './wire';

const INITIAL_BYTES = 64 * 1024;
/**
 * A buffer that grew beyond this is dropped after submit instead of kept. 4 MiB keeps the 2 MiB a 1 MiB
 * frame (the default limit) grows it to, so a stream of big messages does not regrow it per message.
 */
export const KEEP_LOG_BYTES = 4 * 1024 * 1024;

export class CommandLog {
  private bytes = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.bytes.buffer);
  /** Bytes used (always a multiple of 4). */
  length = 0;
  /** The payloads SEND_PAYLOAD records name, by index: handed to submit() with the log. */
  readonly payloads: Uint8Array[] = [];
  /** The last record if it is a SEND: its session, header offset, record length and unpadded end. */
  private lastSendSession = 0;
  private lastSendAt = -1;
  private lastSendLength = 0;
  private lastSendEnd = 0;
  /** The payload SEND_SPAN records name (its index in payloads), and the last such record: a merge candidate. */
  private spanSource: Uint8Array | undefined = undefined;
  private spanSourceIndex = 0;
  private lastSpanAt = -1;
  private lastSpanSession = 0;
  private lastSpanOffset = 0;
  private lastSpanEnd = 0;
  /** Where sendEncoded's encoder writes: this log's buffer from the open frame's payload on. */
  private readonly target: EncodeTarget = { bytes: this.bytes, view: this.view, pos: 0 };

  get buffer(): Uint8Array {
    return this.bytes;
  }

  /** Bytes allocated (kept between submits up to KEEP_LOG_BYTES). */
  get capacity(): number {
    return this.bytes.length;
  }

  send(session: number, msgId: number, seq: number, payload: Uint8Array): void {
    const at = this.frameAt(session, WIRE_HEADER_BYTES + payload.length);
    this.frame(at, msgId, seq, payload);
  }

  /** send() of a payload given as parts, copied back to back. */
  sendJoined(session: number, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    const payloadBytes = partsLength(parts);
    let at = this.frameAt(session, WIRE_HEADER_BYTES + payloadBytes);
    writeFrameHeader(this.view, at, payloadBytes, msgId, seq);
    at += WIRE_HEADER_BYTES;
    for (const part of parts) {
      this.bytes.set(part, at);
      at += part.length;
    }
  }

  /**
   * send() of `message` encoded in place, straight after the frame's wire header in the log (no copy):
   * returns undefined, or the parts the encoder gave instead (the caller sends those; nothing was queued).
   * Throws, having queued nothing, what checkFrameArgs throws for the encoded size or the encoder throws.
   */
  sendEncoded<T>(
    session: number,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
    maxFrameBytes: number,
  ): readonly Uint8Array[] | undefined {
    const headerAt = this.nextFrameAt(session);
    const payloadAt = headerAt + WIRE_HEADER_BYTES;
    this.reserve(payloadAt);
    const target = this.target;
    target.bytes = this.bytes;
    target.view = this.view;
    target.pos = payloadAt;
    const parts = encoder.encodeInto(message, target);
    if (parts !== undefined) return parts;
    const payloadBytes = target.pos - payloadAt;
    checkFrameArgs(msgId, seq, payloadBytes, maxFrameBytes);
    if (target.bytes !== this.bytes) {
      // The encoder outgrew the buffer: its bigger copy holds this log's bytes too.
      this.bytes = target.bytes;
      this.view = target.view;
    }
    if (this.nextFrameAt(session) !== headerAt) throw new Error('the command log changed during an encode');
    this.reserve(target.pos, target.pos);
    this.frameAt(session, WIRE_HEADER_BYTES + payloadBytes);
    writeFrameHeader(this.view, headerAt, payloadBytes, msgId, seq);
    return undefined;
  }

  /** Where the next SEND frame to `session` goes (frameAt's choice, without making it). */
  private nextFrameAt(session: number): number {
    if (this.lastSendAt >= 0 && this.lastSendSession === session) return this.lastSendEnd;
    return this.length + COMMAND_HEADER_BYTES;
  }

  /** Where a SEND frame of frameBytes goes: the end of the last SEND record if it is to `session`, else a new one. */
  private frameAt(session: number, frameBytes: number): number {
    let at: number;
    if (this.lastSendAt >= 0 && this.lastSendSession === session) {
      at = this.lastSendEnd;
      this.reserve(at + frameBytes);
      this.lastSendLength += frameBytes;
      this.view.setUint32(this.lastSendAt + 8, this.lastSendLength, true);
    } else {
      const start = this.length;
      this.reserve(start + COMMAND_HEADER_BYTES + frameBytes);
      this.header(start, CommandOp.SEND, 0, session, frameBytes);
      this.lastSendSession = session;
      this.lastSendAt = start;
      this.lastSendLength = frameBytes;
      at = start + COMMAND_HEADER_BYTES;
    }
    this.lastSendEnd = at + frameBytes;
    this.length = align4(this.lastSendEnd);
    return at;
  }

  /**
   * SEND of one frame whose payload is `parts` back to back (1 .. MAX_SEND_PAYLOAD_PARTS of them), not
   * copied: they must not change until this log is submitted.
   */
  sendPayload(session: number, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    const payloadBytes = partsLength(parts);
    const start = this.length;
    const body = start + COMMAND_HEADER_BYTES;
    this.reserve(body + SEND_PAYLOAD_BYTES);
    this.header(start, CommandOp.SEND_PAYLOAD, 0, session, SEND_PAYLOAD_BYTES);
    this.view.setUint32(body, this.payloads.length, true);
    writeFrameHeader(this.view, body + 4, payloadBytes, msgId, seq);
    this.view.setUint16(body + 4 + WIRE_HEADER_BYTES, parts.length, true);
    for (const part of parts) this.payloads.push(part);
    this.length = align4(body + SEND_PAYLOAD_BYTES);
    this.lastSendAt = -1;
  }

  /**
   * SEND of `source[offset, offset + length)`, which are one or more whole wire frames, not copied: `source`
   * must not change until this log is submitted. Joins the last record when that is a span of the same
   * source to the same session ending at `offset`.
   */
  sendSpan(session: number, source: Uint8Array, offset: number, length: number): void {
    const last = this.lastSpanAt;
    if (
      last >= 0 &&
      last + COMMAND_HEADER_BYTES + SEND_SPAN_BYTES === this.length && // still the last record
      this.lastSpanSession === session &&
      this.lastSpanEnd === offset &&
      this.spanSource === source
    ) {
      this.lastSpanEnd = offset + length;
      this.view.setUint32(last + COMMAND_HEADER_BYTES + 8, this.lastSpanEnd - this.lastSpanOffset, true);
      return;
    }
    if (this.spanSource !== source) {
      this.spanSource = source;
      this.spanSourceIndex = this.payloads.length;
      this.payloads.push(source);
    }
    const start = this.length;
    const body = start + COMMAND_HEADER_BYTES;
    this.reserve(body + SEND_SPAN_BYTES);
    this.header(start, CommandOp.SEND_SPAN, 0, session, SEND_SPAN_BYTES);
    this.view.setUint32(body, this.spanSourceIndex, true);
    this.view.setUint32(body + 4, offset, true);
    this.view.setUint32(body + 8, length, true);
    this.length = body + SEND_SPAN_BYTES;
    this.lastSendAt = -1;
    this.lastSpanAt = start;
    this.lastSpanSession = session;
    this.lastSpanOffset = offset;
    this.lastSpanEnd = offset + length;
  }

  broadcast(sessions: readonly number[], msgId: number, seq: number, payload: Uint8Array): void {
    const count = sessions.length;
    const start = this.length;
    const frameBytes = WIRE_HEADER_BYTES + payload.length;
    const bodyBytes = 4 * count + frameBytes;
    this.reserve(start + COMMAND_HEADER_BYTES + bodyBytes);
    this.header(start, CommandOp.BROADCAST, 0, count, bodyBytes);
    let at = start + COMMAND_HEADER_BYTES;
    for (let i = 0; i < count; i++, at += 4) this.view.setUint32(at, sessions[i], true);
    this.frame(at, msgId, seq, payload);
    this.length = align4(at + frameBytes);
    this.lastSendAt = -1;
  }

  /** CLOSE / ABORT / PAUSE_READ / RESUME_READ. */
  control(op: number, session: number, reason = 0): void {
    const start = this.length;
    this.reserve(start + COMMAND_HEADER_BYTES);
    this.header(start, op, reason, session, 0);
    this.length = start + COMMAND_HEADER_BYTES;
    this.lastSendAt = -1;
  }

  /** HTTP_REPLY: raw bytes, then the session closes with closeCode (0 = server_close). */
  httpReply(session: number, closeCode: number, reply: Uint8Array): void {
    const start = this.length;
    this.reserve(start + COMMAND_HEADER_BYTES + reply.length);
    this.header(start, CommandOp.HTTP_REPLY, closeCode, session, reply.length);
    this.bytes.set(reply, start + COMMAND_HEADER_BYTES);
    this.length = align4(start + COMMAND_HEADER_BYTES + reply.length);
    this.lastSendAt = -1;
  }

  /** Empties the log after it was submitted. */
  clear(): void {
    this.length = 0;
    this.lastSendAt = -1;
    this.lastSpanAt = -1;
    this.spanSource = undefined;
    if (this.payloads.length !== 0) this.payloads.length = 0; // setting it is a runtime call even when 0
    if (this.bytes.length > KEEP_LOG_BYTES) {
      this.bytes = new Uint8Array(INITIAL_BYTES);
      this.view = new DataView(this.bytes.buffer);
    }
  }

  private header(at: number, op: number, reason: number, session: number, length: number): void {
    const v = this.view;
    v.setUint32(at, op | (reason << 8), true); // u8 op, u8 reason, u16 reserved (0)
    v.setUint32(at + 4, session, true);
    v.setUint32(at + 8, length, true);
  }

  private frame(at: number, msgId: number, seq: number, payload: Uint8Array): void {
    writeFrameHeader(this.view, at, payload.length, msgId, seq);
    this.bytes.set(payload, at + WIRE_HEADER_BYTES);
  }

  /** Room for `needed` bytes (padded to 4); a bigger buffer keeps bytes [0, used). */
  private reserve(needed: number, used = this.length): void {
    const padded = align4(needed);
    if (padded <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < padded) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, used));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
