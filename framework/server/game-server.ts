import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { ActorSystem } from '../actors/actor-system';
import { ErrorCodes, GameError } from '../errors';
import { collectMessages, exploreHandlers, type HandlerEntry, type HandlerTable } from '../handlers/explorer';
import { createLogger, isLogger } from '../logging';
import {
  ErrorMessage,
  Hello,
  HELLO_MAGIC,
  Ping,
  Pong,
  PROTOCOL_VERSION,
  Welcome,
} from '../protocol/framework-messages';
import { PayloadError } from '../protocol/message-type';
import { RoomRegistry } from '../rooms/room';
import type { CloseReason } from '../transport/close-reason';
import { createTransport } from '../transport/create-transport';
import type { EngineName, SessionId, Transport, TransportHandler } from '../transport/transport';
import { Connection, type InboundFrame } from './connection';
import { resolveServerOptions, type GameServerOptions, type ResolvedServerOptions } from './options';
import { Session } from './session';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type SessionListener = (session: Session<unknown>) => void;
type SessionCloseListener = (session: Session<unknown>, reason: CloseReason) => void;

/**
 * The game server: a transport, a session actor per connection, the @Handler table, rooms and actors.
 * `new GameServer(options)` validates everything; `start()` builds the handler table and listens.
 */
export class GameServer implements TransportHandler {
  readonly container: Container;
  readonly logger: Logger;
  readonly rooms: RoomRegistry;
  readonly actors: ActorSystem;
  readonly transport: Transport;
  private readonly options: ResolvedServerOptions;
  private readonly connections = new Map<SessionId, Connection>();
  private table: HandlerTable = new Map();
  private listener: number | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopPromise: Promise<void> | undefined;
  private allClosedWaiters: (() => void)[] = [];
  private readonly openListeners: SessionListener[] = [];
  private readonly closeListeners: SessionCloseListener[] = [];
  /** Frames a mailbox may hold after reading paused: capacity, then what one read could still deliver. */
  private readonly mailboxHardLimit: number;

  constructor(options: GameServerOptions) {
    this.options = resolveServerOptions(options);
    const { logger } = this.options;
    this.logger = isLogger(logger) ? logger : createLogger(logger);
    this.container = this.options.container;
    this.mailboxHardLimit = 2 * this.options.session.mailboxCapacity + 1024;
    this.transport =
      this.options.transport ??
      createTransport({
        engine: this.options.engine,
        ioThreads: this.options.ioThreads,
        ...this.options.transportLimits,
        warn: (message) => this.logger.warn(message),
      });
    this.rooms = new RoomRegistry(this.transport);
    this.actors = new ActorSystem(this.logger, {
      mailboxCapacity: this.options.session.mailboxCapacity,
      askTimeoutMs: this.options.session.askTimeoutMs,
    });
    // Services may inject the server, its rooms and its actor system.
    if (!this.container.isBound(GameServer)) this.container.bind(GameServer).toConstantValue(this);
    if (!this.container.isBound(RoomRegistry)) this.container.bind(RoomRegistry).toConstantValue(this.rooms);
    if (!this.container.isBound(ActorSystem)) this.container.bind(ActorSystem).toConstantValue(this.actors);
  }

  get engine(): EngineName {
    return this.transport.engine;
  }

  /** Sessions open right now (including those still in the handshake). */
  get sessionCount(): number {
    return this.connections.size;
  }

  /** The session with this id, if open. */
  session(id: SessionId): Session<unknown> | undefined {
    return this.connections.get(id)?.session;
  }

  /** Called after a session completed its handshake. */
  onSessionOpen(listener: SessionListener): void {
    this.openListeners.push(listener);
  }

  /** Called when a session that completed its handshake closes. */
  onSessionClose(listener: SessionCloseListener): void {
    this.closeListeners.push(listener);
  }

