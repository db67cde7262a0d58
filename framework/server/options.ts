import { Container } from 'inversify';
import type { Logger } from 'pino';
import { resolveAdminOptions, type AdminOptions, type ResolvedAdminOptions } from '../admin/admin-options';
import { OptionError } from '../errors';
import { checkInteger } from '../check-integer';
import type { ClusterOptions } from '../cluster/options';
import type { ControllerClass } from '../handlers/explorer';
import type { MiddlewareLike } from '../handlers/middleware';
import { defaultRoomLimits, type RoomClass, type RoomLimits } from '../rooms/matchmaker';
import type { RoomRegistry } from '../rooms/room-registry';
import type { UserIndexOptions } from '../users/user-index';
import { isLogger, type LoggerOptions } from '../logging';
import { TRANSPORT_OPTION_KEYS, type TransportOptions } from '../transport/options';
import type { EngineChoice, Transport } from '../transport/transport';

/** Session policy limits (docs/architecture.md, "Limits"); every timer is configurable so tests can shorten it. */
export interface SessionLimits {
  /** Messages queued per session before reading pauses (default 1024). */
  mailboxCapacity: number;
  /** Close `mailbox_overflow` when the mailbox stayed full this long (default 5000 ms). */
  mailboxOverflowMs: number;
  /** Close `handshake_timeout` without a valid Hello within this (default 10000 ms). */
  handshakeTimeoutMs: number;
  /** Close `idle_timeout` after this long without any frame (default 45000 ms). */
  idleTimeoutMs: number;
  /** Heartbeat interval told to clients in Welcome (default 15000 ms). */
  heartbeatIntervalMs: number;
  /** Frames per second per session and burst, or false to switch the limit off (default 500/s, burst 1000). */
  rateLimit: { perSecond: number; burst: number } | false;
  /** Unknown message ids tolerated per window before close `protocol_error` (default 3 per 60000 ms). */
  unknownMessageLimit: number;
  unknownMessageWindowMs: number;
  /** How long stop() drains mailboxes and sends before closing everything (default 10000 ms). */
  shutdownTimeoutMs: number;
  /** Default `ask` timeout of actors (default 5000 ms). */
  askTimeoutMs: number;
  /**
   * A handler turn (its returned promise) longer than this gets Error `HANDLER_TIMEOUT` and closes the
   * session with `server_close` (its actor is stuck); 0 = off (default).
   */
  handlerTimeoutMs: number;
  /**
   * Session resume (docs/resume.md): how long a dropped resumable session is kept, in ms (default 30000;
   * 0 = off: no tokens, every drop ends the session).
   */
  resumeWindowMs: number;
  /** Replay buffer bounds per resumable session: frames (default 1024) and bytes (default 1 MiB). */
  resumeReplayFrames: number;
  resumeReplayBytes: number;
}

export interface GameServerOptions {
  /** TCP port; 0 picks a free one (see `start()`'s result). */
  port: number;
  /** Default '0.0.0.0'. */
  host?: string;
  /** Default 'auto' (uring where it works, else epoll; node if the addon is missing). */
  engine?: EngineChoice;
  /** Native I/O threads (0 = run on the JS loop, default). */
  ioThreads?: number;
  /** Use this transport instead of creating one from engine / ioThreads / limits. */
  transport?: Transport;
  /**
   * Session policy limits, and every transport option but engine / ioThreads (transport limits, backlog,
   * maxConnectionsPerAddress, io_uring tuning), passed to the transport the server creates.
   */
  limits?: Partial<SessionLimits> & Omit<TransportOptions, 'engine' | 'ioThreads' | 'warn'>;
  /** The application's messages: an array of generated constants or a module namespace of them. */
  messages: Iterable<unknown> | Record<string, unknown>;
  /** Controller classes (@Controller()); bound into the container unless bindControllers is false. */
  controllers: readonly ControllerClass[];
  /** The inversify container with the application's services; default a new Container. */
  container?: Container;
  /** Default true: bind each listed controller (singleton) unless the container already has it. */
  bindControllers?: boolean;
  /** A pino logger, or options for one. */
  logger?: Logger | LoggerOptions;
  /** The admin listener (metrics, health checks, JSON API, dashboard: docs/operations.md); off when absent. */
  admin?: AdminOptions;
  /** Middleware around every handler, outermost first (after the built-in login gate); or `server.use`. */
  use?: readonly MiddlewareLike[];
  /** The user index: `idOf(user)` and the second-login policy; without it there is no index. */
  users?: UserIndexOptions<never>;
  /** Room types, room limits and the room registry (default a LocalRoomRegistry). */
  rooms?: Partial<RoomLimits> & { types?: Record<string, RoomClass>; registry?: RoomRegistry };
  /** Makes each session's `state` object on first use (default `{}`). */
  sessionState?: () => object;
  /** Join a cluster on NATS (docs/deployment.md); without it the same cluster API runs in this process. */
  cluster?: ClusterOptions;
}

