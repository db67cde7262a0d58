/** Transport options, their defaults (DESIGN.md "Limits") and their validation (before any native call). */
import type { EngineChoice, TransportLimits } from './transport';

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

export interface TransportOptions extends Partial<TransportLimits>, UringTuning {
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
}

const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'epoll', 'uring', 'iocp', 'rio', 'node'];

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, got ${shown}`);
  }
  return value;
}

/** Validates every option with a precise message and fills in the defaults. */
export function resolveOptions(options: TransportOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`transport options must be an object, got ${String(options)}`);
  }
  const engine = options.engine ?? 'auto';
  if (!ENGINE_CHOICES.includes(engine)) {
    throw new RangeError(`engine must be one of ${ENGINE_CHOICES.join(', ')}, got ${JSON.stringify(engine)}`);
  }
  const ioThreads = checkInteger('ioThreads', options.ioThreads ?? 0, 0, MAX_IO_THREADS);
  const backlog = checkInteger('backlog', options.backlog ?? 511, 1, 65535);
  const reusePort = options.reusePort ?? false;
  if (typeof reusePort !== 'boolean') {
    throw new TypeError(`reusePort must be a boolean, got ${JSON.stringify(reusePort)}`);
  }
  const maxConnectionsPerAddress = checkInteger(
    'maxConnectionsPerAddress',
    options.maxConnectionsPerAddress ?? 0,
    0,
    MAX_CONNECTIONS,
  );
  const pick = <K extends keyof TransportLimits>(key: K): number => options[key] ?? defaultLimits[key];
  const limits: TransportLimits = {
    maxFrameBytes: checkInteger('maxFrameBytes', pick('maxFrameBytes'), MIN_FRAME_BYTES, MAX_FRAME_BYTES),
    sendSoftLimit: checkInteger('sendSoftLimit', pick('sendSoftLimit'), 1, MAX_SEND_LIMIT),
    sendHardLimit: checkInteger('sendHardLimit', pick('sendHardLimit'), 1, MAX_SEND_LIMIT),
    frameTimeoutMs: checkInteger('frameTimeoutMs', pick('frameTimeoutMs'), 0, MAX_TIMEOUT_MS),
    sendStallMs: checkInteger('sendStallMs', pick('sendStallMs'), 0, MAX_TIMEOUT_MS),
    maxConnections: checkInteger('maxConnections', pick('maxConnections'), 1, MAX_CONNECTIONS),
  };
  if (limits.sendHardLimit < limits.sendSoftLimit) {
    throw new RangeError(
      `sendHardLimit (${limits.sendHardLimit}) must be at least sendSoftLimit (${limits.sendSoftLimit})`,
    );
  }
  if (limits.sendHardLimit < limits.maxFrameBytes) {
    throw new RangeError(
      `sendHardLimit (${limits.sendHardLimit}) must be at least maxFrameBytes (${limits.maxFrameBytes}), ` +
        `or a single largest frame would close the session`,
    );
  }
  const uring: UringTuning = {};
  const uringKeys: (keyof UringTuning)[] = [
    'uringEntries',
    'uringBufferCount',
    'uringBufferSize',
    'uringSendSliceSize',
    'uringSendSliceCount',
  ];
  const uringMax: Record<keyof UringTuning, number> = {
    uringEntries: 32768,
    uringBufferCount: 32768,
    uringBufferSize: 16 * MiB,
    uringSendSliceSize: 16 * MiB,
    uringSendSliceCount: 65536,
  };
  for (const key of uringKeys) {
    const value = options[key];
    if (value !== undefined) uring[key] = checkInteger(key, value, 1, uringMax[key]);
  }
  if (uring.uringEntries !== undefined && (uring.uringEntries & (uring.uringEntries - 1)) !== 0) {
    throw new RangeError(`uringEntries must be a power of two, got ${uring.uringEntries}`);
  }
  if (uring.uringBufferCount !== undefined && (uring.uringBufferCount & (uring.uringBufferCount - 1)) !== 0) {
    throw new RangeError(`uringBufferCount must be a power of two, got ${uring.uringBufferCount}`);
  }
  return { engine, ioThreads, maxConnectionsPerAddress, backlog, reusePort, limits, uring };
}
