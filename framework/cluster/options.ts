import { OptionError } from '../errors';
import { checkInteger } from '../server/options';

/** `GameServer({ cluster })`: join a FastPort cluster on NATS (JetStream enabled on the server). */
export interface ClusterOptions {
  /** NATS server URL(s), e.g. 'nats://127.0.0.1:4222'. */
  servers: string | string[];
  /** This node's name, unique among live nodes: letters, digits, '-' and '_'. */
  node: string;
  /** Prefix of every subject and KV bucket, so several clusters can share one NATS (default 'fastport'). */
  name?: string;
  /** A node's lease: its actors move to a live node this long after it dies (default 10000 ms). */
  leaseTtlMs?: number;
  /** How long a remote tell keeps retrying (dead owner, activation elsewhere) before it is dropped (default 30000 ms). */
  tellTimeoutMs?: number;
}

export interface ResolvedClusterOptions {
  servers: string[];
  node: string;
  name: string;
  leaseTtlMs: number;
  /** Renewal period of the node lease: a third of the TTL. */
  renewMs: number;
  tellTimeoutMs: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const KEYS = new Set(['servers', 'node', 'name', 'leaseTtlMs', 'tellTimeoutMs']);

/** Validates `cluster` options with a message naming the option; fills in defaults. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (typeof options !== 'object' || options === null)
    throw new OptionError('cluster must be { servers, node }');
  for (const key of Object.keys(options))
    if (!KEYS.has(key)) throw new OptionError(`unknown cluster option "cluster.${key}"`);
  const servers = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    servers.some((s) => typeof s !== 'string' || s === '')
  )
    throw new OptionError('cluster.servers must be a NATS URL or a non-empty array of them');
  for (const key of ['node', 'name'] as const) {
    const value = key === 'name' ? (options.name ?? 'fastport') : options.node;
    if (typeof value !== 'string' || !NAME.test(value))
      throw new OptionError(
        `cluster.${key} must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(value)}`,
      );
  }
  const leaseTtlMs = checkInteger('cluster.leaseTtlMs', options.leaseTtlMs ?? 10_000, 500, 3_600_000);
  return {
    servers,
    node: options.node,
    name: options.name ?? 'fastport',
    leaseTtlMs,
    renewMs: Math.max(100, Math.floor(leaseTtlMs / 3)),
    tellTimeoutMs: checkInteger('cluster.tellTimeoutMs', options.tellTimeoutMs ?? 30_000, 1, 3_600_000),
  };
}
