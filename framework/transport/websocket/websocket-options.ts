/** WebSocket options of a transport (docs/websocket.md): their schema and resolved form. */
import { z } from 'zod';
import { either, flag, nonEmptyString, options } from '../../options/rules';

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

/** The WebSocket settings without the on/off switch (GameServer's `websocket: { ... }`). */
export type WebSocketSettings = Omit<WebSocketOptions, 'websocket'>;

export interface ResolvedWebSocket {
  enabled: boolean;
  path: string;
  /** null = any origin. */
  origins: ReadonlySet<string> | null;
  staticDir: string | null;
}

/** wsPath, origins and staticDir: flat in transport options, nested in GameServer's `websocket`. */
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

/** GameServer's `websocket`: true / false, or the settings (WebSocket on). */
export const webSocketSwitchSchema = either(
  flag(),
  options(webSocketSettingsShape),
  'must be a boolean or { wsPath?, origins?, staticDir? }',
);

/** The flat transport options a GameServer `websocket` value stands for. */
export function webSocketTransportOptions(value: boolean | WebSocketSettings | undefined): WebSocketOptions {
  if (value === undefined) return {};
  return typeof value === 'boolean' ? { websocket: value } : { websocket: true, ...value };
}

/** Fills in the defaults of already validated WebSocket options. */
export function resolveWebSocketOptions(options: WebSocketOptions): ResolvedWebSocket {
  return {
    enabled: options.websocket ?? true,
    path: options.wsPath ?? '/',
    origins: options.origins === undefined ? null : new Set(options.origins),
    staticDir: options.staticDir ?? null,
  };
}
