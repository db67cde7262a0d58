import type { HandlerEntry } from '../handlers/explorer';
import type { CloseReason } from '../transport/close-reason';

/** Why a frame was refused without reaching a handler (label values of fastport_protocol_errors_total). */
export type ProtocolErrorKind = 'bad_handshake' | 'bad_payload' | 'unknown_message' | 'unauthenticated';

/**
 * The one interface through which the server reports what it does to operations code (framework/admin).
 * Calls are made on the hot path: implementations only count. The default observes nothing.
 */
export interface ServerObserver {
  /** False: the server skips reading the clock around handlers. */
  readonly timesHandlers: boolean;
  /** A handler turn finished (returned, threw or settled), in seconds from the call. */
  handled(entry: HandlerEntry, seconds: number): void;
  /** A handler threw or rejected: a GameError (`game_error`), anything else (`exception`), or timed out. */
  handlerFailed(kind: 'game_error' | 'exception' | 'timeout'): void;
  /** A frame refused before any handler ran. */
  protocolError(kind: ProtocolErrorKind): void;
  /** A frame refused by the per-session rate limit (the session closes `rate_limited`). */
  rateLimited(): void;
  /** A session's connection is gone; `opened` is false for one that never completed its handshake. */
  closed(reason: CloseReason, opened: boolean): void;
}

export const noObserver: ServerObserver = Object.freeze({
  timesHandlers: false,
  handled() {},
  handlerFailed() {},
  protocolError() {},
  rateLimited() {},
  closed() {},
});
