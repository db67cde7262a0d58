/**
 * Follows the frame boundaries of a client's WebSocket byte stream (RFC 6455 5.2: header lengths and the
 * FIN bit only; payload is skipped, never read) so that the node engine can put an incomplete frame or
 * message under the frame deadline, as the native engines do (native/src/ws/wire_protocol.h). The `ws`
 * library still parses and checks every frame; it gives no hook for "a frame has started", hence this.
 * Holds a few numbers per session, no buffer.
 */
export class WsInputClock {
  private b0 = 0;
  /** Header bytes seen of the current frame, and how many it has (2 until its second byte is known). */
  private headHave = 0;
  private headBytes = 2;
  /** Bytes of extended length (0, 2 or 8). */
  private extBytes = 0;
  /** The 7-bit length, or the extended length as its bytes arrive. */
  private length = 0;
  /** Payload bytes of the current frame still to come (a number: ws refuses anything near 2^53). */
  private remaining = 0;
  /** A data frame without FIN was seen and its message's final frame has not ended. */
  private messageOpen = false;
  /** How many times input went from complete to incomplete (lets the owner tell one wait from the next). */
  starts = 0;

  /** True while a frame header or payload is incomplete, or a fragmented message is open. */
  get pending(): boolean {
    return this.headHave > 0 || this.remaining > 0 || this.messageOpen;
  }

  /** Follows one received chunk. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        at += take;
        this.remaining -= take;
        continue;
      }
      if (!this.pending) this.starts++;
      this.headerByte(chunk[at++]);
    }
  }

  private headerByte(byte: number): void {
    const n = this.headHave++;
    if (n === 0) {
      this.b0 = byte;
    } else if (n === 1) {
      const len7 = byte & 0x7f;
      this.extBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      this.length = this.extBytes ? 0 : len7;
      this.headBytes = 2 + this.extBytes + (byte & 0x80 ? 4 : 0); // + the mask key
    } else if (n < 2 + this.extBytes) {
      this.length = this.length * 256 + byte;
    }
    if (this.headHave === this.headBytes) this.startFrame();
  }

  /** The header is complete. */
  private startFrame(): void {
    const fin = (this.b0 & 0x80) !== 0;
    const isControl = (this.b0 & 0x08) !== 0;
    if (!isControl) this.messageOpen = !fin;
    this.remaining = this.length;
    this.headHave = 0;
    this.headBytes = 2;
  }
}
