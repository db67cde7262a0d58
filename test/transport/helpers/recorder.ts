/**
 * A TransportHandler that records every event, checks the per-session order contract (onOpen first,
 * onClose last and exactly once) and lets tests await conditions instead of sleeping.
 */
import type { CloseReason, SessionId, TransportHandler } from '../../../framework/transport';

export interface FrameRecord {
  session: SessionId;
  msgId: number;
  seq: number;
  payload: Buffer;
  /** The transport handed the bytes over as the handler's own: `view` is its original, kept uncopied. */
  owned: boolean;
  view: Uint8Array;
}

export interface CloseRecord {
  reason: CloseReason;
  errno: number;
}

export class Recorder implements TransportHandler {
  readonly opens = new Map<SessionId, { remote: string; listener: number }>();
  readonly closes = new Map<SessionId, CloseRecord>();
  readonly frames: FrameRecord[] = [];
  readonly writable: { session: SessionId; writable: boolean }[] = [];
  /** Contract violations seen (must stay empty). */
  readonly violations: string[] = [];
  batches = 0;
  /** Hooks a test can set to act on events (e.g. echo). */
  onOpenHook?: (session: SessionId, listener: number) => void;
  onFrameHook?: (session: SessionId, msgId: number, seq: number, payload: Uint8Array) => void;
  onCloseHook?: (session: SessionId, reason: CloseReason) => void;
  /** Keep payload copies (false for bulk tests). */
  keepFrames = true;
  frameCount = 0;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  onOpen(session: SessionId, remote: string, listener: number): void {
    if (this.opens.has(session) && !this.closes.has(session)) this.violations.push(`open twice: ${session}`);
    if (this.closes.has(session)) this.closes.delete(session); // a reused id starts a new life
    this.opens.set(session, { remote, listener });
    this.onOpenHook?.(session, listener);
    this.settle();
  }

  onFrame(session: SessionId, msgId: number, seq: number, payload: Uint8Array, owned = false): void {
    this.expectOpen(session, 'frame');
    this.frameCount++;
    if (this.keepFrames)
      this.frames.push({ session, msgId, seq, payload: Buffer.from(payload), owned, view: payload });
    this.onFrameHook?.(session, msgId, seq, payload);
    this.settle();
  }

  onWritable(session: SessionId, writable: boolean): void {
    this.expectOpen(session, 'writable');
    this.writable.push({ session, writable });
    this.settle();
  }

  onClose(session: SessionId, reason: CloseReason, errno: number): void {
    if (this.closes.has(session)) this.violations.push(`close twice: ${session} (${reason})`);
    this.closes.set(session, { reason, errno });
    this.onCloseHook?.(session, reason);
    this.settle();
  }

  onBatchEnd(): void {
    this.batches++;
  }

  framesOf(session: SessionId): FrameRecord[] {
    return this.frames.filter((f) => f.session === session);
  }

  /** Resolves when `check()` holds; rejects with `what` after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next session opened (optionally after some already known). */
  async nextOpen(known = 0, timeoutMs = 10_000): Promise<SessionId> {
    await this.until(() => this.opens.size > known, `open #${known + 1}`, timeoutMs);
    return [...this.opens.keys()][known];
  }

  closed(session: SessionId, timeoutMs = 10_000): Promise<CloseRecord> {
    return this.until(() => this.closes.has(session), `close of session ${session}`, timeoutMs).then(
      () => this.closes.get(session) as CloseRecord,
    );
  }

  private expectOpen(session: SessionId, what: string): void {
    if (!this.opens.has(session)) this.violations.push(`${what} before open: ${session}`);
    if (this.closes.has(session)) this.violations.push(`${what} after close: ${session}`);
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
