/**
 * Transport on the native addon: walks the engine's event batches (docs/boundary.md) and hands it one
 * command log per turn. Never one native call per packet.
 */
import { closeReasonName, type CloseReason } from './close-reason';
import { CommandLog } from './command-log';
import {
  checkConnectArgs,
  checkListenArgs,
  checkSessionId,
  closeCodeOf,
  NO_HANDLER,
  reportHandlerError,
} from './common';
import {
  align4,
  CommandOp,
  EVENT_HEADER_BYTES,
  EventType,
  FRAME_DETACHED,
  MAX_SEND_PAYLOAD_PARTS,
  type NativeBinding,
  type NativeEngine,
  type NativeEngineOptions,
} from './native';
import type { ResolvedOptions } from './options';
import {
  type NativeEngineName,
  type SessionId,
  type Transport,
  type TransportHandler,
  type TransportLimits,
  type TransportStats,
  WIRE_HEADER_BYTES,
} from './transport';
import { obtainScavenge, OwnedFrameCollector } from './owned-frame-collector';
import { checkFrameArgs, partsLength } from './wire';
import { answerHttp, type HttpAnswer } from './websocket/upgrade';

/** The command log is submitted early once it passes this many bytes. */
export const SUBMIT_THRESHOLD_BYTES = 256 * 1024;
/** The listener id an OPEN of an outbound connect carries. */
const OUTBOUND_LISTENER = 0;
/**
 * With the engine on the JS thread (ioThreads 0), a payload of at least this many bytes is not copied into
 * the log: it is handed to submit() beside it, at once (the caller's bytes are read before send() returns;
 * the engine writes them to the socket from there and copies only what the kernel did not take). So are the
 * parts of a sendParts() of that many bytes in all. At 64 KiB four payloads already fill the log to
 * SUBMIT_THRESHOLD_BYTES, so submitting each at once loses little batching.
 */
export const SEND_PAYLOAD_BYTES_MIN = 64 * 1024;
/** shutdown() waits at most this long for the engine's CLOSE events. */
const SHUTDOWN_WAIT_MS = 10_000;

/** Views of one batch ArrayBuffer: its records' headers, its payload bytes, its address strings. */
interface BatchViews {
  batch: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
  text: Buffer;
}

/**
 * A payload's view into the batch. `new Uint8Array(buffer, offset, length)` and not `bytes.subarray()`:
 * subarray looks up the species constructor (a generic property load) and builds the view in a builtin,
 * the constructor is inlined by the optimizing compiler; this was about a third of the raw echo's JS cost
 * per 64 B frame (bench/cost/raw-path.ts).
 */
function payloadView(batch: ArrayBuffer, start: number, size: number): Uint8Array {
  return new Uint8Array(batch, start, size);
}

export class NativeTransport implements Transport {
  readonly engine: NativeEngineName;
  readonly limits: TransportLimits;
  private handler: TransportHandler = NO_HANDLER;
  private readonly native: NativeEngine;
  /** This turn's commands; the spare one takes new commands while the other is being submitted. */
  private log = new CommandLog();
  private spare = new CommandLog();
  private submitting = false;
  /** The engine applies commands during submit() (no I/O threads): big payloads can be handed over uncopied. */
  private readonly submitsInline: boolean;
  private submitScheduled = false;
  /** Inside walk(): it submits at its end, so commands queued meanwhile schedule no submit of their own. */
  private walking = false;
  private stopped = false;
  /**
   * Sessions not yet closed (connecting or open): shutdown waits for their CLOSE events. A count, not a set
   * of ids (an entry per idle session): an outbound session counts at connect() (its OPEN has listener 0),
   * an inbound one at its OPEN, and each gets exactly one CLOSE (docs/boundary.md).
   */
  private liveSessions = 0;
  private allClosed: (() => void) | null = null;
  private batchViews: BatchViews | undefined = undefined;
  /** Frees owned frames with scavenges (made at the first: a transport that never gets one pays nothing). */
  private ownedFrames: OwnedFrameCollector | undefined = undefined;
  private readonly submitNow = (): void => this.flush();
  private readonly onEvents = (batch: ArrayBuffer, length: number, detached?: ArrayBuffer[]): void =>
    this.walk(batch, length, detached);

  get resolvedOptions(): Readonly<ResolvedOptions> {
    return this.options;
  }