  /** Builds the handler table (throws HandlerSetupError on a bad one), then listens. */
  async start(): Promise<{ port: number; engine: EngineName }> {
    if (this.state !== 'new') throw new Error(`GameServer.start() called while ${this.state}`);
    const { controllers, container, bindControllers, host, port, session } = this.options;
    const messages = collectMessages(this.options.messages);
    if (bindControllers) {
      for (const controller of controllers)
        if (!container.isBound(controller)) container.bind(controller).toSelf().inSingletonScope();
    }
    this.table = exploreHandlers({ controllers, container, messages });
    this.transport.setHandler(this);
    const bound = await this.transport.listen(host, port);
    this.listener = bound.listener;
    this.state = 'running';
    const sweepMs = Math.max(
      5,
      Math.min(
        1000,
        Math.floor(
          Math.min(session.handshakeTimeoutMs, session.idleTimeoutMs, session.mailboxOverflowMs) / 4,
        ),
      ),
    );
    this.sweeper = setInterval(this.sweep, sweepMs);
    this.sweeper.unref();
    this.logger.info(
      {
        engine: this.transport.engine,
        host,
        port: bound.port,
        handlers: this.table.size,
        rateLimit: session.rateLimit,
      },
      `listening on ${host}:${bound.port} with engine ${this.transport.engine}`,
    );
    return { port: bound.port, engine: this.transport.engine };
  }

