import type { CloseReason } from '../transport/close-reason';
import { sendEncodedByCopy } from '../transport/common';
import type { PayloadEncoder, SessionId, Transport, TransportHandler } from '../transport/transport';
import { TransportDecorator } from '../transport/transport-decorator';
import { joinParts } from '../transport/wire';
import { copyFrame, type ReplayFrame } from './replay-buffer';
import type { ResumeState } from './resume-state';

/** What the transport asks the session keeper. */
export interface ResumeEvents {
  /** A resumable session's connection closed (state.real is already undefined): true keeps it away. */
  dropped(session: SessionId, reason: CloseReason): boolean;
  /** The server closed a session that is away. */
  closedWhileAway(session: SessionId, reason: CloseReason): void;
  /** A resumable session ended for good (any reason); its state is gone. */
  released(session: SessionId, state: ResumeState): void;
  /** While away, the replay bound dropped a frame the client never got: it cannot resume any more. */
  replayLost(session: SessionId): void;
}

/**
 * A Transport in front of the real one that makes sessions outlive their connections. The server keeps
 * addressing a session by its first connection's id; for a resumable session this layer numbers and keeps
 * every outbound frame (the replay buffer), routes it to the session's current connection, or only keeps it
 * while the session is away, and reports the new connection's events under the session's id. Other sessions
 * pass straight through.
 */
export class ResumableTransport extends TransportDecorator implements TransportHandler {
  private handler: TransportHandler | undefined;
  private readonly states = new Map<SessionId, ResumeState>();
  /** Real connection id -> session id, for connections adopted by a resume. */
  private readonly sessionOf = new Map<SessionId, SessionId>();

  constructor(
    inner: Transport,
    private readonly events: ResumeEvents,
  ) {
    super(inner);
  }

  /** Starts numbering and keeping the session's frames (right after its Welcome went out). */
  arm(session: SessionId, state: ResumeState): void {
    state.real = session;
    this.states.set(session, state);
  }

  state(session: SessionId): ResumeState | undefined {
    return this.states.get(session);
  }

  /**
   * The connection `real` now carries `session`: its events are reported under the session's id and the
   * session's frames go to it. Returns the connection it replaces (still open: a takeover), if any.
   */
  adopt(session: SessionId, real: SessionId): SessionId | undefined {
    const state = this.states.get(session)!;
    const previous = state.real;
    state.real = real;
    if (real !== session) this.sessionOf.set(real, session);
    return previous;
  }

  /** Sends on a connection directly, unnumbered (Welcome, the replay, a Kick to a replaced connection). */
  sendDirect(real: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.inner.send(real, msgId, seq, payload);
  }

  closeDirect(real: SessionId, reason: CloseReason): void {
    this.inner.close(real, reason);
  }

  /** Ends an away session now: the server hears its close. */
  finish(session: SessionId, reason: CloseReason): void {
    const state = this.states.get(session);
    if (state === undefined) return;
    this.states.delete(session);
    this.events.released(session, state);
    this.handler?.onClose(session, reason, 0);
  }

  // ---- Transport (called by the server, with session ids) ----

  override setHandler(handler: TransportHandler): void {
    this.handler = handler;
    this.inner.setHandler(this);
  }

