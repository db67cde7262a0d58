import type { HandlerEntry } from '../handlers/explorer';
import type { CloseReason } from '../transport/close-reason';

/** Why a frame was refused without reaching a handler (label values of fastport_protocol_errors_total). */
export type ProtocolErrorKind = 'bad_handshake' | 'bad_payload' | 'unknown_message' | 'unauthenticated';

/**
 * The handler turns of one message type. The server calls `begin()` before every turn of the handler and,
 * when it returned a start time, `ended(start)` once the turn is over (returned, threw or settled). The
 * recorder decides which turns it times: reading the clock costs more than the rest of the bookkeeping.
 */
export interface TurnRecorder {
  /** A turn starts: its start time (performance.now() ms) when this turn is to be timed, else -1. */
  begin(): number;
  /** A timed turn is over; `started` is what begin() returned. */
  ended(started: number): void;
}

/**
 * The one interface through which the server reports what it does to operations code (framework/admin).
 * Calls are made on the hot path: implementations only count. The default observes nothing.
 */
export interface ServerObserver {
  /** The recorder of one handler's turns; asked once per handler when the server builds its table. */
  handlerTurns(entry: HandlerEntry): TurnRecorder;
  /** A handler threw or rejected: a GameError (`game_error`), anything else (`exception`), or timed out. */
  handlerFailed(kind: 'game_error' | 'exception' | 'timeout'): void;
  /** A frame refused before any handler ran. */
  protocolError(kind: ProtocolErrorKind): void;
  /** A frame refused by the per-session rate limit (the session closes `rate_limited`). */
  rateLimited(): void;
  /** A session's connection is gone; `opened` is false for one that never completed its handshake. */
  closed(reason: CloseReason, opened: boolean): void;
}

/** Times nothing: the server reads no clock around handlers. */
const noTurns: TurnRecorder = Object.freeze({
  begin: () => -1,
  ended() {},
});

export const noObserver: ServerObserver = Object.freeze({
  handlerTurns: () => noTurns,
  handlerFailed() {},
  protocolError() {},
  rateLimited() {},
  closed() {},
});
