/**
 * Follows the frame boundaries of a client's WebSocket byte stream (RFC 6455 5.2: header lengths and the
 * FIN bit only; payload is skipped, never read) so that the node engine can put an incomplete frame or
 * message under the frame deadline, as the native engines do (native/src/ws/wire_protocol.h). The `ws`
 * library still parses and checks every frame; it gives no hook for "a frame has started", hence this.
 */

/** Largest client frame header: 2 bytes, 8 bytes of extended length, 4 bytes of mask key. */
const MAX_HEADER_BYTES = 14;

export class WsInputClock {
  private readonly head = Buffer.alloc(MAX_HEADER_BYTES);
  private headHave = 0;
  /** Payload bytes of the current frame still to come (number: ws refuses anything near 2^53). */
  private remaining = 0;
  private inFrame = false;
  /** A data frame without FIN was seen and its message's final frame has not ended. */
  private messageOpen = false;
  /** How many times input went from complete to incomplete (lets the owner tell one wait from the next). */
  starts = 0;

  /** True while a frame header or payload is incomplete, or a fragmented message is open. */
  get pending(): boolean {
    return this.headHave > 0 || this.inFrame || this.messageOpen;
  }

  /** Follows one received chunk. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.inFrame) {
        const take = Math.min(this.remaining, chunk.length - at);
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.inFrame = false;
        continue;
      }
      if (!this.pending) this.starts++;
      const want = this.headHave < 2 ? 2 : headerBytes(this.head[1]);
      const take = Math.min(want - this.headHave, chunk.length - at);
      this.head.set(chunk.subarray(at, at + take), this.headHave);
      this.headHave += take;
      at += take;
      if (this.headHave >= 2 && this.headHave === headerBytes(this.head[1])) this.startFrame();
    }
  }

  /** The header in `head` is complete. */
  private startFrame(): void {
    const fin = (this.head[0] & 0x80) !== 0;
    const isControl = (this.head[0] & 0x08) !== 0;
    if (!isControl) this.messageOpen = !fin;
    const len7 = this.head[1] & 0x7f;
    if (len7 === 126) this.remaining = this.head.readUInt16BE(2);
    else if (len7 === 127) this.remaining = Number(this.head.readBigUInt64BE(2));
    else this.remaining = len7;
    this.headHave = 0;
    this.inFrame = this.remaining > 0;
  }
}

/** A client header's length from its second byte: 2, the extended length, the 4-byte mask key (if set). */
function headerBytes(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}
