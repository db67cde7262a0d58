/** GameClient options (Node and browser alike, no Node imports): the interface, its schema, resolved form. */
import { z } from 'zod';
import { parseOptions } from '../options/parse-options';
import {
  assertSameShape,
  either,
  flag,
  integer,
  milliseconds,
  nonEmptyString,
  options,
  tcpPort,
  type SameShape,
} from '../options/rules';
import { reconnectOptionsSchema, type ReconnectOptions } from '../resume/reconnect-policy';

export interface GameClientCoreOptions {
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 5000 ms, covering connect and handshake. */
  connectTimeoutMs?: number;
  /** Default request timeout (10000 ms). */
  requestTimeoutMs?: number;
  /** Send Ping at the interval the server announces in Welcome (default true). */
  heartbeat?: boolean;
  /**
   * Session resume (docs/resume.md): ask for a resumable session, and after a drop reconnect by itself
   * (backoff with jitter), resume it, replay what was missed and answer pending requests once. Default off.
   */
  resume?: boolean | ReconnectOptions;
  /** Overrides for tests of the handshake. */
  protocolVersion?: number;
  magic?: number;
}

/** The options every client has; the Node and browser clients add their own keys to this shape. */
export const clientCoreOptionsShape = {
  port: tcpPort(1),
  host: nonEmptyString().optional(),
  connectTimeoutMs: milliseconds(1).optional(),
  requestTimeoutMs: milliseconds(1).optional(),
  heartbeat: flag().optional(),
  resume: either(flag(), reconnectOptionsSchema, 'must be a boolean or { initialDelayMs?, ... }').optional(),
  protocolVersion: integer(0, 0xffffffff).optional(),
  magic: integer(0, 0xffffffff).optional(),
};

export const clientCoreOptionsSchema = options(clientCoreOptionsShape);

assertSameShape<SameShape<z.input<typeof clientCoreOptionsSchema>, GameClientCoreOptions>>();

function isWebSocketUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'ws:' || protocol === 'wss:';
  } catch {
    return false;
  }
}

/** A ws:// or wss:// URL of a FastPort server (host and port are taken from it). */
export const webSocketUrlSchema = z
  .string({
    invalid_type_error: 'must be a ws:// or wss:// URL',
    required_error: 'must be a ws:// or wss:// URL',
  })
  .refine(isWebSocketUrl, { message: 'must be a ws:// or wss:// URL' });

/** The browser GameClient: the core options but host and port, which its `url` gives. */
export const browserClientOptionsSchema = clientCoreOptionsSchema
  .omit({ host: true, port: true })
  .extend({ url: webSocketUrlSchema });

/** Validates a client's options ("GameClient options: ..."), whichever client's schema it is. */
export function parseClientOptions<S extends z.ZodTypeAny>(schema: S, given: unknown): z.output<S> {
  return parseOptions(schema, given, 'GameClient options');
}

/** `client.reconnect({ ... })`. */
export interface ReconnectCallOptions {
  retries?: number;
  delayMs?: number;
  maxDelayMs?: number;
}

export const reconnectCallSchema = options({
  retries: integer(0, 1000).optional(),
  delayMs: integer(0, 600_000).optional(),
  maxDelayMs: integer(0, 600_000).optional(),
});

assertSameShape<SameShape<z.input<typeof reconnectCallSchema>, ReconnectCallOptions>>();
