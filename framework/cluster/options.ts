/** `GameServer({ cluster })`: its schema (composed into the GameServer options) and resolved form. */
import { z } from 'zod';
import { parseOptions } from '../options/parse-options';
import { assertSameShape, either, integer, nonEmptyString, options, type SameShape } from '../options/rules';

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

const NAME_RULE = "must be 1 to 64 letters, digits, '-' or '_'";

function clusterName() {
  return z
    .string({ invalid_type_error: NAME_RULE, required_error: NAME_RULE })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: NAME_RULE });
}

const SERVERS_RULE = 'must be a NATS URL or a non-empty array of them';

export const clusterOptionsSchema = options(
  {
    servers: either(
      nonEmptyString(),
      z.array(nonEmptyString()).min(1, { message: SERVERS_RULE }),
      SERVERS_RULE,
    ),
    node: clusterName(),
    name: clusterName().optional(),
    leaseTtlMs: integer(500, 3_600_000).optional(),
    tellTimeoutMs: integer(1, 3_600_000).optional(),
  },
  'must be { servers, node }',
).transform((cluster): ResolvedClusterOptions => {
  const leaseTtlMs = cluster.leaseTtlMs ?? 10_000;
  return {
    servers: typeof cluster.servers === 'string' ? [cluster.servers] : cluster.servers,
    node: cluster.node,
    name: cluster.name ?? 'fastport',
    leaseTtlMs,
    renewMs: Math.max(100, Math.floor(leaseTtlMs / 3)),
    tellTimeoutMs: cluster.tellTimeoutMs ?? 30_000,
  };
});

assertSameShape<SameShape<z.input<typeof clusterOptionsSchema>, ClusterOptions>>();

/** Validates cluster options given to NatsCluster directly ("cluster options: node ..."); fills in defaults. */
export function resolveClusterOptions(given: ClusterOptions): ResolvedClusterOptions {
  return parseOptions(clusterOptionsSchema, given, 'cluster options');
}