  /**
   * Graceful shutdown: stops accepting, lets every queued request be handled and answered (new ones get
   * SHUTTING_DOWN), then closes every session with `shutdown` after their sends; bounded by shutdownTimeoutMs.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    const deadline = Date.now() + this.options.session.shutdownTimeoutMs;
    const untilDeadline = <T>(promise: Promise<T>): Promise<T | 'timeout'> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      });
      return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
    };
    if (wasRunning && this.listener !== undefined) this.transport.unlisten(this.listener);
    const drained = await untilDeadline(
      Promise.all([...this.connections.values()].map((c) => Promise.race([c.mailbox.idle(), c.closed]))),
    );
    if (drained === 'timeout')
      this.logger.warn('shutdown deadline reached with messages still being handled');
    if (this.connections.size > 0) {
      const allClosed = new Promise<void>((resolve) => this.allClosedWaiters.push(resolve));
      for (const connection of [...this.connections.values()])
        this.closeConnection(connection, 'shutdown', false);
      this.transport.flush();
      if ((await untilDeadline(allClosed)) === 'timeout')
        this.logger.warn('shutdown deadline reached with sends pending');
    }
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    await this.actors.stopAll();
    await this.transport.shutdown();
    this.state = 'stopped';
    this.logger.info('server stopped');
  }

  // ---- TransportHandler ----

  onOpen(id: SessionId, remote: string): void {
    if (this.state !== 'running') {
      this.transport.close(id, 'shutdown');
      return;
    }
    const logger = this.logger.child({ session: id, remote });
    const session = new Session<unknown>(id, remote, this.transport, logger);
    const connection = new Connection(session, this.options.session, Date.now(), {
      process: this.process,
      onError: this.onHandlerError,
      onFull: (c) => {
        c.overflowSince = Date.now();
        this.transport.pauseReading(c.session.id);
        c.session.logger.warn({ queued: c.mailbox.size }, 'mailbox full, reading paused');
      },
      onDrained: (c) => {
        c.overflowSince = undefined;
        if (c.phase !== 'closing') this.transport.resumeReading(c.session.id);
      },
    });
    this.connections.set(id, connection);
    logger.debug('session opened');
  }

  onFrame(id: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    const connection = this.connections.get(id);
    if (connection === undefined || connection.phase === 'closing' || connection.session.closing) return;
    const now = Date.now();
    connection.lastFrameAt = now;
    if (connection.rate !== undefined && !connection.rate.take(now)) {
      const { perSecond } = this.options.session.rateLimit as { perSecond: number };
      this.sendError(
        connection,
        seq,
        msgId,
        ErrorCodes.RATE_LIMITED,
        `more than ${perSecond} messages per second`,
      );
      this.closeConnection(connection, 'rate_limited');
      return;
    }
    if (connection.phase === 'handshake') {
      this.handshake(connection, msgId, seq, payload);
      return;
    }
    if (msgId === Ping.id) {
      this.answerPing(connection, seq, payload);
      return;
    }
    if (msgId === Pong.id) return; // activity only
    if (this.state !== 'running') {
      this.sendError(connection, seq, msgId, ErrorCodes.SHUTTING_DOWN, 'the server is shutting down');
      return;
    }
    if (connection.mailbox.size >= this.mailboxHardLimit) {
      // Reading pauses at capacity; a transport may still deliver what it had already read (one read's worth).
      this.closeConnection(connection, 'mailbox_overflow');
      return;
    }
    connection.mailbox.push({ msgId, seq, payload: payload.slice() });
  }

  onWritable(id: SessionId, writable: boolean): void {
    this.connections.get(id)?.session.setWritable(writable);
  }

  onClose(id: SessionId, reason: CloseReason, errno: number): void {
    const connection = this.connections.get(id);
    if (connection === undefined) return;
    this.connections.delete(id);
    const wasOpen = connection.phase !== 'handshake';
    connection.markClosed();
    connection.mailbox.clear();
    connection.session.markClosed(reason);
    connection.session.logger.debug({ reason, errno }, 'session closed');
    if (wasOpen)
      for (const listener of this.closeListeners) this.safely(() => listener(connection.session, reason));
    if (this.connections.size === 0) for (const resolve of this.allClosedWaiters.splice(0)) resolve();
  }

  // ---- policy ----

  private handshake(connection: Connection, msgId: number, seq: number, payload: Uint8Array): void {
    if (msgId !== Hello.id) {
      this.sendError(connection, seq, msgId, ErrorCodes.BAD_HANDSHAKE, 'the first frame must be Hello');
      this.closeConnection(connection, 'protocol_error');
      return;
    }
    let hello: Hello;
    try {
      hello = Hello.decode(payload);
    } catch (error) {
      this.sendError(connection, seq, msgId, ErrorCodes.BAD_PAYLOAD, describe(error));
      this.closeConnection(connection, 'protocol_error');
      return;
    }
    if (hello.magic !== HELLO_MAGIC) {
      this.sendError(connection, seq, msgId, ErrorCodes.BAD_HANDSHAKE, 'Hello has the wrong magic number');
      this.closeConnection(connection, 'protocol_error');
      return;
    }
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      const text = `server speaks protocol ${PROTOCOL_VERSION}, client sent ${hello.protocolVersion}`;
      this.sendError(connection, seq, msgId, ErrorCodes.VERSION_MISMATCH, text);
      this.closeConnection(connection, 'protocol_error');
      return;
    }
    connection.phase = 'open';
    const { session } = connection;
    const welcome = {
      protocolVersion: PROTOCOL_VERSION,
      sessionId: session.id,
      heartbeatIntervalMs: this.options.session.heartbeatIntervalMs,
    };
    this.transport.send(session.id, Welcome.id, seq, Welcome.encode(welcome));
    for (const listener of this.openListeners) this.safely(() => listener(session));
  }

  private answerPing(connection: Connection, seq: number, payload: Uint8Array): void {
    let ping: Ping;
    try {
      ping = Ping.decode(payload);
    } catch (error) {
      this.badPayload(connection, seq, Ping.id, error);
      return;
    }
    this.transport.send(connection.session.id, Pong.id, seq, Pong.encode(ping));
  }

  private process = (connection: Connection, frame: InboundFrame): void | Promise<void> => {
    if (connection.phase === 'closing' || connection.session.closing) return;
    const entry = this.table.get(frame.msgId);
    if (entry === undefined) {
      this.unknownMessage(connection, frame);
      return;
    }
    const { session } = connection;
    if (!entry.public && !session.authenticated) {
      const text = `${entry.type.name} needs an authenticated session`;
      this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.UNAUTHENTICATED, text);
      return;
    }
    let message: unknown;
    try {
      message = entry.type.decode(frame.payload);
    } catch (error) {
      this.badPayload(connection, frame.seq, frame.msgId, error);
      return;
    }
    const result = entry.invoke(message, session);
    if (isThenable(result)) {
      const limitMs = this.options.session.handlerTimeoutMs;
      if (limitMs > 0) return this.withinTurnLimit(connection, entry, frame, result, limitMs);
      return Promise.resolve(result).then((value) => this.reply(connection, entry, frame, value));
    }
    this.reply(connection, entry, frame, result);
  };

  /**
   * Bounds a handler turn: past `limitMs` the client gets Error HANDLER_TIMEOUT and the session closes
   * `server_close` (its actor cannot go on without breaking one-at-a-time); a late result is dropped.
   */
  private withinTurnLimit(
    connection: Connection,
    entry: HandlerEntry,
    frame: InboundFrame,
    result: PromiseLike<unknown>,
    limitMs: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        connection.session.logger.error({ handler: entry.label, limitMs }, 'handler turn timed out');
        const text = `the handler did not finish within ${limitMs} ms`;
        this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.HANDLER_TIMEOUT, text);
        this.closeConnection(connection, 'server_close');
        resolve();
      }, limitMs);
      Promise.resolve(result).then(
        (value) => {
          clearTimeout(timer);
          if (timedOut) return;
          this.reply(connection, entry, frame, value);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (timedOut) return;
          reject(error);
        },
      );
    });
  }

  private reply(connection: Connection, entry: HandlerEntry, frame: InboundFrame, value: unknown): void {
    if (entry.response === undefined) return;
    let payload: Uint8Array;
    try {
      payload = entry.response.encode(value);
    } catch (error) {
      connection.session.logger.error({ err: error, handler: entry.label }, 'response could not be encoded');
      this.sendError(
        connection,
        frame.seq,
        frame.msgId,
        ErrorCodes.HANDLER_ERROR,
        'the response could not be encoded',
      );
      return;
    }
    this.transport.send(connection.session.id, entry.response.id, frame.seq, payload);
  }

  private onHandlerError = (connection: Connection, error: unknown, frame: InboundFrame): void => {
    const label = this.table.get(frame.msgId)?.label;
    if (error instanceof GameError) {
      connection.session.logger.debug({ code: error.code, handler: label }, error.message);
      this.sendError(connection, frame.seq, frame.msgId, error.code, error.message);
    } else {
      connection.session.logger.error({ err: error, handler: label, msgId: frame.msgId }, 'handler failed');
      this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.HANDLER_ERROR, 'the handler failed');
    }
  };

  private unknownMessage(connection: Connection, frame: InboundFrame): void {
    const count = connection.unknownMessages.hit(Date.now());
    const text = `no handler for message id ${frame.msgId}`;
    this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.UNKNOWN_MESSAGE, text);
    if (count >= this.options.session.unknownMessageLimit) {
      connection.session.logger.warn({ msgId: frame.msgId, count }, 'too many unknown messages');
      this.closeConnection(connection, 'protocol_error');
    }
  }

  private badPayload(connection: Connection, seq: number, msgId: number, error: unknown): void {
    const text =
      error instanceof PayloadError ? error.message : `cannot decode message ${msgId}: ${describe(error)}`;
    connection.session.logger.warn({ msgId }, text);
    this.sendError(connection, seq, msgId, ErrorCodes.BAD_PAYLOAD, text);
    this.closeConnection(connection, 'protocol_error');
  }

  private sendError(
    connection: Connection,
    seq: number,
    messageId: number,
    code: string,
    message: string,
  ): void {
    this.transport.send(
      connection.session.id,
      ErrorMessage.id,
      seq,
      ErrorMessage.encode({ code, message, messageId }),
    );
  }

  /** Server-side close: queued messages are dropped unless `dropQueued` is false; sends already queued go out. */
  private closeConnection(connection: Connection, reason: CloseReason, dropQueued = true): void {
    if (connection.phase === 'closing') return;
    connection.phase = 'closing';
    if (dropQueued) connection.mailbox.clear();
    connection.session.close(reason);
  }

  private sweep = (): void => {
    const now = Date.now();
    const limits = this.options.session;
    for (const connection of this.connections.values()) {
      if (connection.phase === 'closing') continue;
      if (connection.phase === 'handshake' && now - connection.openedAt >= limits.handshakeTimeoutMs)
        this.closeConnection(connection, 'handshake_timeout');
      else if (now - connection.lastFrameAt >= limits.idleTimeoutMs && !connection.mailbox.busy)
        this.closeConnection(connection, 'idle_timeout');
      else if (
        connection.overflowSince !== undefined &&
        now - connection.overflowSince >= limits.mailboxOverflowMs
      )
        this.closeConnection(connection, 'mailbox_overflow');
    }
  };

  private safely(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.logger.error({ err: error }, 'session listener failed');
    }
  }
}
