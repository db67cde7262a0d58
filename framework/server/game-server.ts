import type { Container } from 'inversify';
import { warmNativeBufferMap } from './buffer-map-warmup';
import { sweepArrayBuffersInPause } from './array-buffer-sweeping';
import type { Logger } from 'pino';
import { ActorSystem } from '../actors/actor-system';
import { Admin } from '../admin/admin';
import { RepeatedEventLog } from '../admin/repeated-events';
import type { Cluster } from '../cluster/cluster';
import { ClusterUserDirectory } from '../cluster/cluster-user-directory';
import { LocalCluster } from '../cluster/local-cluster';
import { NatsCluster } from '../cluster/nats-cluster';
import { ErrorCodes } from '../errors';
import { collectMessages, exploreHandlers, unhandledRequests } from '../handlers/explorer';
import { requireAuthentication } from '../handlers/guards';
import { composeChain, type MiddlewareLike } from '../handlers/middleware';
import { createLogger, isLogger } from '../logging';
import { pooledCopy } from '../packets/field-bytes';
import { Ping, Pong } from '../protocol/framework-messages';
import {
  SessionKeeper,
  type SessionDropListener,
  type SessionResumeListener,
} from '../resume/session-keeper';
import { Matchmaker } from '../rooms/matchmaker';
import { MatchmakerPortal } from '../rooms/room-portal';
import { payloadEncoderOf, type MessageType } from '../protocol/message-type';
import { LocalUserDirectory, type UserDirectory } from '../users/user-directory';
import { UserIndex } from '../users/user-index';
import type { CloseReason } from '../transport/close-reason';
import { createTransport } from '../transport/create-transport';
import { loadedAddon } from '../transport/loader';
import type { EngineName, SessionId, Transport, TransportHandler } from '../transport/transport';
import { Connection, type ConnectionHooks } from './connection';
import { ConnectionTable } from './connection-table';
import type { AdminTarget } from '../admin/admin-target';
import { noObserver, type ServerObserver } from './observer';
import { FramePipeline, type Route, type RouteTable } from './frame-pipeline';
import { resolveServerOptions, type GameServerOptions, type ResolvedServerOptions } from './options';
import { Session, type SessionContext } from './session';
import { sessionClockMs } from './session-clock';

/** Read once: the packet constants are re-exported through getters, a call per read. */
const PING_ID = Ping.id;
const PONG_ID = Pong.id;

// Listeners see sessions of the application's user type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySession = Session<any, any>;
type SessionListener = (session: AnySession) => void;
type SessionCloseListener = (session: AnySession, reason: CloseReason) => void;

function unsubscriber<T>(list: Set<T>, item: T): () => void {
  list.add(item);
  return () => list.delete(item);
}

/**
 * The game server: a transport, a session actor per connection, the @Handler table, rooms and actors.
 * `new GameServer(options)` validates everything; `start()` builds the handler table and listens.
 */
export class GameServer implements TransportHandler {
  readonly container: Container;
  readonly logger: Logger;
  /** Room types, live rooms and matchmaking. */
  readonly rooms: Matchmaker;
  /** User id -> session, when the `users` option is given (else an empty directory). */
  readonly users: UserDirectory;
  readonly actors: ActorSystem;
  /** Actors by type + id, rooms and users across nodes (in this process without the `cluster` option). */
  readonly cluster: Cluster;
  readonly transport: Transport;
  /** The admin listener (metrics, health, API, dashboard) when `admin` was given. */
  readonly admin: Admin | undefined;
  private readonly observer: ServerObserver;
  /** Warnings a client can cause, summarised per kind (docs/operations.md "Logs"). */
  private readonly events: RepeatedEventLog;
  private readonly options: ResolvedServerOptions;
  private readonly connections = new ConnectionTable();
  private table: RouteTable = new Map();
  private messages: ReadonlyMap<number, MessageType<unknown>> = new Map();
  /** The application's middleware (the login gate is a flag of each route, checked before it). */
  private readonly middleware: MiddlewareLike[] = [];
  private readonly sessionContext: SessionContext;
  private readonly pipeline: FramePipeline;
  /** The clock of the batch being delivered; -1 between batches (batchClock()). */
  private batchNow = -1;
  /** Every connection's mailbox hooks (one object, not closures per connection). */
  private readonly connectionHooks: ConnectionHooks;
  private listener: number | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopPromise: Promise<void> | undefined;
  private allClosedWaiters: (() => void)[] = [];
  private readonly openListeners = new Set<SessionListener>();
  private readonly closeListeners = new Set<SessionCloseListener>();
  /** Frames a mailbox may hold after reading paused: capacity, then what one read could still deliver. */
  private readonly mailboxHardLimit: number;
  /** Session resume (framework/resume/); undefined when limits.resumeWindowMs is 0. */
  private readonly keeper: SessionKeeper | undefined;

