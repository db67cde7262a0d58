/** WebSocket options of a transport (docs/websocket.md) and their validation. */

export interface WebSocketOptions {
  /** Serve WebSocket (and plain HTTP GET) on the FastPort port, told apart by the first bytes (default true). */
  websocket?: boolean;
  /** The path a WebSocket upgrade must ask for (default '/'). */
  wsPath?: string;
  /** Origin header values allowed to upgrade (exact match, e.g. 'http://localhost:8080'); default: any. */
  origins?: readonly string[];
  /** A plain GET (no upgrade) is answered with the file under this folder ('/' -> index.html); default 404. */
  staticDir?: string;
}

export interface ResolvedWebSocket {
  enabled: boolean;
  path: string;
  /** null = any origin. */
  origins: ReadonlySet<string> | null;
  staticDir: string | null;
}

/** Validates the WebSocket options with precise messages and fills in the defaults. */
export function resolveWebSocketOptions(options: WebSocketOptions): ResolvedWebSocket {
  const enabled = options.websocket ?? true;
  if (typeof enabled !== 'boolean')
    throw new TypeError(`websocket must be a boolean, got ${String(enabled)}`);
  const path = options.wsPath ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s?#]/.test(path)) {
    throw new RangeError(
      `wsPath must be a path starting with '/' (no spaces, '?' or '#'), got ${String(path)}`,
    );
  }
  let origins: Set<string> | null = null;
  if (options.origins !== undefined) {
    if (!Array.isArray(options.origins) || options.origins.some((o) => typeof o !== 'string' || o === '')) {
      throw new TypeError('origins must be an array of non-empty strings');
    }
    origins = new Set(options.origins);
  }
  const staticDir = options.staticDir ?? null;
  if (staticDir !== null && (typeof staticDir !== 'string' || staticDir === '')) {
    throw new TypeError(`staticDir must be a non-empty string, got ${String(staticDir)}`);
  }
  return { enabled, path, origins, staticDir };
}
