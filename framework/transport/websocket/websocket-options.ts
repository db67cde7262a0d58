/** WebSocket options of a transport (docs/websocket.md): their schema and resolved form. */
import { z } from 'zod';
import { nonEmptyString } from '../../options/rules';

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

/** wsPath, origins and staticDir (part of the transport options, and so of GameServer's `limits`). */
export const webSocketSettingsShape = {
  wsPath: z
    .string({ invalid_type_error: 'must be a string' })
    .regex(/^\/[^\s?#]*$/, { message: "must be a path starting with '/' (no spaces, '?' or '#')" })
    .optional(),
  origins: z
    .array(nonEmptyString(), { invalid_type_error: 'must be an array of non-empty strings' })
    .readonly()
    .optional(),
  staticDir: nonEmptyString().optional(),
};

/** Fills in the defaults of already validated WebSocket options. */
export function resolveWebSocketOptions(options: WebSocketOptions): ResolvedWebSocket {
  return {
    enabled: options.websocket ?? true,
    path: options.wsPath ?? '/',
    origins: options.origins === undefined ? null : new Set(options.origins),
    staticDir: options.staticDir ?? null,
  };
}
