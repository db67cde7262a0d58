/**
 * Transport on node:net (no addon): the fallback where the addon cannot load and the baseline the native
 * engines are measured against. Same framing, limits and event order as the native engines.
 */
import * as net from 'node:net';
import type { CloseReason } from './close-reason';
import { FrameReader, type FrameError } from './frame-reader';
import type { ResolvedOptions } from './options';
import type {
  PayloadEncoder,
  SessionId,
  Transport,
  TransportHandler,
  TransportLimits,
  TransportStats,
} from './transport';
import { checkFrameArgs, encodeFrame, joinParts, partsLength } from './wire';
import type { WebSocket } from 'ws';
import { NodeUpgrader } from './websocket/node-upgrade';
import { wsCloseCode, wsErrorReason } from './websocket/ws-codes';
import { WsInputClock } from './websocket/ws-input-clock';
import {
  checkConnectArgs,
  checkListenArgs,
  checkSessionId,
  closeCodeOf,
  NO_HANDLER,
  reportHandlerError,
  sendEncodedByCopy,
} from './common';

/** Below this many bytes per turn a session's frames are concatenated into one write; above, corked. */
const CONCAT_BYTES = 64 * 1024;
/** After close() sent our FIN: how long to wait for the peer's before closing anyway. */
const CLOSE_LINGER_MS = 2000;

interface NodeSession {
  id: SessionId;
  socket: net.Socket;
  reader: FrameReader;
  open: boolean;
  /** Set once: the reason reported by onClose. */
  closeReason: CloseReason | null;
  errno: number;
  /** close() was called: queued frames go out, then the socket closes. */
  closing: boolean;
  paused: boolean;
  /** This turn's frames, written at flush. */
  out: Buffer[];
  outBytes: number;
  blocked: boolean;
  frameTimer: NodeJS.Timeout | null;
  frameTimerFor: number;
  /** When the socket last flushed bytes to the kernel, or started having bytes pending. */
  lastSendProgress: number;
  connectTimer: NodeJS.Timeout | null;
  lingerTimer: NodeJS.Timeout | null;
  /** sniff: accepted with WebSocket on, first byte not seen; http: head / reply; ws: upgraded. */
  mode: 'tcp' | 'sniff' | 'http' | 'ws';
  ws: WebSocket | null;
  /** Once upgraded: where the client's WebSocket frames start and end (for the frame deadline). */
  wsInput: WsInputClock | null;
  onData: ((chunk: Buffer) => void) | null;
}

/** Why a connect failed, from node's error code (the native engines map errno alike). */
function connectFailure(code: string | undefined): CloseReason {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'connect_unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'dns_failed';
    default:
      return 'connect_failed';
  }
}

export class NodeNetTransport implements Transport {
  readonly engine = 'node' as const;
  readonly limits: TransportLimits;
  private handler: TransportHandler = NO_HANDLER;
  private readonly sessions = new Map<SessionId, NodeSession>();
  private readonly listeners = new Map<number, net.Server>();
  private readonly dirty = new Set<NodeSession>();
  private flushScheduled = false;
  private nextSessionId = 1;
  private nextListenerId = 1;
  private openCount = 0;
  private stallSweep: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly counters = {
    accepted: 0,
    connected: 0,
    closed: 0,
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    batches: 0,
    /** Flushes that wrote something (the node counterpart of a native submit). */
    submits: 0,
    /** 'data' events (each one a read by libuv). */
    wakeups: 0,
    /** Socket writes plus 'data' reads: a lower bound of the syscalls node made. */
    syscalls: 0,
    writes: 0,
    sendsDropped: 0,
    /** libuv retries EMFILE accepts itself; node:net exposes no pause to count. */
    acceptPaused: 0,
    refused: 0,
    httpRequests: 0,
    wsUpgrades: 0,
    /** WebSocket sessions closed for a protocol violation (text, bad frames, 1009, partial FastPort frame). */
    wsViolations: 0,
  };
  private readonly upgrader: NodeUpgrader | null;
  private readonly flushNow = (): void => this.flush();

  get resolvedOptions(): Readonly<ResolvedOptions> {
    return this.options;
  }