  constructor(
    binding: NativeBinding,
    engine: NativeEngineName,
    private readonly options: ResolvedOptions,
  ) {
    this.engine = engine;
    this.limits = { ...options.limits };
    const nativeOptions: NativeEngineOptions = {
      engine,
      ioThreads: options.ioThreads,
      websocket: options.websocket.enabled,
      wsPath: options.websocket.path,
      ...(options.websocket.origins === null ? {} : { wsOrigins: [...options.websocket.origins] }),
      reusePort: options.reusePort,
      detachFrameBytes: options.ownedFrameBytes,
      ...options.limits,
      ...options.uring,
    };
    this.native = new binding.Engine(nativeOptions, this.onEvents);
    this.submitsInline = options.ioThreads === 0;
  }

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  listen(host: string, port: number): Promise<{ listener: number; port: number }> {
    try {
      checkListenArgs(host, port);
      if (this.stopped) throw new Error('transport is shut down');
      const { id, port: bound } = this.native.listen(host, port, this.options.backlog);
      return Promise.resolve({ listener: id, port: bound });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  unlisten(listener: number): void {
    if (!this.stopped) this.native.unlisten(listener);
  }

  connect(host: string, port: number, timeoutMs: number): SessionId {
    checkConnectArgs(host, port, timeoutMs);
    if (this.stopped) throw new Error('transport is shut down');
    const id = this.native.connect(host, port, timeoutMs);
    this.liveSessions++;
    return id;
  }

  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    checkSessionId(session);
    checkFrameArgs(msgId, seq, payload.length, this.limits.maxFrameBytes);
    if (payload.length >= SEND_PAYLOAD_BYTES_MIN && this.handsOverNow()) {
      this.log.sendPayload(session, msgId, seq, [payload]);
      this.flush();
      return;
    }
    this.log.send(session, msgId, seq, payload);
    this.queued();
  }

  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    checkSessionId(session);
    const length = partsLength(parts);
    checkFrameArgs(msgId, seq, length, this.limits.maxFrameBytes);
    if (length >= SEND_PAYLOAD_BYTES_MIN && parts.length <= MAX_SEND_PAYLOAD_PARTS && this.handsOverNow()) {
      this.log.sendPayload(session, msgId, seq, parts);
      this.flush();
      return;
    }
    this.log.sendJoined(session, msgId, seq, parts);
    this.queued();
  }