  constructor(options: GameServerOptions) {
    this.options = resolveServerOptions(options);
    const { logger } = this.options;
    this.logger = isLogger(logger) ? logger : createLogger(logger);
    this.container = this.options.container;
    this.mailboxHardLimit = 2 * this.options.session.mailboxCapacity + 1024;
    const transport =
      this.options.transport ??
      createTransport({
        ...this.options.transportOptions,
        warn: (message) => this.logger.warn(message),
      });
    this.keeper = this.createKeeper(transport);
    this.transport = this.keeper?.transport ?? transport;
    this.actors = new ActorSystem(this.logger, {
      mailboxCapacity: this.options.session.mailboxCapacity,
      askTimeoutMs: this.options.session.askTimeoutMs,
    });
    this.cluster = this.options.cluster ? new NatsCluster(this.options.cluster) : new LocalCluster();
    this.rooms = new Matchmaker(
      this.options.roomRegistry ?? this.cluster.roomRegistry,
      this.actors,
      this.transport,
      this.container,
      this.options.roomLimits,
    );
    for (const [type, roomClass] of Object.entries(this.options.roomTypes))
      this.rooms.define(type, roomClass);
    const users = this.options.users;
    this.users =
      users?.directory ??
      (this.cluster.distributed
        ? new ClusterUserDirectory(() => this.cluster.users, this.logger)
        : new LocalUserDirectory());
    this.middleware.push(...this.options.use);
    this.sessionContext = {
      transport: this.transport,
      logger: this.logger,
      users: users === undefined ? undefined : new UserIndex(users.idOf, this.users, users.secondLogin),
      newState: this.options.sessionState,
    };
    this.admin = this.options.admin && new Admin(this.options.admin, this.adminTarget(), this.logger);
    this.observer = this.admin?.observer ?? noObserver;
    this.events = new RepeatedEventLog(this.logger);
    this.pipeline = new FramePipeline({
      transport: this.transport,
      limits: this.options.session,
      observer: this.observer,
      events: this.events,
      messageType: (id) => this.messages.get(id),
      rooms: this.rooms,
      closeConnection: (connection, reason) => this.closeConnection(connection, reason),
      sessionOpened: (session) => {
        const connection = this.connections.get(session.id);
        if (connection !== undefined) this.keeper?.opened(connection);
        // Guarded: iterating even an empty set makes an iterator per connect (young-generation garbage).
        if (this.openListeners.size > 0)
          for (const listener of this.openListeners) this.safely(() => listener(session));
      },
      resumeHello: this.keeper && ((c, hello, seq, welcome) => this.keeper!.hello(c, hello, seq, welcome)),
    });
    this.connectionHooks = {
      limits: this.options.session,
      process: this.pipeline.process,
      onError: this.pipeline.onHandlerError,
      onFull: (c) => {
        c.overflowSince = sessionClockMs();
        this.transport.pauseReading(c.session.id);
        this.events.warn('mailbox_full', c.session, { queued: c.queued }, 'mailbox full, reading paused');
      },
      onDrained: (c) => {
        c.overflowSince = undefined;
        if (c.phase !== 'closing') this.transport.resumeReading(c.session.id);
      },
    };
    // Services may inject the server, its matchmaker and its actor system.
    if (!this.container.isBound(GameServer)) this.container.bind(GameServer).toConstantValue(this);
    if (!this.container.isBound(Matchmaker)) this.container.bind(Matchmaker).toConstantValue(this.rooms);
    if (!this.container.isBound(ActorSystem)) this.container.bind(ActorSystem).toConstantValue(this.actors);
  }

  /** Adds middleware around every handler (outermost first, after the login gate); before start(). */
  use(...middleware: MiddlewareLike[]): this {
    if (this.state !== 'new') throw new Error('GameServer.use() must be called before start()');
    this.middleware.push(...middleware);
    return this;
  }

  get engine(): EngineName {
    return this.transport.engine;
  }

  /** Sessions open right now (including those still in the handshake). */
  get sessionCount(): number {
    return this.connections.size;
  }

  /** The session with this id, if open. */
  session(id: SessionId): AnySession | undefined {
    return this.connections.get(id)?.session;
  }

  /** Called after a session completed its handshake; returns a function that unsubscribes. */
  onSessionOpen(listener: SessionListener): () => void {
    return unsubscriber(this.openListeners, listener);
  }

  /** Called when a session that completed its handshake closes; returns a function that unsubscribes. */
  onSessionClose(listener: SessionCloseListener): () => void {
    return unsubscriber(this.closeListeners, listener);
  }

