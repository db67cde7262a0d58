import { ErrorCodes, GameError, OptionError } from '../errors';
import {
  ErrorMessage,
  Hello,
  HELLO_MAGIC,
  Kick,
  Ping,
  PROTOCOL_VERSION,
} from '../protocol/framework-messages';
import { encodeForSend, type MessageType, type RequestType } from '../protocol/message-type';
import { checkInteger } from '../server/options';
import type { CloseReason } from '../transport/close-reason';
import { createTransport } from '../transport/create-transport';
import type { EngineChoice, SessionId, Transport } from '../transport/transport';
import { ClientMux, type ClientEvents } from './client-mux';

export interface GameClientOptions {
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** A transport to connect through (may be shared by many clients); closing a client does not shut it down. */
  transport?: Transport;
  /** Engine for a transport of the client's own (default 'node'); ignored with `transport`. */
  engine?: EngineChoice;
  /** Default 5000 ms, covering connect and handshake. */
  connectTimeoutMs?: number;
  /** Default request timeout (10000 ms). */
  requestTimeoutMs?: number;
  /** Send Ping at the interval the server announces in Welcome (default true). */
  heartbeat?: boolean;
  /** Overrides for tests of the handshake. */
  protocolVersion?: number;
  magic?: number;
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
  timer: NodeJS.Timeout;
}

type Listener = (message: unknown) => void;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A client for bots, tests and tools: handshake, typed requests, one-way sends, pushes, reconnect. */
export class GameClient {
  private readonly host: string;
  private readonly port: number;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;
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
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastCloseReason: ClientCloseReason | undefined;
  private lastKick: string | undefined;
  private serverSessionId = 0;

  constructor(options: GameClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new OptionError('GameClient options must be an object');
    this.port = checkInteger('port', options.port, 1, 65535);
    this.host = options.host ?? '127.0.0.1';
    if (typeof this.host !== 'string' || this.host === '')
      throw new OptionError('host must be a non-empty string');
    this.connectTimeoutMs = checkInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? 5000,
      1,
      2_147_483_647,
    );
    this.requestTimeoutMs = checkInteger(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? 10_000,
      1,
      2_147_483_647,
    );
    this.heartbeat = options.heartbeat ?? true;
    this.protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.magic = options.magic ?? HELLO_MAGIC;
    if (options.transport !== undefined && options.engine !== undefined)
      throw new OptionError('give either transport or engine, not both');
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? createTransport({ engine: options.engine ?? 'node' });
    this.mux = ClientMux.of(this.transport);
  }

  /** Creates a client and connects it (handshake included). */
  static async connect(options: GameClientOptions): Promise<GameClient> {
    const client = new GameClient(options);
    try {
      await client.connect();
    } catch (error) {
      if (client.ownsTransport) await client.transport.shutdown();
      throw error;
    }
    return client;
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
    const welcome = await this.request(
      Hello,
      { magic: this.magic, protocolVersion: this.protocolVersion },
      {
        timeoutMs: this.connectTimeoutMs,
      },
    ).catch(async (error: unknown) => {
      await this.dropConnection();
      throw error;
    });
    this.serverSessionId = welcome.sessionId;
    if (this.heartbeat && welcome.heartbeatIntervalMs > 0) {
      this.heartbeatTimer = setInterval(
        () => this.send(Ping, { timestampMs: Date.now(), nonce: 0 }),
        welcome.heartbeatIntervalMs,
      );
      this.heartbeatTimer.unref();
    }
  }

  /** Sends a request and resolves with its typed response; an Error frame rejects with RequestError. */
  request<Req, Res>(
    type: RequestType<Req, Res>,
    data: Req,
    options: { timeoutMs?: number } = {},
  ): Promise<Res> {
    if (this.id === undefined || !this.open)
      return Promise.reject(new RequestError(ErrorCodes.CLOSED, `not connected (request ${type.name})`));
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const id = this.id;
    this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1;
    const seq = this.seq;
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
      });
      this.transport.send(id, type.id, seq, payload);
    });
  }

  /** Sends a one-way message (seq 0). */
  send<T>(type: MessageType<T>, data: T): void {
    if (this.id === undefined || !this.open)
      throw new RequestError(ErrorCodes.CLOSED, `not connected (send ${type.name})`);
    this.transport.send(this.id, type.id, 0, encodeForSend(type, data));
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

  /** Closes after queued sends; resolves when closed. Shuts down the client's own transport. */
  async close(): Promise<void> {
    await this.dropConnection();
    if (this.ownsTransport) await this.transport.shutdown();
  }

  private async dropConnection(): Promise<void> {
    if (this.id === undefined) return;
    const done = this.whenClosed();
    this.closingByClient = true;
    this.transport.close(this.id, 'server_close'); // the wire has no client reason; reported as client_close
    await done;
  }

  /**
   * Connects again (closing the current connection first), retrying with exponential backoff.
   * Push listeners stay registered; pending requests of the old connection were rejected with CLOSED.
   */
  async reconnect(options: { retries?: number; delayMs?: number; maxDelayMs?: number } = {}): Promise<void> {
    const retries = checkInteger('retries', options.retries ?? 5, 0, 1000);
    let delay = checkInteger('delayMs', options.delayMs ?? 100, 0, 600_000);
    const maxDelay = checkInteger('maxDelayMs', options.maxDelayMs ?? 5000, 0, 600_000);
    await this.dropConnection();
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
    for (const listener of this.errorListeners) {
      try {
        listener(error);
      } catch (listenerError) {
        console.error('fastport client: onError listener threw', listenerError);
      }
    }
  }

  private onClosed(transportReason: CloseReason): void {
    const reason: ClientCloseReason = this.closingByClient ? 'client_close' : transportReason;
    this.closingByClient = false;
    this.id = undefined;
    this.open = false;
    this.lastCloseReason = reason;
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const detail = this.lastKick !== undefined ? `${reason}: ${this.lastKick}` : reason;
    for (const [seq, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(seq);
      pending.reject(new RequestError(ErrorCodes.CLOSED, `connection closed (${detail})`));
    }
    for (const resolve of this.closedWaiters.splice(0)) resolve(reason);
    for (const listener of this.closeListeners) listener(reason);
  }
}
