import { ErrorCodes, GameError } from '../errors';
import {
  Ack,
  Bye,
  ErrorMessage,
  Hello,
  HELLO_MAGIC,
  Kick,
  Ping,
  PROTOCOL_VERSION,
  Welcome,
} from '../protocol/framework-messages';
import { encodeForSend, type MessageType, type RequestType } from '../protocol/message-type';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';
import { ACK_DELAY_MS, ClientResume, type ReconnectEvent } from '../resume/client-resume';
import { ReconnectPolicy } from '../resume/reconnect-policy';
import { ClientMux, type ClientEvents } from './client-mux';
import { parseOptions } from '../options/parse-options';
import { reconnectCallSchema, type GameClientCoreOptions, type ReconnectCallOptions } from './client-options';

export type { GameClientCoreOptions } from './client-options';

/** Timers of Node and browsers alike. */
type Timer = ReturnType<typeof setTimeout>;

/** Node timers have unref(): never keep the process alive for a client's timer. */
function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** Why a client's connection ended: the transport's reason, or `client_close` when the client closed it. */
export type ClientCloseReason = CloseReason | 'client_close';

/** An Error frame from the server, or a local failure (TIMEOUT, CLOSED), with its code. */
export class RequestError extends GameError {
  constructor(
    code: string,
    message: string,
    /** The message id the server failed on (0 if none). */
    readonly messageId = 0,
  ) {
    super(code, message);
    this.name = 'RequestError';
  }
}

interface Pending {
  response: MessageType<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: Timer;
  /** The request frame, re-sent after a resume (resumable clients only). */
  msgId: number;
  payload: Uint8Array | undefined;
  /** Made while reconnecting: still in the outbox, never sent. */
  queued: boolean;
}

/** A frame made while reconnecting, sent after the resume. */
interface QueuedFrame {
  msgId: number;
  seq: number;
  payload: Uint8Array;
}

type Listener = (message: unknown) => void;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The client for Node and browsers alike (no Node imports here): handshake, typed requests, one-way sends,
 * pushes, session resume, over any Transport that can connect (TCP in Node, WebSocket in both).
 */
export class GameClientCore {
  private host: string;
  private port: number;
  /** Where reconnects go in turn: the first address, then resume.addresses. */
  private addressTurn = 0;
  private readonly firstAddress: { host: string; port: number };
  protected readonly transport: Transport;
  protected readonly ownsTransport: boolean;
  private readonly mux: ClientMux;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly heartbeat: boolean;
  private readonly protocolVersion: number;
  private readonly magic: number;
  private id: SessionId | undefined;
  private open = false;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<number, { type: MessageType<unknown>; callbacks: Set<Listener> }>();
  private readonly errorListeners = new Set<(error: RequestError) => void>();
  private readonly closeListeners = new Set<(reason: ClientCloseReason) => void>();
  private closedWaiters: ((reason: ClientCloseReason) => void)[] = [];
  private closingByClient = false;
  private heartbeatTimer: Timer | undefined;
  private lastCloseReason: ClientCloseReason | undefined;
  private lastKick: string | undefined;
  private serverSessionId = 0;
  // Session resume (undefined unless options.resume).
  private readonly resume: ClientResume | undefined;
  private readonly reconnectPolicy: ReconnectPolicy | undefined;
  private readonly reconnectListeners = new Set<(event: ReconnectEvent) => void>();
  private reconnecting = false;
  private closingOnPurpose = false;
  private wakeReconnect: (() => void) | undefined;
  private outbox: QueuedFrame[] = [];
  private ackTimer: Timer | undefined;
  private helloSeq = 0;
  private resumeFailure: string | undefined;

  /**
   * options: validated by the client's schema (client-options.ts, node-client-options.ts); transport: the one to connect
   * through; owned: shut it down when the client closes.
   */
  constructor(options: GameClientCoreOptions, transport: Transport, owned: boolean) {
    this.port = options.port;
    this.host = options.host ?? '127.0.0.1';
    this.firstAddress = { host: this.host, port: this.port };
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.heartbeat = options.heartbeat ?? true;
    this.protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.magic = options.magic ?? HELLO_MAGIC;
    this.ownsTransport = owned;
    this.transport = transport;
    this.mux = ClientMux.of(this.transport);
    if (options.resume !== undefined && options.resume !== false) {
      this.reconnectPolicy = new ReconnectPolicy(options.resume === true ? {} : options.resume);
      this.resume = new ClientResume();
    }
  }