  /** Called when a resumable session's connection is lost and the session is kept (docs/resume.md). */
  onSessionDrop(listener: SessionDropListener): void {
    this.keeper?.dropListeners.push(listener);
  }

  /** Called when a dropped session came back on a new connection (its replay already sent). */
  onSessionResume(listener: SessionResumeListener): void {
    this.keeper?.resumeListeners.push(listener);
  }

  /** Called when a dropped session's resume window ends without it coming back; onSessionClose follows. */
  onSessionLeave(listener: SessionDropListener): void {
    this.keeper?.leaveListeners.push(listener);
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
    const rooms = this.rooms.definitions();
    const handlers = exploreHandlers({ controllers, container, messages, rooms });
    const routes = new Map<number, Route>();
    for (const [id, entry] of handlers)
      routes.set(id, {
        ...entry,
        gated: requireAuthentication.appliesTo!(entry),
        chain: composeChain(this.middleware, entry, this.pipeline.invokeRoute),
        turns: this.observer.handlerTurns(entry),
        replyEncoder: entry.response && payloadEncoderOf(entry.response),
      });
    this.table = routes;
    this.pipeline.useRoutes(routes);
    this.messages = messages;
    const unhandled = unhandledRequests(messages, handlers);
    if (unhandled.length > 0)
      this.logger.warn(
        { messages: unhandled.map((type) => type.name) },
        `no handler for ${unhandled.map((type) => type.name).join(', ')}: clients sending them get UNKNOWN_MESSAGE`,
      );
    await this.cluster.start({
      logger: this.logger,
      actors: this.actors,
      transport: this.transport,
      session: (id) => this.session(id),
      messages,
      askTimeoutMs: session.askTimeoutMs,
      rooms: new MatchmakerPortal(this.rooms, {
        route: (id) => this.table.get(id),
        session: (id) => this.session(id),
        transport: this.transport,
      }),
    });
    this.rooms.usePeers(this.cluster.roomPeers);
    this.transport.setHandler(this);
    warmNativeBufferMap(); // before traffic: a game's first hash, HTTP call or admin request would do it under load
    if (this.options.sweepArrayBuffersInPause) sweepArrayBuffersInPause();
    await this.admin?.start();
    const bound = await this.transport.listen(host, port).catch(async (error: unknown) => {
      await this.admin?.stop();
      throw error;
    });
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
    const addon = this.transport.engine === 'node' ? undefined : loadedAddon();
    this.logger.info(
      {
        engine: this.transport.engine,
        ...addon,
        host,
        port: bound.port,
        handlers: this.table.size,
        rateLimit: session.rateLimit,
      },
      `listening on ${host}:${bound.port} with engine ${this.transport.engine}` +
        (addon ? ` (addon: ${addon.origin})` : ''),
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
      Promise.all([...this.connections.values()].map((c) => Promise.race([c.idle(), c.closed]))),
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
    // Closed members give their seats back while the room registry (the cluster's) is still reachable.
    if ((await untilDeadline(this.rooms.settled())) === 'timeout')
      this.logger.warn('shutdown deadline reached with room leaves pending');
    if ((await untilDeadline(this.cluster.stop())) === 'timeout')
      this.logger.warn('shutdown deadline reached while leaving the cluster');
    if ((await untilDeadline(this.actors.stopAll())) === 'timeout')
      this.logger.warn('shutdown deadline reached with actors still handling a message');
    await this.transport.shutdown();
    this.events.flush();
    await this.admin?.stop();
    this.state = 'stopped';
    this.logger.info('server stopped');
  }

  // ---- TransportHandler ----

  onOpen(id: SessionId, remote: string): void {
    if (this.state !== 'running') {
      this.transport.close(id, 'shutdown');
      return;
    }
    const session = new Session<unknown, object>(id, remote, this.sessionContext);
    const now = sessionClockMs();
    const connection = new Connection(session, now, this.connectionHooks);
    this.connections.set(id, connection);
    session.debug('session opened');
  }

  onFrame(id: SessionId, msgId: number, seq: number, payload: Uint8Array, owned = false): void {
    const connection = this.connections.get(id);
    if (connection === undefined || connection.phase === 'closing' || connection.session.closing) return;
    const now = this.batchClock();
    connection.lastFrameAt = now;
    if (connection.rate !== undefined && !connection.rate.take(now)) {
      this.observer.rateLimited();
      const { perSecond } = this.options.session.rateLimit as { perSecond: number };
      this.pipeline.sendError(
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
      this.pipeline.handshake(connection, msgId, seq, payload);
      return;
    }
    if (msgId === PING_ID) {
      this.pipeline.answerPing(connection, seq, payload);
      return;
    }
    if (msgId === PONG_ID) return; // activity only
    const resume = connection.resume;
    if (resume !== undefined && this.keeper!.inbound(connection, resume, msgId, seq, payload)) return;
    if (this.state !== 'running') {
      this.pipeline.sendError(
        connection,
        seq,
        msgId,
        ErrorCodes.SHUTTING_DOWN,
        'the server is shutting down',
      );
      return;
    }
    if (connection.queued >= this.mailboxHardLimit) {
      // Reading pauses at capacity; a transport may still deliver what it had already read (one read's worth).
      this.closeConnection(connection, 'mailbox_overflow');
      return;
    }
    // An idle mailbox handles the frame inside push(), decoding it before any await: the transport's view is
    // enough. A frame that has to wait is copied out of the batch, which the transport reuses (unless the
    // transport handed the bytes over as the handler's own); the copy is then the frame's own.
    const mailbox = connection.mailbox;
    const copy = mailbox.busy && !owned;
    mailbox.push({ msgId, seq, payload: copy ? pooledCopy(payload) : payload, owned: owned || copy });
  }

  onBatchEnd(): void {
    this.batchNow = -1;
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
    connection.dropQueued();
    connection.session.markClosed(reason);
    connection.session.debug('session closed', { reason, errno });
    this.observer.closed(reason, wasOpen);
    if (wasOpen)
      for (const listener of this.closeListeners) this.safely(() => listener(connection.session, reason));
    if (this.connections.size === 0) for (const resolve of this.allClosedWaiters.splice(0)) resolve();
  }

  /** Server-side close: queued messages are dropped unless `dropQueued` is false; sends already queued go out. */
  private closeConnection(connection: Connection, reason: CloseReason, dropQueued = true): void {
    if (connection.phase === 'closing') return;
    connection.phase = 'closing';
    if (dropQueued) connection.dropQueued();
    connection.session.close(reason);
  }

  /** sessionClockMs(), read once per transport batch (cleared by onBatchEnd, and by each sweep as a backstop). */
  private batchClock(): number {
    if (this.batchNow < 0) this.batchNow = sessionClockMs();
    return this.batchNow;
  }

  /** The clock of the sweep under way (sweepOne reads it). */
  private sweepNow = 0;

  // forEach, not for...of: an iterator result per connection per sweep is garbage even while all are idle.
  private sweep = (): void => {
    this.batchNow = -1;
    this.sweepNow = sessionClockMs();
    this.connections.forEach(this.sweepOne);
  };

  private sweepOne = (connection: Connection): void => {
    const now = this.sweepNow;
    const limits = this.options.session;
    if (connection.phase === 'closing' || connection.session.away) return;
    if (connection.phase === 'handshake' && now - connection.openedAt >= limits.handshakeTimeoutMs)
      this.closeConnection(connection, 'handshake_timeout');
    else if (now - connection.lastFrameAt >= limits.idleTimeoutMs && !connection.busy)
      this.closeConnection(connection, 'idle_timeout');
    else if (
      connection.overflowSince !== undefined &&
      now - connection.overflowSince >= limits.mailboxOverflowMs
    )
      this.closeConnection(connection, 'mailbox_overflow');
  };

  private createKeeper(transport: Transport): SessionKeeper | undefined {
    const limits = this.options.session;
    if (limits.resumeWindowMs === 0) return undefined;
    const policy = {
      windowMs: limits.resumeWindowMs,
      replayFrames: limits.resumeReplayFrames,
      replayBytes: limits.resumeReplayBytes,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      node: this.options.cluster?.node ?? '',
    };
    return new SessionKeeper(transport, policy, {
      logger: this.logger,
      connection: (id) => this.connections.get(id),
      forget: (id) => this.connections.delete(id),
      closeConnection: (connection, reason) => this.closeConnection(connection, reason),
      sendError: (connection, seq, msgId, code, text) =>
        this.pipeline.sendError(connection, seq, msgId, code, text),
      badPayload: (connection, seq, msgId, error) => this.pipeline.badPayload(connection, seq, msgId, error),
      isRunning: () => this.state === 'running',
    });
  }

  /** The admin listener's read-only view of this server, and its way to reach a session. */
  private adminTarget(): AdminTarget {
    const engine = (): EngineName => this.engine;
    const accepting = (): boolean => this.state === 'running';
    return {
      transport: this.transport,
      get engine() {
        return engine();
      },
      get accepting() {
        return accepting();
      },
      connections: () => this.connections.values(),
      session: (id) => this.session(id),
      rooms: () => this.rooms.hostedRooms(),
    };
  }

  private safely(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.logger.error({ err: error }, 'session listener failed');
    }
  }
}
