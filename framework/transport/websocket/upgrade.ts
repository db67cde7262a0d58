/**
 * Decides what an HTTP request on a FastPort port gets (RFC 6455 4.2): a WebSocket upgrade (101), a static
 * file for a plain GET, or an error. No extension or subprotocol is ever accepted (permessage-deflate
 * offers are declined by leaving them out of the 101).
 */
import { hash } from 'node:crypto';
import { hasToken, parseRequestHead, type RequestHead } from './http-head';
import { httpError, httpResponse } from './http-reply';
import { serveStatic } from './static-files';
import type { ResolvedWebSocket } from './websocket-options';
import type { CloseReason } from '../close-reason';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Sec-WebSocket-Version values served (RFC 6455 13; 8 as `ws` also accepts it). */
export const SUPPORTED_VERSIONS = '13, 8';

export interface HttpAnswer {
  reply: Buffer;
  /** null: the reply is the 101 and the session continues as WebSocket; else close with this after it. */
  after: CloseReason | null;
}

/**
 * Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. The one-shot `hash` makes no Hash object (a
 * native-backed object per upgrade that only a GC releases).
 */
export function acceptKey(key: string): string {
  return hash('sha1', key + ACCEPT_GUID, 'base64');
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

function answerUpgrade(head: RequestHead, options: ResolvedWebSocket): HttpAnswer {
  const refuse = (status: number, text: string, headers: Record<string, string> = {}): HttpAnswer => ({
    reply: httpError(status, text, headers),
    after: 'protocol_error',
  });
  if (head.method !== 'GET') return refuse(405, 'a WebSocket upgrade must be a GET');
  if (head.versionMajor < 1 || (head.versionMajor === 1 && head.versionMinor < 1)) {
    return refuse(400, 'a WebSocket upgrade needs HTTP/1.1');
  }
  if (!hasToken(head.headers.get('connection'), 'upgrade'))
    return refuse(400, 'Connection must include Upgrade');
  const key = head.headers.get('sec-websocket-key') ?? '';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return refuse(400, 'Sec-WebSocket-Key must be 16 bytes in base64');
  const version = head.headers.get('sec-websocket-version');
  if (version !== '13' && version !== '8') {
    return refuse(426, `Sec-WebSocket-Version ${version ?? '(none)'} is not supported`, {
      'Sec-WebSocket-Version': SUPPORTED_VERSIONS,
    });
  }
  const refused = refuseTarget(pathOf(head.url), head.headers.get('origin'), options);
  if (refused) return refuse(refused.status, refused.text);
  return {
    reply: httpResponse(101, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': acceptKey(key),
    }),
    after: null,
  };
}

/**
 * The answer to one request head from a native engine. An upgrade (or a refusal) is answered at once, so
 * nothing of it outlives the call (a burst of upgrades leaves only garbage for the young generation, not
 * survivors that make it grow); only a static file needs a promise (it reads the disk). `bytes` is read
 * before this returns: a view into the transport's batch is enough.
 */
export function answerHttp(bytes: Uint8Array, options: ResolvedWebSocket): HttpAnswer | Promise<HttpAnswer> {
  const head = parseRequestHead(bytes);
  if (typeof head === 'string') return { reply: httpError(400, head), after: 'protocol_error' };
  const upgrade = head.headers.get('upgrade');
  if (upgrade !== undefined) {
    if (!hasToken(upgrade, 'websocket')) {
      return { reply: httpError(400, `cannot upgrade to ${upgrade}`), after: 'protocol_error' };
    }
    return answerUpgrade(head, options);
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