  /** A payload handed over now is read by a submit right away (not one queued behind a running submit). */
  private handsOverNow(): boolean {
    return this.submitsInline && !this.submitting && !this.stopped;
  }

  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    checkFrameArgs(msgId, seq, payload.length, this.limits.maxFrameBytes);
    if (sessions.length === 0) return;
    for (const id of sessions) checkSessionId(id);
    this.log.broadcast(sessions, msgId, seq, payload);
    this.queued();
  }

  close(session: SessionId, reason: CloseReason): void {
    this.control(CommandOp.CLOSE, session, closeCodeOf(reason));
  }

  abort(session: SessionId, reason: CloseReason): void {
    this.control(CommandOp.ABORT, session, closeCodeOf(reason));
  }

  pauseReading(session: SessionId): void {
    this.control(CommandOp.PAUSE_READ, session, 0);
  }

  resumeReading(session: SessionId): void {
    this.control(CommandOp.RESUME_READ, session, 0);
  }

  flush(): void {
    this.submitScheduled = false;
    if (this.log.length === 0 || this.stopped) return;
    if (this.submitting) {
      // Events delivered from inside submit() queued more: hand them over on the next turn, never nested.
      this.schedule();
      return;
    }
    const log = this.log;
    this.log = this.spare;
    this.spare = log;
    this.submitting = true;
    try {
      this.native.submit(log.buffer, log.length, log.payloads.length > 0 ? log.payloads : undefined);
    } finally {
      log.clear();
      this.submitting = false;
    }
  }

  stats(): TransportStats {
    return { ...this.native.stats(), engine: this.engine };
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.flush();
    this.stopped = true;
    const done = new Promise<void>((resolve) => {
      if (this.liveSessions === 0) return resolve();
      const timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
      this.allClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.native.shutdown();
    await done;
  }

  /**
   * Answers a plain HTTP request head (a static file or an error; upgrades never get here, the engine
   * answers them); the engine drops the reply if the session closed. `head` is a view into the batch:
   * answerHttp reads it before returning.
   */
  private answer(session: SessionId, head: Uint8Array): void {
    answerHttp(head, this.options.websocket)
      .then((settled) => this.reply(session, settled))
      .catch(reportHandlerError);
  }

  private reply(session: SessionId, { reply, after }: HttpAnswer): void {
    if (this.stopped) return;
    this.log.httpReply(session, closeCodeOf(after), reply);
    this.queued();
  }

  private control(op: number, session: SessionId, reason: number): void {
    checkSessionId(session);
    this.log.control(op, session, reason);
    this.queued();
  }

  /** Schedules the turn's submit on the first queued command; submits early past the threshold. */
  private queued(): void {
    if (this.stopped) {
      this.log.clear();
      return;
    }
    if (this.log.length >= SUBMIT_THRESHOLD_BYTES) {
      this.flush();
      return;
    }
    if (!this.walking) this.schedule();
  }

  private schedule(): void {
    if (!this.submitScheduled) {
      this.submitScheduled = true;
      setImmediate(this.submitNow);
    }
  }

  /**
   * Views of the whole batch buffer, kept while the addon reuses it: a burst of connects brings many batches
   * of one or two events, and three views each would be most of what a connect allocates. walk() never reads
   * past the batch's reported length.
   */
  private viewsOf(batch: ArrayBuffer): BatchViews {
    if (this.batchViews?.batch !== batch) {
      this.batchViews = {
        batch,
        view: new DataView(batch),
        bytes: new Uint8Array(batch),
        text: Buffer.from(batch),
      };
    }
    return this.batchViews;
  }

  /** Walks one event batch, then submits what its handlers queued. */
  private walk(batch: ArrayBuffer, reported: number, detached: ArrayBuffer[] | undefined): void {
    if (detached !== undefined)
      (this.ownedFrames ??= new OwnedFrameCollector(obtainScavenge())).delivered(detached);
    const outer = this.walking;
    this.walking = true;
    try {
      this.walkRecords(batch, reported, detached);
    } finally {
      this.walking = outer;
    }
    this.flush();
  }

  /**
   * A FRAMES record: whole wire frames of one session as they arrived (big-endian headers), each handed to
   * the handler on its own, so a handler that throws loses no other frame.
   */
  private walkFrames(
    batch: ArrayBuffer,
    view: DataView,
    session: SessionId,
    start: number,
    size: number,
  ): void {
    const h = this.handler;
    const end = start + size;
    let at = start;
    while (at < end) {
      const frameBytes = at + WIRE_HEADER_BYTES <= end ? view.getUint32(at) : 0;
      if (frameBytes < WIRE_HEADER_BYTES || at + frameBytes > end) {
        reportHandlerError(new Error(`fastport addon sent a broken FRAMES record at offset ${at}`));
        return;
      }
      try {
        h.onFrame(
          session,
          view.getUint16(at + 4),
          view.getUint32(at + 6),
          payloadView(batch, at + WIRE_HEADER_BYTES, frameBytes - WIRE_HEADER_BYTES),
        );
      } catch (err) {
        reportHandlerError(err);
      }
      at += frameBytes;
    }
  }

  /** Hands each record to the handler; payloads are views valid during the handler call only, detached ones owned. */
  private walkRecords(batch: ArrayBuffer, reported: number, detached: ArrayBuffer[] | undefined): void {
    const length = Math.min(reported, batch.byteLength);
    const { view, bytes, text } = this.viewsOf(batch);
    const h = this.handler;
    let at = 0;
    let nextDetached = 0;
    while (at + EVENT_HEADER_BYTES <= length) {
      const head = view.getUint32(at, true); // u8 type, u8 reason, u16 msgId: one read
      const type = head & 0xff;
      const reason = (head >>> 8) & 0xff;
      const session = view.getUint32(at + 4, true);
      const aux = view.getUint32(at + 8, true);
      const size = view.getUint32(at + 12, true);
      const start = at + EVENT_HEADER_BYTES;
      if (start + size > length) {
        reportHandlerError(new Error(`fastport addon sent a record past the batch end at offset ${at}`));
        break;
      }
      try {
        switch (type) {
          case EventType.FRAME:
            if (reason === FRAME_DETACHED) {
              const owned = detached?.[nextDetached++];
              if (owned === undefined)
                throw new Error(`fastport addon sent no detached payload at offset ${at}`);
              h.onFrame(session, head >>> 16, aux, new Uint8Array(owned), true);
            } else {
              h.onFrame(session, head >>> 16, aux, payloadView(batch, start, size));
            }
            break;
          case EventType.FRAMES:
            this.walkFrames(batch, view, session, start, size);
            break;
          case EventType.OPEN:
            if (aux !== OUTBOUND_LISTENER) this.liveSessions++;
            h.onOpen(session, text.toString('utf8', start, start + size), aux);
            break;
          case EventType.WRITABLE:
            h.onWritable(session, true);
            break;
          case EventType.BLOCKED:
            h.onWritable(session, false);
            break;
          case EventType.HTTP:
            this.answer(session, bytes.subarray(start, start + size));
            break;
          case EventType.CLOSE:
            this.liveSessions--;
            h.onClose(session, closeReasonName(reason), aux);
            break;
          default:
            reportHandlerError(
              new Error(`fastport addon sent an unknown event type ${type} at offset ${at}`),
            );
        }
      } catch (err) {
        reportHandlerError(err);
      }
      at = align4(start + size);
    }
    if (h.onBatchEnd) {
      try {
        h.onBatchEnd();
      } catch (err) {
        reportHandlerError(err);
      }
    }
    if (this.allClosed && this.liveSessions === 0) this.allClosed();
  }
}
