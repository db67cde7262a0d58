/** Error codes the framework itself sends in Error frames; applications add their own strings. */
export const ErrorCodes = {
  HANDLER_ERROR: 'HANDLER_ERROR',
  HANDLER_TIMEOUT: 'HANDLER_TIMEOUT',
  UNKNOWN_MESSAGE: 'UNKNOWN_MESSAGE',
  BAD_PAYLOAD: 'BAD_PAYLOAD',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  BAD_HANDSHAKE: 'BAD_HANDSHAKE',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  TIMEOUT: 'TIMEOUT',
  CLOSED: 'CLOSED',
  /** Session resume (docs/resume.md): why a Hello's resume token did not resume its session. */
  RESUME_UNKNOWN: 'RESUME_UNKNOWN',
  RESUME_EXPIRED: 'RESUME_EXPIRED',
  RESUME_OVERFLOW: 'RESUME_OVERFLOW',
  RESUME_ENDED: 'RESUME_ENDED',
  /** In a cluster: the resume token is another node's (that node died or the client moved): log in again. */
  SESSION_GONE: 'SESSION_GONE',
  /** Client side: the session could not be resumed; requests of the old session are rejected with this. */
  SESSION_LOST: 'SESSION_LOST',
  /** Client side: too many requests queued while reconnecting. */
  QUEUE_FULL: 'QUEUE_FULL',
  ALREADY_LOGGED_IN: 'ALREADY_LOGGED_IN',
  FORBIDDEN: 'FORBIDDEN',
  NO_SUCH_ROOM: 'NO_SUCH_ROOM',
  NO_SUCH_ROOM_TYPE: 'NO_SUCH_ROOM_TYPE',
  ROOM_FULL: 'ROOM_FULL',
  ROOM_LIMIT: 'ROOM_LIMIT',
  ROOM_EXISTS: 'ROOM_EXISTS',
  ALREADY_IN_ROOM: 'ALREADY_IN_ROOM',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  /** A room hosted on another node was asked for what only its hosting node can do (run, dispose). */
  REMOTE_ROOM: 'REMOTE_ROOM',
} as const;

export type FrameworkErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * An error with a code the peer sees. Thrown by a handler, it becomes an Error frame with this code
 * (other errors become HANDLER_ERROR); on the client, a rejected request carries the server's code.
 */
export class GameError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string = code,
  ) {
    super(message);
    this.name = 'GameError';
  }
}

/** Thrown at start-up when the handler table cannot be built (duplicate, unknown message, unbound controller). */
export class HandlerSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerSetupError';
  }
}

/** Thrown by GameServer / GameClient for an invalid option, naming the option. */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}
