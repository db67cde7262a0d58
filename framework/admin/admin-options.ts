import { isIP } from 'node:net';
import { OptionError } from '../errors';

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

const KEYS = new Set(['port', 'host', 'token']);

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Validates `admin` with messages naming the option. */
export function resolveAdminOptions(admin: unknown): ResolvedAdminOptions {
  if (typeof admin !== 'object' || admin === null)
    throw new OptionError('admin must be { port, host?, token? }');
  for (const key of Object.keys(admin))
    if (!KEYS.has(key)) throw new OptionError(`unknown admin option "admin.${key}"`);
  const { port, host = '127.0.0.1', token } = admin as Record<string, unknown>;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new OptionError(`admin.port must be an integer from 0 to 65535, got ${String(port)}`);
  if (typeof host !== 'string' || host === '') throw new OptionError('admin.host must be a non-empty string');
  if (token !== undefined && (typeof token !== 'string' || token.length < 16))
    throw new OptionError('admin.token must be a string of at least 16 characters');
  if (token === undefined && !isLoopback(host))
    throw new OptionError(
      `admin.host ${host} is not a loopback address: set admin.token (the admin API can kick sessions)`,
    );
  return { port, host, token };
}
