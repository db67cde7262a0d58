/**
 * The JS side of HTTP on a FastPort port (RFC 6455 4.2). The native engines answer an upgrade themselves
 * (native/src/ws/upgrade_answer.cc) and hand JS only a request without an Upgrade field: a static file for a
 * plain GET, or an error. The node engine's upgrader (node-upgrade.ts) uses the same target checks.
 */
import { parseRequestHead, type RequestHead } from './http-head';
import { httpError } from './http-reply';
import { serveStatic } from './static-files';
import type { ResolvedWebSocket } from './websocket-options';
import type { CloseReason } from '../close-reason';

/** Sec-WebSocket-Version values served (RFC 6455 13; 8 as `ws` also accepts it). */
export const SUPPORTED_VERSIONS = '13, 8';

export interface HttpAnswer {
  reply: Buffer;
  /** The session closes with this after the reply. */
  after: CloseReason;
}

function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/** Why this upgrade request must be refused (status + text), or null when its target and origin are allowed. */
export function refuseTarget(
  path: string,
  origin: string | undefined,
  options: ResolvedWebSocket,
): { status: number; text: string } | null {
  if (path !== options.path) return { status: 404, text: `no WebSocket endpoint at ${path}` };
  if (options.origins !== null && (origin === undefined || !options.origins.has(origin))) {
    return { status: 403, text: `origin ${origin ?? '(none)'} is not allowed` };
  }
  return null;
}

/**
 * The answer to one plain request head from a native engine (it already checked the head's syntax).
 * `bytes` is read before this returns: a view into the transport's batch is enough.
 */
export function answerHttp(bytes: Uint8Array, options: ResolvedWebSocket): Promise<HttpAnswer> {
  const head = parseRequestHead(bytes);
  if (typeof head === 'string') {
    return Promise.resolve({ reply: httpError(400, head), after: 'protocol_error' });
  }
  return answerPlain(head, options).then((reply) => ({ reply, after: 'server_close' }));
}

/** A request without Upgrade: a static file (GET / HEAD) or an error. */
export function answerPlain(
  head: Pick<RequestHead, 'method' | 'url'>,
  options: ResolvedWebSocket,
): Promise<Buffer> {
  if (head.method !== 'GET' && head.method !== 'HEAD') {
    return Promise.resolve(httpError(405, `${head.method} is not served here`));
  }
  return serveStatic(options.staticDir, pathOf(head.url), head.method === 'HEAD');
}
