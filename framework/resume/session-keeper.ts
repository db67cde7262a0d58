import type { Logger } from 'pino';
import { Ack, Bye, Hello, Kick, Welcome } from '../protocol/framework-messages';
import type { Connection } from '../server/connection';
import type { Session } from '../server/session';
import { sessionClockMs } from '../server/session-clock';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';
import { seqNewer } from './request-dedup';
import { ResumableTransport } from './resumable-transport';
import { ResumeState } from './resume-state';
import { type ResumeFailure, ResumeTokens } from './resume-tokens';

/** How resumable sessions are kept (GameServer limits resumeWindowMs, resumeReplayFrames, resumeReplayBytes). */
export interface ResumePolicy {
  /** How long a dropped session is kept, in ms (> 0). */
  windowMs: number;
  /** Replay buffer bounds per session. */
  replayFrames: number;
  replayBytes: number;
  /** Told again in the Welcome of a resume. */
  heartbeatIntervalMs: number;
  /** This node's name in a cluster (written into its tokens); '' in one process. */
  node?: string;
}

/** Close reasons that look like a lost network, not a decision of either side: the session is kept. */
const DROP_REASONS: ReadonlySet<CloseReason> = new Set<CloseReason>([
  'peer_closed',
  'reset',
  'io_error',
  'frame_timeout',
  'send_stalled',
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any user and state type (as GameServer.onSessionClose)
export type SessionDropListener = (session: Session<any, any>, reason: CloseReason) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any user and state type
export type SessionResumeListener = (session: Session<any, any>) => void;

/** What the keeper needs from the server. */
export interface KeeperHost {
  readonly logger: Logger;
  connection(id: SessionId): Connection | undefined;
  /** Forgets a connection without close hooks: its socket now belongs to a kept session. */
  forget(id: SessionId): void;
  /** Server-side close of a connection (sends Kick). */
  closeConnection(connection: Connection, reason: CloseReason): void;
  sendError(connection: Connection, seq: number, msgId: number, code: string, message: string): void;
  /** A framework frame that does not decode: Error BAD_PAYLOAD and close. */
  badPayload(connection: Connection, seq: number, msgId: number, error: unknown): void;
  isRunning(): boolean;
}

const FAILURE_TEXT: Record<ResumeFailure, string> = {
  RESUME_UNKNOWN:
    'this server has no session for the resume token (never issued, replaced, or from another server)',
  RESUME_EXPIRED: 'the session was dropped longer than the resume window and has ended',
  RESUME_OVERFLOW:
    'the session sent more than its replay buffer holds while the client was away, so it ended',
  RESUME_ENDED: 'the session was ended by the server',
  SESSION_GONE:
    'session_gone: the resume token belongs to another node of the cluster, so the session is not here',
};

/**
 * Session resume on the server: issues tokens in Welcome, keeps a dropped session for the grace window
 * (away in its rooms, its frames kept for replay), resumes it on a Hello with its token, and answers
 * re-sent requests from what it kept instead of running them again.
 */
export class SessionKeeper {
  readonly transport: ResumableTransport;
  private readonly tokens: ResumeTokens;
  readonly dropListeners: SessionDropListener[] = [];
  readonly resumeListeners: SessionResumeListener[] = [];
  readonly leaveListeners: SessionDropListener[] = [];

  constructor(
    inner: Transport,
    private readonly policy: ResumePolicy,
    private readonly host: KeeperHost,
  ) {
    this.tokens = new ResumeTokens(policy.node);
    this.transport = new ResumableTransport(inner, {
      dropped: (id, reason) => this.dropped(id, reason),
      closedWhileAway: (id, reason) => this.end(id, reason, 'RESUME_ENDED'),
      released: (_id, state) => this.tokens.end(state.token, 'RESUME_ENDED'),
      replayLost: (id) => queueMicrotask(() => this.end(id, this.dropReasonOf(id), 'RESUME_OVERFLOW')),
    });
  }

  /** Sessions kept right now (connected or away). */
  get resumableCount(): number {
    return this.tokens.liveCount;
  }

  /**
   * Handles the resume part of a Hello before its Welcome: resumes the session of a valid token (sends
   * Welcome and the replay itself, returns true), or reports why it cannot (Error frame, seq 0) and, for a
   * Hello asking for it, makes the new session resumable by filling in `welcome`'s resume fields.
   */
  hello(connection: Connection, hello: Hello, seq: number, welcome: Welcome): boolean {
    if (hello.resumeToken.length > 0) {
      const found = this.tokens.find(hello.resumeToken);
      const failure = typeof found === 'number' ? this.tryResume(connection, found, hello, seq) : found;
      if (failure === undefined) return true;
      connection.session.debug('resume refused', { code: failure });
      const node = failure === 'SESSION_GONE' ? this.tokens.nodeOf(hello.resumeToken) : undefined;
      const text =
        node === undefined
          ? FAILURE_TEXT[failure]
          : `${FAILURE_TEXT[failure]} (node "${node}"): log in again`;
      this.host.sendError(connection, 0, Hello.id, failure, text);
    }
    if (!hello.resumable) return false;
    const state = new ResumeState(
      this.tokens.issue(connection.session.id),
      this.policy.replayFrames,
      this.policy.replayBytes,
    );
    connection.resume = state;
    welcome.resumeToken = state.token;
    welcome.resumeWindowMs = this.policy.windowMs;
    welcome.ackFrames = Math.max(1, Math.floor(this.policy.replayFrames / 4));
    welcome.ackBytes = Math.max(1, Math.floor(this.policy.replayBytes / 4));
    return false;
  }

  /** The Welcome of a new resumable session went out: number its frames from here. */
  opened(connection: Connection): void {
    if (connection.resume !== undefined) this.transport.arm(connection.session.id, connection.resume);
  }

  /**
   * A frame of a resumable session before its mailbox: Ack and Bye are handled here; a re-sent request
   * (seq at or below the highest received) is answered from the kept response or dropped (true = consumed).
   */
  inbound(
    connection: Connection,
    state: ResumeState,
    msgId: number,
    seq: number,
    payload: Uint8Array,
  ): boolean {
    if (msgId === Ack.id) {
      let received: number;
      try {
        received = Number(Ack.decode(payload).received);
      } catch (error) {
        this.host.badPayload(connection, seq, msgId, error);
        return true;
      }
      state.replay.acknowledge(received);
      return true;
    }
    if (msgId === Bye.id) {
      this.host.closeConnection(connection, 'peer_closed');
      return true;
    }
    if (seq === 0 || seqNewer(seq, state.highestSeq)) {
      if (seq !== 0) state.highestSeq = seq;
      return false;
    }
    const number = state.resumedFrom === undefined ? undefined : state.replay.findResponse(seq);
    // Kept responses after resumedFrom were just replayed; an earlier one the client asks for again is re-sent.
    if (number !== undefined && number <= state.resumedFrom!) {
      const frame = state.replay.frame(number)!;
      this.transport.send(connection.session.id, frame.msgId, frame.seq, frame.payload);
    }
    connection.session.debug('re-sent request not run again', { seq, msgId });
    return true;
  }

  private tryResume(
    connection: Connection,
    id: SessionId,
    hello: Hello,
    seq: number,
  ): ResumeFailure | undefined {
    const kept = this.host.connection(id);
    const state = this.transport.state(id);
    if (kept === undefined || state === undefined || kept.session.closing || state.ending)
      return 'RESUME_UNKNOWN';
    const received = Number(hello.lastReceived);
    const check = state.replay.replayCheck(received);
    if (check === 'ahead') return 'RESUME_UNKNOWN';
    if (check === 'overflow') {
      this.end(id, state.dropReason ?? 'reset', 'RESUME_OVERFLOW');
      return 'RESUME_OVERFLOW';
    }
    const real = connection.session.id;
    this.host.forget(real);
    clearTimeout(state.windowTimer);
    state.windowTimer = undefined;
    state.dropReason = undefined;
    this.tokens.revoke(state.token);
    state.token = this.tokens.issue(id);
    const replaced = this.transport.adopt(id, real);
    if (replaced !== undefined) {
      this.transport.sendDirect(replaced, Kick.id, 0, Kick.encode({ reason: 'replaced' }));
      this.transport.closeDirect(replaced, 'kicked');
    }
    const welcome: Welcome = {
      protocolVersion: hello.protocolVersion,
      sessionId: id,
      heartbeatIntervalMs: this.policy.heartbeatIntervalMs,
      resumeToken: state.token,
      resumeWindowMs: this.policy.windowMs,
      resumed: true,
      lastSent: state.replay.lastNumber,
      ackFrames: Math.max(1, Math.floor(this.policy.replayFrames / 4)),
      ackBytes: Math.max(1, Math.floor(this.policy.replayBytes / 4)),
    };
    this.replay(kept, state, real, welcome, seq, received, replaced !== undefined);
    return undefined;
  }

  /** Welcome, then every kept frame after `received`, on the new connection; the session is back. */
  private replay(
    kept: Connection,
    state: ResumeState,
    real: SessionId,
    welcome: Welcome,
    seq: number,
    received: number,
    takeover: boolean,
  ): void {
    this.transport.sendDirect(real, Welcome.id, seq, Welcome.encode(welcome));
    const replay = state.replay.framesAfter(received);
    for (const frame of replay) this.transport.sendDirect(real, frame.msgId, frame.seq, frame.payload);
    // Frames up to `received` stay kept until the client's next Ack: a request answered by one of them and
    // sent again is answered from it.
    state.resumedFrom = received;
    kept.lastFrameAt = sessionClockMs();
    if (kept.overflowSince !== undefined) this.transport.pauseReading(kept.session.id); // still full
    kept.session.setAway(false);
    kept.session.debug('session resumed', { replayed: replay.length, takeover });
    for (const listener of this.resumeListeners) this.safely(() => listener(kept.session));
  }

  private dropped(id: SessionId, reason: CloseReason): boolean {
    const connection = this.host.connection(id);
    const state = this.transport.state(id);
    if (
      connection === undefined ||
      state === undefined ||
      connection.phase !== 'open' ||
      connection.session.closing ||
      !this.host.isRunning() ||
      !DROP_REASONS.has(reason)
    )
      return false;
    state.newestAtDrop = state.replay.lastNumber;
    state.dropReason = reason;
    state.windowTimer = setTimeout(() => this.end(id, reason, 'RESUME_EXPIRED'), this.policy.windowMs);
    state.windowTimer.unref();
    connection.session.setAway(true);
    connection.session.debug('session dropped, kept for resume', { reason, windowMs: this.policy.windowMs });
    for (const listener of this.dropListeners) this.safely(() => listener(connection.session, reason));
    return true;
  }

  /** Ends a kept session that is away: onLeave, then the server closes it (rooms, onSessionClose). */
  private end(id: SessionId, reason: CloseReason, failure: ResumeFailure): void {
    const state = this.transport.state(id);
    const connection = this.host.connection(id);
    if (state === undefined || !state.away) return;
    clearTimeout(state.windowTimer);
    if (connection !== undefined)
      for (const listener of this.leaveListeners) this.safely(() => listener(connection.session, reason));
    this.transport.finish(id, reason);
    this.tokens.end(state.token, failure);
  }

  private dropReasonOf(id: SessionId): CloseReason {
    return this.transport.state(id)?.dropReason ?? 'reset';
  }

  private safely(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.host.logger.error({ err: error }, 'session resume listener failed');
    }
  }
}