  get connected(): boolean {
    return this.open;
  }

  /** The server's id for this session (from Welcome). */
  get sessionId(): number {
    return this.serverSessionId;
  }

  /** True once the connection is gone (and before the first connect); `closeReason` says why. */
  get closed(): boolean {
    return !this.open;
  }

  /** Why the last connection closed (`client_close`: by this client). */
  get closeReason(): ClientCloseReason | undefined {
    return this.lastCloseReason;
  }

  /** The reason text of the last Kick the server sent. */
  get kickReason(): string | undefined {
    return this.lastKick;
  }

  /** Connects and does the handshake; rejects with RequestError (e.g. VERSION_MISMATCH, TIMEOUT, CLOSED). */
  async connect(): Promise<void> {
    if (this.id !== undefined) throw new Error('GameClient is already connected or connecting');
    const opened = new Promise<void>((resolve, reject) => {
      const events: ClientEvents = {
        onOpen: () => {
          this.open = true;
          resolve();
        },
        onFrame: (_id, msgId, seq, payload) => this.onFrame(msgId, seq, payload),
        onWritable: () => undefined,
        onClose: (_id, reason) => {
          if (!this.open)
            reject(
              new RequestError(ErrorCodes.CLOSED, `cannot connect to ${this.host}:${this.port}: ${reason}`),
            );
          this.onClosed(reason);
        },
      };
      this.lastCloseReason = undefined;
      this.lastKick = undefined;
      this.id = this.mux.connect(this.host, this.port, this.connectTimeoutMs, events);
    });
    await opened;
    this.resumeFailure = undefined;
    const hello = Hello.create({ magic: this.magic, protocolVersion: this.protocolVersion });
    if (this.resume !== undefined) Object.assign(hello, this.resume.helloFields());
    const welcome = await this.sendRequest(Hello, hello, this.connectTimeoutMs, true).catch(
      async (error: unknown) => {
        await this.dropConnection(false);
        throw error;
      },
    );
    this.serverSessionId = welcome.sessionId;
    if (this.heartbeat && welcome.heartbeatIntervalMs > 0 && this.open) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => {
        if (this.open && !this.reconnecting) this.send(Ping, { timestampMs: Date.now(), nonce: 0 });
      }, welcome.heartbeatIntervalMs);
      unref(this.heartbeatTimer);
    }
  }

  /**
   * Sends a request and resolves with its typed response; an Error frame rejects with RequestError. While a
   * resumable client reconnects, the request is queued (bounded) and sent after the resume.
   */
  request<Req, Res>(
    type: RequestType<Req, Res>,
    data: Req,
    options: { timeoutMs?: number } = {},
  ): Promise<Res> {
    return this.sendRequest(type, data, options.timeoutMs ?? this.requestTimeoutMs, false);
  }

  private sendRequest<Req, Res>(
    type: RequestType<Req, Res>,
    data: Req,
    timeoutMs: number,
    handshake: boolean,
  ): Promise<Res> {
    const queue = this.reconnecting && !handshake;
    if (queue && this.outbox.length >= this.reconnectPolicy!.queueLimit)
      return Promise.reject(new RequestError(ErrorCodes.QUEUE_FULL, `reconnecting, ${type.name} not queued`));
    if (!queue && (this.id === undefined || !this.open))
      return Promise.reject(new RequestError(ErrorCodes.CLOSED, `not connected (request ${type.name})`));
    const id = this.id;
    this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1;
    const seq = this.seq;
    if (handshake) this.helloSeq = seq;
    const payload = type.encode(data);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(
          new RequestError(ErrorCodes.TIMEOUT, `${type.name} got no answer within ${timeoutMs} ms`, type.id),
        );
      }, timeoutMs);
      this.pending.set(seq, {
        response: type.response,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
        msgId: type.id,
        payload: this.resume !== undefined && !handshake ? payload : undefined,
        queued: queue,
      });
      if (queue) this.outbox.push({ msgId: type.id, seq, payload });
      else this.transport.send(id!, type.id, seq, payload);
    });
  }

  /** Sends a one-way message (seq 0); queued (bounded) while a resumable client reconnects. */
  send<T>(type: MessageType<T>, data: T): void {
    if (this.reconnecting) {
      if (this.outbox.length >= this.reconnectPolicy!.queueLimit)
        throw new RequestError(ErrorCodes.QUEUE_FULL, `reconnecting, ${type.name} not queued`);
      this.outbox.push({ msgId: type.id, seq: 0, payload: type.encode(data) });
      return;
    }
    if (this.id === undefined || !this.open)
      throw new RequestError(ErrorCodes.CLOSED, `not connected (send ${type.name})`);
    this.transport.send(this.id, type.id, 0, encodeForSend(type, data));
  }

  /** Resume progress: `reconnecting`, `resumed`, `lost` (resumable clients only). */
  onReconnect(callback: (event: ReconnectEvent) => void): () => void {
    this.reconnectListeners.add(callback);
    return () => this.reconnectListeners.delete(callback);
  }

  /** True while a resumable client is reconnecting after a drop. */
  get isReconnecting(): boolean {
    return this.reconnecting;
  }

  /** Calls `callback` for each push of `type`; returns a function that unsubscribes. */
  on<T>(type: MessageType<T>, callback: (message: T) => void): () => void {
    let entry = this.listeners.get(type.id);
    if (entry === undefined) {
      entry = { type: type as MessageType<unknown>, callbacks: new Set() };
      this.listeners.set(type.id, entry);
    }
    const listener = callback as Listener;
    entry.callbacks.add(listener);
    return () => entry.callbacks.delete(listener);
  }

  /** Error frames that answer no pending request (seq 0: one-way messages, protocol errors). */
  onError(callback: (error: RequestError) => void): () => void {
    this.errorListeners.add(callback);
    return () => this.errorListeners.delete(callback);
  }

  /** Called when the connection closes; returns a function that unsubscribes. */
  onClose(callback: (reason: ClientCloseReason) => void): () => void {
    this.closeListeners.add(callback);
    return () => this.closeListeners.delete(callback);
  }

  /** Resolves with the close reason when the current connection closes (at once if it is closed). */
  whenClosed(): Promise<ClientCloseReason> {
    if (this.id === undefined && this.lastCloseReason !== undefined)
      return Promise.resolve(this.lastCloseReason);
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  /** Closes after queued sends (a resumable session ends: Bye); resolves when closed. Shuts down the client's own transport. */
  async close(): Promise<void> {
    this.stopReconnecting(new RequestError(ErrorCodes.CLOSED, 'the client was closed'));
    await this.dropConnection(true);
    if (this.ownsTransport) await this.transport.shutdown();
  }

  /** Closes the current connection; `endSession` also ends a resumable session (Bye) instead of keeping it. */
  private async dropConnection(endSession: boolean): Promise<void> {
    if (this.id === undefined) return;
    const done = this.whenClosed();
    this.closingByClient = true;
    if (endSession) {
      this.closingOnPurpose = true;
      if (this.open && this.resume?.resumable) this.transport.send(this.id, Bye.id, 0, Bye.encode({}));
      this.resume?.forget();
    }
    this.transport.close(this.id, 'server_close'); // the wire has no client reason; reported as client_close
    await done;
    this.closingOnPurpose = false;
  }

  /**
   * Connects again (closing the current connection first), retrying with exponential backoff.
   * Push listeners stay registered; pending requests of the old connection were rejected with CLOSED.
   */
  async reconnect(given: ReconnectCallOptions = {}): Promise<void> {
    const options = parseOptions(reconnectCallSchema, given, 'reconnect() options');
    const retries = options.retries ?? 5;
    let delay = options.delayMs ?? 100;
    const maxDelay = options.maxDelayMs ?? 5000;
    this.stopReconnecting(new RequestError(ErrorCodes.CLOSED, 'reconnect() starts a new session'));
    await this.dropConnection(true);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.connect();
        return;
      } catch (error) {
        if (attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  private onFrame(msgId: number, seq: number, payload: Uint8Array): void {
    if (this.resume !== undefined) this.countFrame(msgId, seq, payload);
    const pending = seq === 0 ? undefined : this.pending.get(seq);
    if (pending !== undefined) {
      this.pending.delete(seq);
      clearTimeout(pending.timer);
      try {
        if (msgId === ErrorMessage.id) {
          const error = ErrorMessage.decode(payload);
          pending.reject(new RequestError(error.code, error.message, error.messageId));
        } else if (msgId === pending.response.id) pending.resolve(pending.response.decode(payload));
        else
          pending.reject(
            new RequestError('BAD_RESPONSE', `expected ${pending.response.name}, got message ${msgId}`),
          );
      } catch (error) {
        pending.reject(error);
      }
      return;
    }
    try {
      if (msgId === ErrorMessage.id) {
        const error = ErrorMessage.decode(payload);
        if (error.messageId === Hello.id && this.pending.has(this.helloSeq)) {
          this.resumeFailure = error.code; // reported with the Welcome as `lost`
          return;
        }
        this.report(new RequestError(error.code, error.message, error.messageId));
        return;
      }
      if (msgId === Kick.id) {
        this.lastKick = Kick.decode(payload).reason;
        return;
      }
    } catch (error) {
      this.report(new RequestError(ErrorCodes.BAD_PAYLOAD, describe(error), msgId));
      return;
    }
    const entry = this.listeners.get(msgId);
    if (entry === undefined || entry.callbacks.size === 0) return;
    let message: unknown;
    try {
      message = entry.type.decode(payload);
    } catch (error) {
      this.report(new RequestError(ErrorCodes.BAD_PAYLOAD, describe(error), msgId));
      return;
    }
    for (const callback of entry.callbacks) {
      try {
        callback(message);
      } catch (error) {
        this.report(
          new RequestError(
            'LISTENER_ERROR',
            `on(${entry.type.name}) listener threw: ${describe(error)}`,
            msgId,
          ),
        );
      }
    }
  }

  /** A local problem with a received frame: to onError listeners, else stderr; never thrown into the transport. */
  private report(error: RequestError): void {
    if (this.errorListeners.size === 0) console.error(`fastport client: ${error.code}: ${error.message}`);
    callEach(this.errorListeners, error, 'onError');
  }

  private onClosed(transportReason: CloseReason): void {
    const reason: ClientCloseReason = this.closingByClient ? 'client_close' : transportReason;
    this.closingByClient = false;
    const wasOpen = this.open;
    this.id = undefined;
    this.open = false;
    this.lastCloseReason = reason;
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const detail = this.lastKick !== undefined ? `${reason}: ${this.lastKick}` : reason;
    const resume = this.resume;
    const willResume =
      resume !== undefined &&
      resume.resumable &&
      resume.counting &&
      wasOpen &&
      !this.closingOnPurpose &&
      this.lastKick === undefined;
    if (resume !== undefined) resume.counting = false;
    if (!willResume) {
      // A failed attempt of a running reconnect keeps the requests the resume will re-send.
      this.rejectPending(ErrorCodes.CLOSED, `connection closed (${detail})`, this.reconnecting);
      if (resume?.resumable && this.lastKick !== undefined && !this.reconnecting) {
        resume.forget();
        this.emitReconnect({ type: 'lost', reason: this.lastKick, fresh: false });
      }
    } else this.rejectPending(ErrorCodes.CLOSED, `connection closed (${detail})`, true);
    // Close listeners already see isReconnecting for a drop that will be resumed.
    const startLoop = willResume && !this.reconnecting;
    if (startLoop) this.reconnecting = true;
    for (const resolve of this.closedWaiters.splice(0)) resolve(reason);
    for (const listener of this.closeListeners) listener(reason);
    if (startLoop) void this.reconnectLoop(reason);
  }

  /** Rejects pending requests; with `keepResendable`, those a resume can re-send stay pending. */
  private rejectPending(code: string, message: string, keepResendable: boolean): void {
    for (const [seq, pending] of this.pending) {
      if (keepResendable && pending.payload !== undefined) continue;
      clearTimeout(pending.timer);
      this.pending.delete(seq);
      pending.reject(new RequestError(code, message));
    }
  }

  // ---- session resume ----

  /** Counts a frame of a resumable session (the server numbers the same frames) and acknowledges them. */
  private countFrame(msgId: number, seq: number, payload: Uint8Array): void {
    const resume = this.resume!;
    if (resume.counting) {
      if (resume.frameReceived(payload.length)) this.sendAck();
      else this.ackTimer ??= unref(setTimeout(() => this.sendAck(), ACK_DELAY_MS));
      return;
    }
    if (msgId !== Welcome.id || seq !== this.helloSeq || !this.pending.has(seq)) return;
    let welcome: Welcome;
    try {
      welcome = Welcome.decode(payload);
    } catch {
      return; // the pending Hello reports it
    }
    const replayed = resume.welcomed(welcome);
    if (!this.reconnecting) return;
    if (welcome.resumed) {
      queueMicrotask(() => this.finishResume(replayed));
      return;
    }
    const reason = this.resumeFailure ?? ErrorCodes.RESUME_UNKNOWN;
    queueMicrotask(() => this.finishLost(reason));
  }

  private sendAck(): void {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const received = this.resume?.takeAck();
    if (received === undefined || this.id === undefined || !this.open) return;
    this.transport.send(this.id, Ack.id, 0, Ack.encode({ received }));
  }

  private emitReconnect(event: ReconnectEvent): void {
    callEach(this.reconnectListeners, event, 'onReconnect');
  }

  private nextAddress(policy: ReconnectPolicy): void {
    if (policy.addresses.length === 0) return;
    const all = [this.firstAddress, ...policy.addresses];
    this.addressTurn = (this.addressTurn + 1) % all.length;
    ({ host: this.host, port: this.port } = all[this.addressTurn]);
  }

  /** Reconnects with backoff until resumed, told the session is lost, or out of attempts. */
  private async reconnectLoop(reason: string): Promise<void> {
    const policy = this.reconnectPolicy!;
    this.reconnecting = true;
    for (let attempt = 0; attempt < policy.maxAttempts && this.reconnecting; attempt++) {
      const delayMs = policy.delay(attempt);
      this.emitReconnect({ type: 'reconnecting', attempt: attempt + 1, delayMs, reason });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wakeReconnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeReconnect = undefined;
      if (!this.reconnecting) return;
      try {
        await this.connect();
        return; // finishResume / finishLost ran at the Welcome
      } catch {
        this.nextAddress(policy); // next attempt, at the next server if there are several
      }
    }
    if (!this.reconnecting) return;
    this.resume!.forget();
    this.stopReconnecting(
      new RequestError(ErrorCodes.SESSION_LOST, 'could not reconnect to resume the session'),
    );
    this.emitReconnect({ type: 'lost', reason: 'GAVE_UP', fresh: false });
  }

  /** Ends a reconnect: queued frames are dropped, and their requests and the pending ones rejected. */
  private stopReconnecting(error: RequestError): void {
    if (!this.reconnecting) return;
    this.reconnecting = false;
    this.wakeReconnect?.();
    this.outbox = [];
    this.rejectPending(error.code, error.message, false);
  }

  /** Resumed: re-send the requests still unanswered after the replay, then what was queued meanwhile. */
  private finishResume(replayed: number): void {
    this.reconnecting = false;
    const id = this.id;
    if (id !== undefined) {
      for (const [seq, pending] of this.pending)
        if (!pending.queued && pending.payload !== undefined)
          this.transport.send(id, pending.msgId, seq, pending.payload);
      for (const frame of this.outbox.splice(0)) {
        const pending = this.pending.get(frame.seq);
        if (pending !== undefined) pending.queued = false;
        if (frame.seq === 0 || pending !== undefined)
          this.transport.send(id, frame.msgId, frame.seq, frame.payload);
      }
    }
    this.emitReconnect({ type: 'resumed', replayed });
  }

  /** The server did not resume the session: its requests fail, the client goes on with a fresh session. */
  private finishLost(reason: string): void {
    this.stopReconnecting(new RequestError(ErrorCodes.SESSION_LOST, `the session was lost (${reason})`));
    this.emitReconnect({ type: 'lost', reason, fresh: this.open });
  }
}

/** Connects a new client (handshake included); on failure closes it, its own transport too, and rethrows. */
export async function connectedOrClosed<T extends GameClientCore>(client: T): Promise<T> {
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/** Calls every listener with `value`; one that throws is reported on stderr and the rest still run. */
function callEach<T>(listeners: Iterable<(value: T) => void>, value: T, what: string): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (error) {
      console.error(`fastport client: ${what} listener threw`, error);
    }
  }
}
