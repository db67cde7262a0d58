/** GameServer options: the interface users write, the one schema composed from each part's, resolved form. */
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { adminOptionsSchema, type AdminOptions, type ResolvedAdminOptions } from '../admin/admin-options';
import { clusterOptionsSchema, type ClusterOptions } from '../cluster/options';
import type { ControllerClass } from '../handlers/explorer';
import type { MiddlewareLike } from '../handlers/middleware';
import { loggerSchema, type LoggerOptions } from '../logging';
import { parseOptions } from '../options/parse-options';
import {
  assertSameShape,
  callback,
  flag,
  nonEmptyString,
  options,
  satisfying,
  tcpPort,
  type SameShape,
} from '../options/rules';
import type { RoomLimits } from '../rooms/matchmaker';
import { roomOptionsSchema, type RoomOptions } from '../rooms/room-options';
import type { RoomRegistry } from '../rooms/room-registry';
import type { RoomClass } from '../rooms/matchmaker';
import { userIndexOptionsSchema } from '../users/user-index-options';
import type { UserIndexOptions } from '../users/user-index';
import {
  checkSendLimits,
  engineSchema,
  ioThreadsSchema,
  LISTENER_OPTION_KEYS,
  listenerOptionsShape,
  OWNED_FRAME_BYTES,
  transportInstanceSchema,
  type TransportOptions,
} from '../transport/options';
import type { EngineChoice, Transport } from '../transport/transport';
import {
  checkSessionLimits,
  sessionLimitsShape,
  withDefaultSessionLimits,
  type SessionLimits,
} from './session-limits';

export { defaultSessionLimits, type SessionLimits } from './session-limits';

/** Transport options a GameServer takes in `limits` (engine and ioThreads are top-level options). */
export type TransportLimitOptions = Omit<TransportOptions, 'engine' | 'ioThreads' | 'warn'>;

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
   * reusePort, maxConnectionsPerAddress, io_uring tuning, WebSocket settings: websocket, wsPath, origins,
   * staticDir), passed to the transport the server creates.
   */
  limits?: Partial<SessionLimits> & TransportLimitOptions;
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
  rooms?: RoomOptions;
  /** Makes each session's `state` object on first use (default `{}`). */
  sessionState?: () => object;
  /** Join a cluster on NATS (docs/deployment.md); without it the same cluster API runs in this process. */
  cluster?: ClusterOptions;
  /**
   * Default true: at start, V8 sweeps dead ArrayBuffers in the scavenge's pause instead of a background
   * task, process-wide (array-buffer-sweeping.ts; docs/operations.md "Cost"); false leaves V8's default.
   */
  sweepArrayBuffersInPause?: boolean;
}

export interface ResolvedServerOptions {
  port: number;
  host: string;
  transport: Transport | undefined;
  /** What the server hands to createTransport when it makes its own (warn added there). */
  transportOptions: Omit<TransportOptions, 'warn'>;
  session: SessionLimits;
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
  /** Validated here, resolved by NatsCluster's constructor. */
  cluster: ClusterOptions | undefined;
  sweepArrayBuffersInPause: boolean;
}

const limitsSchema = options({ ...sessionLimitsShape, ...listenerOptionsShape }).superRefine(
  (limits, ctx) => {
    checkSessionLimits(limits, ctx, []);
    checkSendLimits(limits, ctx);
  },
);

function isMiddleware(value: unknown): boolean {
  return (
    typeof value === 'function' || typeof (value as { handle?: unknown } | undefined)?.handle === 'function'
  );
}

/** A ready transport is used as it is: options that only configure a transport the server makes clash with it. */
function checkTransportClash(server: z.infer<typeof shape>, ctx: z.RefinementCtx): void {
  if (server.transport === undefined) return;
  const clash = (path: string[], message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
  for (const key of ['engine', 'ioThreads'] as const)
    if (server[key] !== undefined)
      clash([key], 'cannot be combined with transport: set it on that transport');
  for (const key of Object.keys(server.limits ?? {}))
    if (LISTENER_OPTION_KEYS.has(key))
      clash(['limits', key], 'is a transport limit: set it on the transport you pass in');
}

const shape = z.object({
  port: tcpPort(),
  host: nonEmptyString().optional(),
  engine: engineSchema.optional(),
  ioThreads: ioThreadsSchema.optional(),
  transport: transportInstanceSchema.optional(),
  limits: limitsSchema.optional(),
  messages: satisfying<Iterable<unknown> | Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null,
    'an array of generated message constants or a module of them',
  ),
  controllers: z
    .array(
      satisfying<ControllerClass>((value) => typeof value === 'function', 'a @Controller() class'),
      {
        invalid_type_error: 'must be an array of @Controller() classes',
        required_error: 'must be an array of @Controller() classes',
      },
    )
    .readonly(),
  container: z.instanceof(Container, { message: 'must be an inversify Container' }).optional(),
  bindControllers: flag().optional(),
  logger: loggerSchema.optional(),
  admin: adminOptionsSchema.optional(),
  use: z
    .array(satisfying<MiddlewareLike>(isMiddleware, 'middleware (a function or { handle })'), {
      invalid_type_error: 'must be an array of middleware (functions or { handle })',
    })
    .readonly()
    .optional(),
  users: userIndexOptionsSchema.optional(),
  rooms: roomOptionsSchema.optional(),
  sessionState: callback<() => object>().optional(),
  cluster: clusterOptionsSchema.optional(),
  sweepArrayBuffersInPause: flag().optional(),
});

/** The one schema of GameServer options, composed of the transport's, the admin's, the cluster's, ... */
export const serverOptionsSchema = options(shape.shape).superRefine(checkTransportClash);

// The schema's input is the documented interface (users: any UserIndexOptions, which `never` stands for).
type ServerInput = Omit<z.input<typeof serverOptionsSchema>, 'users'> & { users?: UserIndexOptions<never> };
assertSameShape<SameShape<ServerInput, GameServerOptions>>();

/** Validates every GameServer option with a message naming it ("GameServer options: ..."); fills in defaults. */
export function resolveServerOptions(given: GameServerOptions): ResolvedServerOptions {
  const o = parseOptions(serverOptionsSchema, given, 'GameServer options');
  const { limits = {} } = o;
  const listener = Object.fromEntries(
    Object.entries(limits).filter(([key]) => LISTENER_OPTION_KEYS.has(key)),
  );
  const rooms = o.rooms ?? roomOptionsSchema.parse({});
  return {
    port: o.port,
    host: o.host ?? '0.0.0.0',
    transport: o.transport,
    transportOptions: {
      engine: o.engine,
      ioThreads: o.ioThreads,
      ownedFrameBytes: OWNED_FRAME_BYTES, // big frames decode into views of themselves (field-bytes.ts)
      ...listener,
    },
    session: withDefaultSessionLimits(limits),
    messages: o.messages,
    controllers: o.controllers,
    container: o.container ?? new Container(),
    bindControllers: o.bindControllers ?? true,
    logger: o.logger ?? {},
    admin: o.admin,
    use: o.use ?? [],
    users: o.users as UserIndexOptions<unknown> | undefined,
    roomLimits: rooms.limits,
    roomTypes: rooms.types,
    roomRegistry: rooms.registry,
    sessionState: o.sessionState ?? (() => ({})),
    cluster: given.cluster,
    sweepArrayBuffersInPause: o.sweepArrayBuffersInPause ?? true,
  };
}