  override send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    const state = this.states.size === 0 ? undefined : this.states.get(session);
    if (state === undefined) {
      this.inner.send(session, msgId, seq, payload);
      return;
    }
    this.keep(session, state, copyFrame(msgId, seq, payload));
    if (state.real !== undefined) this.inner.send(state.real, msgId, seq, payload);
  }

  override sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    const state = this.states.size === 0 ? undefined : this.states.get(session);
    if (state === undefined) {
      this.inner.sendParts(session, msgId, seq, parts);
      return;
    }
    const kept: ReplayFrame = { msgId, seq, payload: joinParts(parts) }; // the replay's private copy
    this.keep(session, state, kept);
    if (state.real !== undefined) this.inner.send(state.real, msgId, seq, kept.payload);
  }

  override sendEncoded<T>(
    session: SessionId,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
  ): void {
    if (this.states.size === 0 || !this.states.has(session)) {
      this.inner.sendEncoded(session, msgId, seq, encoder, message);
      return;
    }
    sendEncodedByCopy(this, session, msgId, seq, encoder, message); // send() / sendParts() keep the replay copy
  }

  override broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    if (this.states.size === 0) {
      this.inner.broadcast(sessions, msgId, seq, payload);
      return;
    }
    let shared: ReplayFrame | undefined; // one copy for every resumable target
    let rerouted = false;
    for (const session of sessions) {
      const state = this.states.get(session);
      if (state === undefined) continue;
      this.keep(session, state, (shared ??= copyFrame(msgId, seq, payload)));
      if (state.real !== session) rerouted = true;
    }
    if (!rerouted) {
      this.inner.broadcast(sessions, msgId, seq, payload);
      return;
    }
    const targets: SessionId[] = [];
    for (const session of sessions) {
      const state = this.states.get(session);
      if (state === undefined) targets.push(session);
      else if (state.real !== undefined) targets.push(state.real);
    }
    if (targets.length > 0) this.inner.broadcast(targets, msgId, seq, payload);
  }

  override close(session: SessionId, reason: CloseReason): void {
    const state = this.states.get(session);
    if (state?.away) this.events.closedWhileAway(session, reason);
    else this.inner.close(state?.real ?? session, reason);
  }

  override abort(session: SessionId, reason: CloseReason): void {
    const state = this.states.get(session);
    if (state?.away) this.events.closedWhileAway(session, reason);
    else this.inner.abort(state?.real ?? session, reason);
  }

  override pauseReading(session: SessionId): void {
    const real = this.realOf(session);
    if (real !== undefined) this.inner.pauseReading(real);
  }

  override resumeReading(session: SessionId): void {
    const real = this.realOf(session);
    if (real !== undefined) this.inner.resumeReading(real);
  }

  // ---- TransportHandler (called by the real transport, with connection ids) ----

  onOpen(real: SessionId, remote: string, listener: number): void {
    this.handler?.onOpen(real, remote, listener);
  }

  onFrame(real: SessionId, msgId: number, seq: number, payload: Uint8Array, owned?: boolean): void {
    // No lookup while no connection was adopted (the common case: nobody resumed).
    const session = this.sessionOf.size === 0 ? real : (this.sessionOf.get(real) ?? real);
    this.handler?.onFrame(session, msgId, seq, payload, owned);
  }

  onWritable(real: SessionId, writable: boolean): void {
    const session = this.sessionOf.get(real) ?? real;
    if (this.states.get(session)?.real === real || !this.states.has(session))
      this.handler?.onWritable(session, writable);
  }

  onClose(real: SessionId, reason: CloseReason, errno: number): void {
    const session = this.sessionOf.get(real) ?? real;
    if (session !== real) this.sessionOf.delete(real);
    const state = this.states.get(session);
    if (state !== undefined) {
      if (state.real !== real) return; // a connection replaced by a takeover: the session goes on
      state.real = undefined;
      if (this.events.dropped(session, reason)) return;
      this.states.delete(session);
      this.events.released(session, state);
    }
    this.handler?.onClose(session, reason, errno);
  }

  onBatchEnd(): void {
    this.handler?.onBatchEnd?.();
  }

  private realOf(session: SessionId): SessionId | undefined {
    const state = this.states.get(session);
    return state === undefined ? session : state.real;
  }

  private keep(session: SessionId, state: ResumeState, frame: ReplayFrame): void {
    state.replay.append(frame);
    if (state.away && !state.ending && state.replay.releasedThrough > state.newestAtDrop) {
      state.ending = true;
      this.events.replayLost(session);
    }
  }
}