  constructor(private readonly options: ResolvedOptions) {
    this.limits = { ...options.limits };
    this.upgrader = options.websocket.enabled
      ? new NodeUpgrader(options.websocket, options.limits.maxFrameBytes)
      : null;
  }

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  listen(host: string, port: number): Promise<{ listener: number; port: number }> {
    checkListenArgs(host, port);
    if (this.stopped) return Promise.reject(new Error('transport is shut down'));
    const listener = this.nextListenerId++;
    const server = net.createServer({ noDelay: true, allowHalfOpen: false }, (socket) =>
      this.accept(socket, listener),
    );
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, backlog: this.options.backlog }, () => {
        server.off('error', reject);
        server.on('error', () => undefined); // accept errors (EMFILE) are retried by libuv
        this.listeners.set(listener, server);
        resolve({ listener, port: (server.address() as net.AddressInfo).port });
      });
    });
  }

  unlisten(listener: number): void {
    const server = this.listeners.get(listener);
    if (!server) return;
    this.listeners.delete(listener);
    server.close();
  }

  connect(host: string, port: number, timeoutMs: number): SessionId {
    checkConnectArgs(host, port, timeoutMs);
    if (this.stopped) throw new Error('transport is shut down');
    const socket = net.connect({ host, port, noDelay: true, allowHalfOpen: false });
    const session = this.addSession(socket);
    session.connectTimer = setTimeout(() => {
      session.connectTimer = null;
      this.closeSocket(session, 'connect_timeout', 0);
    }, timeoutMs);
    socket.once('connect', () => {
      if (session.connectTimer) clearTimeout(session.connectTimer);
      session.connectTimer = null;
      this.counters.connected++;
      this.opened(session, 0);
    });
    return session.id;
  }

  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    checkFrameArgs(msgId, seq, payload.length, this.limits.maxFrameBytes);
    const s = this.sessions.get(session);
    // A connecting session keeps its frames (node:net buffers them until connected), like the engines.
    if (!s || s.closing || s.closeReason || s.mode === 'http') {
      this.counters.sendsDropped++;
      return;
    }
    this.queue(s, encodeFrame(msgId, seq, payload));
  }

  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    checkFrameArgs(msgId, seq, partsLength(parts), this.limits.maxFrameBytes);
    this.send(session, msgId, seq, joinParts(parts));
  }

  sendEncoded<T>(
    session: SessionId,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
  ): void {
    sendEncodedByCopy(this, session, msgId, seq, encoder, message);
  }

  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    checkFrameArgs(msgId, seq, payload.length, this.limits.maxFrameBytes);
    if (sessions.length === 0) return;
    const frame = encodeFrame(msgId, seq, payload);
    for (const id of sessions) {
      const s = this.sessions.get(id);
      if (!s || s.closing || s.closeReason || s.mode === 'http') this.counters.sendsDropped++;
      else this.queue(s, frame);
    }
  }

  close(session: SessionId, reason: CloseReason): void {
    checkSessionId(session);
    closeCodeOf(reason);
    const s = this.sessions.get(session);
    if (!s || s.closing || s.closeReason) return;
    if (!s.open || s.mode === 'http') return this.closeSocket(s, reason, 0);
    s.closing = true;
    s.closeReason = reason;
    s.reader.reset();
    if (s.ws) {
      // ws sends the queued messages, then Close, and ends the socket after the peer's Close (or its timeout).
      this.flushSession(s);
      this.dirty.delete(s);
      s.ws.close(wsCloseCode(reason));
      return;
    }
    // Drain (and drop) inbound bytes: closing a socket with unread input sends RST and loses our output.
    if (s.paused) s.socket.resume();
    this.flushSession(s);
    this.dirty.delete(s);
    // FIN after the queued bytes; then wait (bounded) for the peer's FIN while dropping its input, so
    // that closing never resets the connection over unread bytes and loses ours.
    s.socket.end(() => {
      s.lingerTimer = setTimeout(() => s.socket.destroy(), CLOSE_LINGER_MS);
    });
    if (s.socket.writableLength > 0) this.startStallSweep();
  }

  abort(session: SessionId, reason: CloseReason): void {
    checkSessionId(session);
    closeCodeOf(reason);
    const s = this.sessions.get(session);
    if (s) this.closeSocket(s, reason, 0);
  }

  pauseReading(session: SessionId): void {
    const s = this.sessions.get(session);
    if (!s || s.paused) return;
    s.paused = true;
    if (s.ws) s.ws.pause();
    else s.socket.pause();
    // A paused session cannot complete its frame: the slowloris clock restarts on resume.
    if (s.frameTimer) clearTimeout(s.frameTimer);
    s.frameTimer = null;
  }

  resumeReading(session: SessionId): void {
    const s = this.sessions.get(session);
    if (!s || !s.paused) return;
    s.paused = false;
    if (s.reader.hasStash) {
      // Frames kept while paused go out on a later tick, never inside the caller's stack.
      setImmediate(() => {
        if (s.paused || s.closeReason) return;
        this.counters.batches++;
        s.reader.drainStash();
        this.afterChunk(s);
        this.endBatch();
        if (!s.paused && !s.reader.hasStash) this.resumeSocket(s);
      });
    } else {
      this.resumeSocket(s);
      this.afterChunk(s);
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.dirty.size > 0) this.counters.submits++;
    for (const s of this.dirty) this.flushSession(s);
    this.dirty.clear();
  }

  stats(): TransportStats {
    let sendBytesPending = 0;
    let recvBuffersHeld = 0;
    for (const s of this.sessions.values()) {
      sendBytesPending += this.pendingBytes(s);
      if (s.reader.holdsBuffer) recvBuffersHeld++;
    }
    return {
      engine: 'node',
      ...this.counters,
      sessions: this.openCount,
      sendBytesPending,
      recvBuffersHeld,
    };
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.listeners.keys()]) this.unlisten(id);
    this.flush();
    const closes = [...this.sessions.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          s.socket.once('close', () => resolve());
          this.closeSocket(s, 'shutdown', 0);
        }),
    );
    await Promise.all(closes);
    if (this.stallSweep) clearInterval(this.stallSweep);
    this.stallSweep = null;
  }

  private accept(socket: net.Socket, listener: number): void {
    if (this.stopped || this.sessions.size >= this.limits.maxConnections) {
      this.counters.refused++;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.counters.accepted++;
    const session = this.addSession(socket);
    if (this.upgrader) session.mode = 'sniff';
    this.opened(session, listener);
  }

  private addSession(socket: net.Socket): NodeSession {
    const id = this.allocateSessionId();
    const session: NodeSession = {
      id,
      socket,
      reader: null as unknown as FrameReader,
      open: false,
      closeReason: null,
      errno: 0,
      closing: false,
      paused: false,
      out: [],
      outBytes: 0,
      blocked: false,
      frameTimer: null,
      frameTimerFor: -1,
      lastSendProgress: 0,
      connectTimer: null,
      lingerTimer: null,
      mode: 'tcp',
      ws: null,
      wsInput: null,
      onData: null,
    };
    session.reader = new FrameReader(this.limits.maxFrameBytes, {
      frame: (msgId, seq, payload) => this.onFrame(session, msgId, seq, payload),
      error: (reason: FrameError) => this.closeSocket(session, reason, 0),
    });
    this.sessions.set(id, session);
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(session, err));
    socket.on('end', () => {
      if (!session.closeReason) session.closeReason = 'peer_closed';
    });
    socket.on('close', () => this.closed(session));
    return session;
  }

  private opened(session: NodeSession, listener: number): void {
    session.open = true;
    this.openCount++;
    const { socket } = session;
    socket.setNoDelay(true);
    session.onData = (chunk: Buffer) => this.onData(session, chunk);
    socket.on('data', session.onData);
    const remote = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    this.counters.batches++;
    this.callHandler(() => this.handler.onOpen(session.id, remote, listener));
    this.endBatch();
  }

  private onData(s: NodeSession, chunk: Buffer): void {
    this.counters.bytesIn += chunk.length;
    this.counters.wakeups++;
    this.counters.syscalls++;
    if (s.closeReason) return;
    if (s.mode === 'sniff') {
      s.mode = 'tcp';
      if (chunk.length > 0 && chunk[0] === 0x47 /* 'G' of "GET " */ && this.upgrader) {
        this.startHttp(s, chunk);
        return;
      }
    }
    this.received(s, chunk);
  }

  /** Bytes for the frame reader: a TCP chunk, or one WebSocket binary message. */
  private received(s: NodeSession, chunk: Buffer): void {
    if (s.paused || s.reader.hasStash) {
      s.reader.keep(chunk);
      return;
    }
    this.counters.batches++;
    s.reader.push(chunk);
    this.afterChunk(s);
    this.endBatch();
  }

  /** The first byte was 'G': node:http reads the request head (within the frame deadline), ws upgrades. */
  private startHttp(s: NodeSession, first: Buffer): void {
    s.mode = 'http';
    if (s.onData) s.socket.off('data', s.onData);
    s.socket.pause();
    this.counters.httpRequests++;
    const deadline =
      this.limits.frameTimeoutMs > 0
        ? setTimeout(() => {
            if (s.mode === 'http' && !s.closeReason) this.closeSocket(s, 'frame_timeout', 0);
          }, this.limits.frameTimeoutMs)
        : null;
    this.upgrader?.take(s.socket, first, {
      upgraded: (ws) => {
        if (deadline) clearTimeout(deadline);
        this.upgraded(s, ws);
      },
      answered: (reason) => {
        if (deadline) clearTimeout(deadline);
        if (!s.closeReason) s.closeReason = reason;
      },
    });
  }

  private upgraded(s: NodeSession, ws: WebSocket): void {
    this.counters.wsUpgrades++;
    s.mode = 'ws';
    s.ws = ws;
    if (s.closeReason) {
      ws.terminate();
      return;
    }
    if (s.paused) ws.pause();
    this.watchWsInput(s);
    ws.on('error', (err: Error & { code?: string }) => {
      this.counters.wsViolations++;
      if (!s.closeReason) s.closeReason = wsErrorReason(err.code);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (s.closeReason) return;
      if (!isBinary) return this.violation(s, 1003, 'protocol_error');
      this.counters.bytesIn += data.length;
      this.received(s, data);
      // A message carries whole FastPort frames.
      if (!s.closeReason && !s.reader.hasStash && s.reader.inProgress)
        this.violation(s, 1007, 'frame_invalid');
    });
  }

  /** Puts an incomplete WebSocket frame or message under the frame deadline, as the native engines do. */
  private watchWsInput(s: NodeSession): void {
    const clock = new WsInputClock();
    s.wsInput = clock;
    // Before ws's own listener, so the clock is current while ws hands out the chunk's messages.
    s.socket.prependListener('data', (chunk: Buffer) => {
      clock.push(chunk);
      if (!s.paused) this.afterChunk(s);
    });
  }

  private violation(s: NodeSession, code: number, reason: CloseReason): void {
    this.counters.wsViolations++;
    s.closeReason = reason;
    s.reader.reset();
    s.out = [];
    s.outBytes = 0;
    this.dirty.delete(s);
    s.ws?.close(code);
  }

  private resumeSocket(s: NodeSession): void {
    if (s.ws) s.ws.resume();
    else s.socket.resume();
  }

  private onFrame(s: NodeSession, msgId: number, seq: number, payload: Uint8Array): boolean {
    if (s.closeReason) return false;
    this.counters.framesIn++;
    try {
      this.handler.onFrame(s.id, msgId, seq, payload);
    } catch (err) {
      reportHandlerError(err);
    }
    return !s.paused && !s.closeReason;
  }

  /** True while a started frame (over WebSocket: a started WebSocket frame or message) is incomplete. */
  private inputPending(s: NodeSession): boolean {
    return s.wsInput ? s.wsInput.pending : s.reader.inProgress;
  }

  /** Changes when one incomplete input completed and the next one started: the deadline restarts. */
  private inputEpoch(s: NodeSession): number {
    return s.wsInput ? s.wsInput.starts : s.reader.framesDone;
  }

  /** Starts, restarts or stops the frame completion deadline (slowloris) after a chunk was parsed. */
  private afterChunk(s: NodeSession): void {
    if (s.closeReason) return;
    const timeout = this.limits.frameTimeoutMs;
    if (timeout === 0) return;
    if (!this.inputPending(s)) {
      if (s.frameTimer) clearTimeout(s.frameTimer);
      s.frameTimer = null;
      return;
    }
    const epoch = this.inputEpoch(s);
    if (s.frameTimer && s.frameTimerFor === epoch) return;
    if (s.frameTimer) clearTimeout(s.frameTimer);
    s.frameTimerFor = epoch;
    const timer = setTimeout(() => {
      // Decide after this turn's I/O (setImmediate runs after the poll phase): bytes that arrived while JS
      // was busy count; a newer timer means the frame completed meanwhile.
      setImmediate(() => {
        if (s.frameTimer !== timer) return;
        s.frameTimer = null;
        if (!s.closeReason && this.inputPending(s)) this.closeSocket(s, 'frame_timeout', 0);
      });
    }, timeout);
    s.frameTimer = timer;
  }

  private endBatch(): void {
    if (this.handler.onBatchEnd) this.callHandler(() => this.handler.onBatchEnd?.());
  }

  private queue(s: NodeSession, frame: Buffer): void {
    s.out.push(frame);
    s.outBytes += frame.length;
    this.counters.framesOut++;
    if (this.pendingBytes(s) > this.limits.sendHardLimit) {
      this.closeSocket(s, 'backpressure', 0);
      return;
    }
    this.dirty.add(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    }
  }

  private pendingBytes(s: NodeSession): number {
    return s.outBytes + s.socket.writableLength;
  }

  /** Writes this turn's frames of one session in one write (or one corked writev for large ones). */
  private flushSession(s: NodeSession): void {
    if (s.out.length === 0 || s.socket.destroyed) return;
    const frames = s.out;
    const bytes = s.outBytes;
    s.out = [];
    s.outBytes = 0;
    if (s.socket.writableLength === 0) s.lastSendProgress = Date.now();
    const progress = (): void => this.onWriteDone(s);
    this.counters.writes++;
    this.counters.syscalls++;
    this.counters.bytesOut += bytes;
    if (s.ws) {
      // One binary message per session and turn, carrying every frame of the turn.
      s.ws.send(frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes), { binary: true }, progress);
    } else if (frames.length === 1) {
      s.socket.write(frames[0], progress);
    } else if (bytes <= CONCAT_BYTES) {
      s.socket.write(Buffer.concat(frames, bytes), progress);
    } else {
      s.socket.cork();
      for (let i = 0; i < frames.length - 1; i++) s.socket.write(frames[i]);
      s.socket.write(frames[frames.length - 1], progress);
      s.socket.uncork();
    }
    if (s.socket.writableLength > 0) this.startStallSweep();
    this.checkBlocked(s);
  }

  private checkBlocked(s: NodeSession): void {
    if (!s.blocked && this.pendingBytes(s) > this.limits.sendSoftLimit) {
      s.blocked = true;
      this.callHandler(() => this.handler.onWritable(s.id, false));
    }
  }

  private onWriteDone(s: NodeSession): void {
    s.lastSendProgress = Date.now();
    if (s.blocked && !s.closeReason && this.pendingBytes(s) <= this.limits.sendSoftLimit / 2) {
      s.blocked = false;
      this.callHandler(() => this.handler.onWritable(s.id, true));
    }
  }

  /** Checks sessions with bytes pending for send stalls (only while some session has been blocked). */
  private startStallSweep(): void {
    const stallMs = this.limits.sendStallMs;
    if (stallMs === 0 || this.stallSweep) return;
    this.stallSweep = setInterval(
      // After this turn's I/O (setImmediate runs after the poll phase): writes completed while JS was busy count.
      () => setImmediate(() => this.checkStalls(stallMs)),
      Math.max(10, Math.min(1000, stallMs / 4)),
    );
    this.stallSweep.unref();
  }

  private checkStalls(stallMs: number): void {
    const now = Date.now();
    let anyPending = false;
    for (const s of this.sessions.values()) {
      if (s.socket.writableLength === 0) continue;
      anyPending = true;
      if (now - s.lastSendProgress >= stallMs) this.closeSocket(s, 'send_stalled', 0);
    }
    if (!anyPending && this.stallSweep) {
      clearInterval(this.stallSweep);
      this.stallSweep = null;
    }
  }

  /** Closes now (dropping queued frames); onClose follows from the socket's 'close' event. */
  private closeSocket(s: NodeSession, reason: CloseReason, errno: number): void {
    if (!s.closeReason || s.closing) {
      s.closeReason = reason;
      s.errno = errno;
    }
    s.closing = false;
    s.reader.reset();
    s.out = [];
    s.outBytes = 0;
    this.dirty.delete(s);
    s.socket.destroy();
  }

  private onSocketError(s: NodeSession, err: NodeJS.ErrnoException): void {
    if (s.closeReason) return;
    const errno = typeof err.errno === 'number' ? Math.abs(err.errno) : 0;
    if (!s.open) {
      s.closeReason = connectFailure(err.code);
    } else if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      s.closeReason = 'reset';
    } else {
      s.closeReason = 'io_error';
    }
    s.errno = errno;
  }

  private closed(s: NodeSession): void {
    if (!this.sessions.has(s.id)) return;
    this.sessions.delete(s.id);
    this.dirty.delete(s);
    if (s.frameTimer) clearTimeout(s.frameTimer);
    if (s.connectTimer) clearTimeout(s.connectTimer);
    if (s.lingerTimer) clearTimeout(s.lingerTimer);
    s.reader.reset();
    if (s.open) this.openCount--;
    this.counters.closed++;
    const reason = s.closeReason ?? (s.open ? 'peer_closed' : 'connect_failed');
    this.counters.batches++;
    this.callHandler(() => this.handler.onClose(s.id, reason, s.errno));
    this.endBatch();
  }

  private callHandler(call: () => void): void {
    try {
      call();
    } catch (err) {
      reportHandlerError(err);
    }
  }

  private allocateSessionId(): SessionId {
    for (;;) {
      const id = this.nextSessionId;
      this.nextSessionId = id >= 0xffffffff ? 1 : id + 1;
      if (!this.sessions.has(id)) return id;
    }
  }
}
