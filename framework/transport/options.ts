/** Transport options, their defaults (docs/architecture.md, "Limits") and their validation (before any native call). */
import { z } from 'zod';
import { OptionError } from '../errors';
import type { EngineChoice, TransportLimits } from './transport';
import {
  resolveWebSocketOptions,
  type ResolvedWebSocket,
  type WebSocketOptions,
} from './websocket/websocket-options';

const KiB = 1024;
const MiB = 1024 * KiB;

export const MIN_FRAME_BYTES = 10;
export const MAX_FRAME_BYTES = 64 * MiB;
/** Upper bound of ioThreads (more would only fight over the cores). */
export const MAX_IO_THREADS = 64;
const MAX_TIMEOUT_MS = 2_147_483_647; // setTimeout's (and a signed 32-bit) limit
const MAX_CONNECTIONS = 1_000_000;
const MAX_SEND_LIMIT = 4 * 1024 * MiB - 1; // u32 counters in the addon

export const defaultLimits: Readonly<TransportLimits> = Object.freeze({
  maxFrameBytes: 1 * MiB,
  sendSoftLimit: 1 * MiB,
  sendHardLimit: 10 * MiB,
  frameTimeoutMs: 10_000,
  sendStallMs: 30_000,
  maxConnections: 50_000,
});

/** io_uring tuning passed through to the addon (its own defaults apply when omitted). */
export interface UringTuning {
  uringEntries?: number;
  uringBufferCount?: number;
  uringBufferSize?: number;
  uringSendSliceSize?: number;
  uringSendSliceCount?: number;
}

export interface TransportOptions extends Partial<TransportLimits>, UringTuning, WebSocketOptions {
  /** Default 'auto': uring where io_uring works and is built, else epoll; node when the addon is missing. */
  engine?: EngineChoice;
  /** 0 (default) = engine runs on the JS thread's loop; N >= 1 = N native I/O threads. Ignored by 'node'. */
  ioThreads?: number;
  /** Accepted connections per remote IP address; 0 (default) = no per-address limit. */
  maxConnectionsPerAddress?: number;
  /** Listen backlog (default 511). */
  backlog?: number;
  /**
   * Let listeners share their port with other processes (SO_REUSEPORT, Linux native engines; the kernel
   * spreads connections over them). Default false: a port in use fails with `Address already in use`, also
   * with ioThreads >= 1 (whose loops share the port among themselves only). Ignored by 'node'.
   */
  reusePort?: boolean;
  /** Called with a warning (e.g. falling back to 'node'); default console.warn. */
  warn?: (message: string) => void;
}

export interface ResolvedOptions {
  engine: EngineChoice;
  ioThreads: number;
  maxConnectionsPerAddress: number;
  backlog: number;
  reusePort: boolean;
  limits: TransportLimits;
  uring: UringTuning;
  websocket: ResolvedWebSocket;
}

const ENGINE_CHOICES = ['auto', 'epoll', 'uring', 'iocp', 'rio', 'node'] as const;

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An integer option from min to max, with the message every FastPort option uses. */
function integer(name: string, min: number, max: number) {
  return z.custom<number>(
    (value) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    (value) => ({ message: `${name} must be an integer between ${min} and ${max}, got ${shown(value)}` }),
  );
}

function powerOfTwo(name: string, max: number) {
  return integer(name, 1, max).refine(
    (value) => (value & (value - 1)) === 0,
    (value) => ({
      message: `${name} must be a power of two, got ${value}`,
    }),
  );
}

/**
 * The one schema of transport options: createTransport validates with it, and GameServer passes every
 * key of it (limits, backlog, per-address limit, io_uring tuning) through to the transport it creates.
 */
