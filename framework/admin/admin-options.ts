/** `GameServer({ admin })`: its schema (composed into the GameServer options) and resolved form. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { assertSameShape, nonEmptyString, options, tcpPort, type SameShape } from '../options/rules';

/** `GameServer({ admin })`: the operations listener (metrics, health, JSON API, dashboard); off when absent. */
export interface AdminOptions {
  /** TCP port of the admin HTTP listener; 0 picks a free one (see `server.admin.port` after start). */
  port: number;
  /** Default '127.0.0.1'. Any other address needs `token`. */
  host?: string;
  /** Bearer token required on /metrics and /api/* (the health checks and the dashboard's files stay open). */
  token?: string;
}

export interface ResolvedAdminOptions {
  port: number;
  host: string;
  token: string | undefined;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export const adminOptionsSchema = options(
  {
    port: tcpPort(),
    host: nonEmptyString().optional(),
    token: z
      .string({ invalid_type_error: 'must be a string of at least 16 characters' })
      .min(16, { message: 'must be a string of at least 16 characters' })
      .optional(),
  },
  'must be { port, host?, token? }',
)
  .superRefine((admin, ctx) => {
    const host = admin.host ?? '127.0.0.1';
    if (admin.token === undefined && !isLoopback(host))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['host'],
        message: 'is not a loopback address: set admin.token (the admin API can kick sessions)',
      });
  })
  .transform((admin): ResolvedAdminOptions => ({
    port: admin.port,
    host: admin.host ?? '127.0.0.1',
    token: admin.token,
  }));

assertSameShape<SameShape<z.input<typeof adminOptionsSchema>, AdminOptions>>();