export const defaultSessionLimits: Readonly<SessionLimits> = Object.freeze({
  mailboxCapacity: 1024,
  mailboxOverflowMs: 5000,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 45_000,
  heartbeatIntervalMs: 15_000,
  rateLimit: { perSecond: 500, burst: 1000 },
  unknownMessageLimit: 3,
  unknownMessageWindowMs: 60_000,
  shutdownTimeoutMs: 10_000,
  askTimeoutMs: 5000,
  handlerTimeoutMs: 0,
  resumeWindowMs: 30_000,
  resumeReplayFrames: 1024,
  resumeReplayBytes: 1024 * 1024,
});

export interface ResolvedServerOptions {
  port: number;
  host: string;
  engine: EngineChoice;
  ioThreads: number;
  transport: Transport | undefined;
  session: SessionLimits;
  transportLimits: Omit<TransportOptions, 'engine' | 'ioThreads' | 'warn'>;
  messages: Iterable<unknown> | Record<string, unknown>;
  controllers: readonly ControllerClass[];
  container: Container;
  bindControllers: boolean;
  logger: Logger | LoggerOptions;
  admin: ResolvedAdminOptions | undefined;
  use: readonly MiddlewareLike[];
  users: UserIndexOptions<unknown> | undefined;
  roomLimits: RoomLimits;
  roomTypes: Record<string, RoomClass>;
  roomRegistry: RoomRegistry | undefined;
  sessionState: () => object;
  /** Checked by NatsCluster's constructor. */
  cluster: ClusterOptions | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;
const ENGINES: readonly string[] = ['auto', 'epoll', 'uring', 'iocp', 'rio', 'node'];
const SERVER_KEYS = new Set([
  'port',
  'host',
  'engine',
  'ioThreads',
  'transport',
  'limits',
  'messages',
  'controllers',
  'container',
  'bindControllers',
  'logger',
  'admin',
  'use',
  'users',
  'rooms',
  'sessionState',
  'cluster',
]);
/** Transport options a GameServer takes in `limits` (engine and ioThreads are top-level options). */
const TRANSPORT_LIMIT_KEYS = new Set(
  [...TRANSPORT_OPTION_KEYS].filter((key) => key !== 'engine' && key !== 'ioThreads'),
);

export { checkInteger };

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function resolveSessionLimits(limits: Record<string, unknown>): SessionLimits {
  const d = defaultSessionLimits;
  const int = (key: keyof SessionLimits, min: number, max: number): number =>
    checkInteger(`limits.${key}`, limits[key] ?? d[key], min, max);
  const rate = limits.rateLimit ?? d.rateLimit;
  let rateLimit: SessionLimits['rateLimit'] = false;
  if (rate !== false) {
    if (typeof rate !== 'object' || rate === null)
      throw new OptionError(`limits.rateLimit must be { perSecond, burst } or false, got ${show(rate)}`);
    const { perSecond, burst } = rate as Record<string, unknown>;
    rateLimit = {
      perSecond: checkInteger('limits.rateLimit.perSecond', perSecond, 1, 10_000_000),
      burst: checkInteger('limits.rateLimit.burst', burst, 1, 10_000_000),
    };
  }
  const resolved: SessionLimits = {
    mailboxCapacity: int('mailboxCapacity', 2, 1_000_000),
    mailboxOverflowMs: int('mailboxOverflowMs', 1, MAX_TIMER_MS),
    handshakeTimeoutMs: int('handshakeTimeoutMs', 1, MAX_TIMER_MS),
    idleTimeoutMs: int('idleTimeoutMs', 1, MAX_TIMER_MS),
    heartbeatIntervalMs: int('heartbeatIntervalMs', 1, MAX_TIMER_MS),
    rateLimit,
    unknownMessageLimit: int('unknownMessageLimit', 1, 1_000_000),
    unknownMessageWindowMs: int('unknownMessageWindowMs', 1, MAX_TIMER_MS),
    shutdownTimeoutMs: int('shutdownTimeoutMs', 0, MAX_TIMER_MS),
    askTimeoutMs: int('askTimeoutMs', 1, MAX_TIMER_MS),
    handlerTimeoutMs: int('handlerTimeoutMs', 0, MAX_TIMER_MS),
    resumeWindowMs: int('resumeWindowMs', 0, MAX_TIMER_MS),
    resumeReplayFrames: int('resumeReplayFrames', 1, 10_000_000),
    resumeReplayBytes: int('resumeReplayBytes', 1024, 2 ** 31 - 1),
  };
  if (resolved.heartbeatIntervalMs >= resolved.idleTimeoutMs)
    throw new OptionError(
      `limits.heartbeatIntervalMs (${resolved.heartbeatIntervalMs}) must be below limits.idleTimeoutMs ` +
        `(${resolved.idleTimeoutMs}), or idle clients that ping on time would still be closed`,
    );
  return resolved;
}

/** Validates every GameServer option with a message naming it; fills in defaults. */
export function resolveServerOptions(options: GameServerOptions): ResolvedServerOptions {
  if (typeof options !== 'object' || options === null)
    throw new OptionError(`GameServer options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options))
    if (!SERVER_KEYS.has(key)) throw new OptionError(`unknown GameServer option "${key}"`);
  const port = checkInteger('port', options.port, 0, 65535);
  const host = options.host ?? '0.0.0.0';
  if (typeof host !== 'string' || host === '')
    throw new OptionError(`host must be a non-empty string, got ${show(host)}`);
  const engine = options.engine ?? 'auto';
  if (!ENGINES.includes(engine))
    throw new OptionError(`engine must be one of ${ENGINES.join(', ')}, got ${show(engine)}`);
  const ioThreads = checkInteger('ioThreads', options.ioThreads ?? 0, 0, 64);
  const transport = options.transport;
  if (
    transport !== undefined &&
    (typeof transport !== 'object' || typeof transport.setHandler !== 'function')
  )
    throw new OptionError('transport must be a Transport (see framework/transport/transport.ts)');
  if (transport !== undefined && (options.engine !== undefined || options.ioThreads !== undefined))
    throw new OptionError('give either transport or engine / ioThreads, not both');
  const limits = (options.limits ?? {}) as Record<string, unknown>;
  if (typeof limits !== 'object' || limits === null)
    throw new OptionError(`limits must be an object, got ${show(limits)}`);
  const transportLimits: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(limits)) {
    if (TRANSPORT_LIMIT_KEYS.has(key)) transportLimits[key] = value;
    else if (!(key in defaultSessionLimits)) throw new OptionError(`unknown limit "limits.${key}"`);
  }
  if (transport !== undefined && Object.keys(transportLimits).length > 0)
    throw new OptionError(
      `limits.${Object.keys(transportLimits)[0]} is a transport limit: set it on the transport you pass in`,
    );
  const session = resolveSessionLimits(limits);
  const messages = options.messages;
  if (typeof messages !== 'object' || messages === null)
    throw new OptionError('messages must be an array of generated message constants or a module of them');
  if (!Array.isArray(options.controllers))
    throw new OptionError(
      `controllers must be an array of @Controller() classes, got ${show(options.controllers)}`,
    );
  const container = options.container ?? new Container();
  if (!(container instanceof Container)) throw new OptionError('container must be an inversify Container');
  const bindControllers = options.bindControllers ?? true;
  if (typeof bindControllers !== 'boolean')
    throw new OptionError(`bindControllers must be a boolean, got ${show(bindControllers)}`);
  const logger = options.logger ?? {};
  if (typeof logger !== 'object' || logger === null)
    throw new OptionError('logger must be a pino logger or { level, pretty }');
  if (!isLogger(logger)) {
    const extra = Object.keys(logger).find(
      (key) => !['level', 'pretty', 'name', 'destination'].includes(key),
    );
    if (extra !== undefined) throw new OptionError(`unknown logger option "logger.${extra}"`);
  }
  const use = options.use ?? [];
  if (!Array.isArray(use) || use.some((m) => typeof m !== 'function' && typeof m?.handle !== 'function'))
    throw new OptionError('use must be an array of middleware (functions or { handle })');
  const users = options.users as UserIndexOptions<unknown> | undefined;
  if (users !== undefined) {
    if (typeof users !== 'object' || users === null || typeof users.idOf !== 'function')
      throw new OptionError('users must be { idOf(user), secondLogin?, directory? }');
    const policy = users.secondLogin;
    if (policy !== undefined && typeof policy !== 'function' && !['takeover', 'refuse'].includes(policy))
      throw new OptionError(
        `users.secondLogin must be "takeover", "refuse" or a function, got ${show(policy)}`,
      );
  }
  const rooms = (options.rooms ?? {}) as Record<string, unknown>;
  if (typeof rooms !== 'object' || rooms === null) throw new OptionError('rooms must be an object');
  for (const key of Object.keys(rooms))
    if (!['types', 'registry', ...Object.keys(defaultRoomLimits)].includes(key))
      throw new OptionError(`unknown rooms option "rooms.${key}"`);
  const roomLimits: RoomLimits = {
    maxRooms: checkInteger('rooms.maxRooms', rooms.maxRooms ?? defaultRoomLimits.maxRooms, 0, 10_000_000),
    maxRoomsPerSession: checkInteger(
      'rooms.maxRoomsPerSession',
      rooms.maxRoomsPerSession ?? defaultRoomLimits.maxRoomsPerSession,
      0,
      1_000_000,
    ),
    emptyTimeoutMs: checkInteger(
      'rooms.emptyTimeoutMs',
      rooms.emptyTimeoutMs ?? defaultRoomLimits.emptyTimeoutMs,
      0,
      MAX_TIMER_MS,
    ),
  };
  const roomTypes = (rooms.types ?? {}) as Record<string, RoomClass>;
  for (const [type, roomClass] of Object.entries(roomTypes))
    if (typeof roomClass !== 'function') throw new OptionError(`rooms.types.${type} must be a Room class`);
  const sessionState = options.sessionState ?? (() => ({}));
  if (typeof sessionState !== 'function') throw new OptionError('sessionState must be a function');
  return {
    use,
    users,
    roomLimits,
    roomTypes,
    roomRegistry: rooms.registry as RoomRegistry | undefined,
    sessionState,
    port,
    host,
    engine,
    ioThreads,
    transport,
    session,
    transportLimits: transportLimits as Omit<TransportOptions, 'engine' | 'ioThreads' | 'warn'>,
    messages,
    controllers: options.controllers,
    container,
    bindControllers,
    logger,
    admin: options.admin === undefined ? undefined : resolveAdminOptions(options.admin),
    cluster: options.cluster,
  };
}