export const transportOptionsSchema = z.object({
  engine: z
    .custom<EngineChoice>(
      (value) => (ENGINE_CHOICES as readonly unknown[]).includes(value),
      (value) => ({
        message: `engine must be one of ${ENGINE_CHOICES.join(', ')}, got ${shown(value)}`,
      }),
    )
    .optional(),
  ioThreads: integer('ioThreads', 0, MAX_IO_THREADS).optional(),
  backlog: integer('backlog', 1, 65535).optional(),
  reusePort: z
    .custom<boolean>(
      (value) => typeof value === 'boolean',
      (value) => ({ message: `reusePort must be a boolean, got ${shown(value)}` }),
    )
    .optional(),
  maxConnectionsPerAddress: integer('maxConnectionsPerAddress', 0, MAX_CONNECTIONS).optional(),
  maxFrameBytes: integer('maxFrameBytes', MIN_FRAME_BYTES, MAX_FRAME_BYTES).optional(),
  sendSoftLimit: integer('sendSoftLimit', 1, MAX_SEND_LIMIT).optional(),
  sendHardLimit: integer('sendHardLimit', 1, MAX_SEND_LIMIT).optional(),
  frameTimeoutMs: integer('frameTimeoutMs', 0, MAX_TIMEOUT_MS).optional(),
  sendStallMs: integer('sendStallMs', 0, MAX_TIMEOUT_MS).optional(),
  maxConnections: integer('maxConnections', 1, MAX_CONNECTIONS).optional(),
  uringEntries: powerOfTwo('uringEntries', 32768).optional(),
  uringBufferCount: powerOfTwo('uringBufferCount', 32768).optional(),
  uringBufferSize: integer('uringBufferSize', 1, 16 * MiB).optional(),
  uringSendSliceSize: integer('uringSendSliceSize', 1, 16 * MiB).optional(),
  uringSendSliceCount: integer('uringSendSliceCount', 1, 65536).optional(),
  // WebSocket options: listed here so a GameServer passes them on in `limits`; resolveWebSocketOptions
  // checks them with its own messages.
  websocket: z.unknown().optional(),
  wsPath: z.unknown().optional(),
  origins: z.unknown().optional(),
  staticDir: z.unknown().optional(),
  warn: z.function().optional(),
});

/** Option names a GameServer hands to the transport it creates (everything but `warn`). */
export const TRANSPORT_OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys(transportOptionsSchema.shape).filter((key) => key !== 'warn'),
);

/** Runs a schema, turning its first issue into an OptionError with that issue's message. */
export function parseOptions<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new OptionError(result.error.issues[0]?.message ?? 'invalid options');
  return result.data;
}

/** Validates every option with a precise message and fills in the defaults. */
export function resolveOptions(options: TransportOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new OptionError(`transport options must be an object, got ${String(options)}`);
  const o = parseOptions(transportOptionsSchema, options);
  const pick = <K extends keyof TransportLimits>(key: K): number => o[key] ?? defaultLimits[key];
  const limits: TransportLimits = {
    maxFrameBytes: pick('maxFrameBytes'),
    sendSoftLimit: pick('sendSoftLimit'),
    sendHardLimit: pick('sendHardLimit'),
    frameTimeoutMs: pick('frameTimeoutMs'),
    sendStallMs: pick('sendStallMs'),
    maxConnections: pick('maxConnections'),
  };
  if (limits.sendHardLimit < limits.sendSoftLimit)
    throw new OptionError(
      `sendHardLimit (${limits.sendHardLimit}) must be at least sendSoftLimit (${limits.sendSoftLimit})`,
    );
  if (limits.sendHardLimit < limits.maxFrameBytes)
    throw new OptionError(
      `sendHardLimit (${limits.sendHardLimit}) must be at least maxFrameBytes (${limits.maxFrameBytes}), ` +
        `or a single largest frame would close the session`,
    );
  const uring: UringTuning = {};
  for (const key of [
    'uringEntries',
    'uringBufferCount',
    'uringBufferSize',
    'uringSendSliceSize',
    'uringSendSliceCount',
  ] as const)
    if (o[key] !== undefined) uring[key] = o[key];
  return {
    engine: o.engine ?? 'auto',
    ioThreads: o.ioThreads ?? 0,
    maxConnectionsPerAddress: o.maxConnectionsPerAddress ?? 0,
    backlog: o.backlog ?? 511,
    reusePort: o.reusePort ?? false,
    limits,
    uring,
    websocket: resolveWebSocketOptions(options),
  };
}
