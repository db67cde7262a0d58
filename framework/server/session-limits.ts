/** Session policy limits of a GameServer (docs/architecture.md, "Limits"): defaults and schema. */
import { z } from 'zod';
import { either, integer, milliseconds, options } from '../options/rules';

/** Session policy limits (docs/architecture.md, "Limits"); every timer is configurable so tests can shorten it. */
export interface SessionLimits {
  /** Messages queued per session before reading pauses (default 1024). */
  mailboxCapacity: number;
  /** Close `mailbox_overflow` when the mailbox stayed full this long (default 5000 ms). */
  mailboxOverflowMs: number;
  /** Close `handshake_timeout` without a valid Hello within this (default 10000 ms). */
  handshakeTimeoutMs: number;
  /** Close `idle_timeout` after this long without any frame (default 45000 ms). */
  idleTimeoutMs: number;
  /** Heartbeat interval told to clients in Welcome (default 15000 ms). */
  heartbeatIntervalMs: number;
  /** Frames per second per session and burst, or false to switch the limit off (default 500/s, burst 1000). */
  rateLimit: { perSecond: number; burst: number } | false;
  /** Unknown message ids tolerated per window before close `protocol_error` (default 3 per 60000 ms). */
  unknownMessageLimit: number;
  unknownMessageWindowMs: number;
  /** How long stop() drains mailboxes and sends before closing everything (default 10000 ms). */
  shutdownTimeoutMs: number;
  /** Default `ask` timeout of actors (default 5000 ms). */
  askTimeoutMs: number;
  /**
   * A handler turn (its returned promise) longer than this gets Error `HANDLER_TIMEOUT` and closes the
   * session with `server_close` (its actor is stuck); 0 = off (default).
   */
  handlerTimeoutMs: number;
  /**
   * Session resume (docs/resume.md): how long a dropped resumable session is kept, in ms (default 30000;
   * 0 = off: no tokens, every drop ends the session).
   */
  resumeWindowMs: number;
  /** Replay buffer bounds per resumable session: frames (default 1024) and bytes (default 1 MiB). */
  resumeReplayFrames: number;
  resumeReplayBytes: number;
}

export const defaultSessionLimits: Readonly<SessionLimits> = Object.freeze({
  mailboxCapacity: 1024,
  mailboxOverflowMs: 5000,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 45_000,
  heartbeatIntervalMs: 15_000,
  rateLimit: Object.freeze({ perSecond: 500, burst: 1000 }),
  unknownMessageLimit: 3,
  unknownMessageWindowMs: 60_000,
  shutdownTimeoutMs: 10_000,
  askTimeoutMs: 5000,
  handlerTimeoutMs: 0,
  resumeWindowMs: 30_000,
  resumeReplayFrames: 1024,
  resumeReplayBytes: 1024 * 1024,
});

const rateLimitSchema = either(
  z.literal(false),
  options({ perSecond: integer(1, 10_000_000), burst: integer(1, 10_000_000) }),
  'must be { perSecond, burst } or false',
);

/** Each session limit, optional (GameServer's `limits` composes this shape with the transport's). */
export const sessionLimitsShape = {
  mailboxCapacity: integer(2, 1_000_000).optional(),
  mailboxOverflowMs: milliseconds(1).optional(),
  handshakeTimeoutMs: milliseconds(1).optional(),
  idleTimeoutMs: milliseconds(1).optional(),
  heartbeatIntervalMs: milliseconds(1).optional(),
  rateLimit: rateLimitSchema.optional(),
  unknownMessageLimit: integer(1, 1_000_000).optional(),
  unknownMessageWindowMs: milliseconds(1).optional(),
  shutdownTimeoutMs: milliseconds().optional(),
  askTimeoutMs: milliseconds(1).optional(),
  handlerTimeoutMs: milliseconds().optional(),
  resumeWindowMs: milliseconds().optional(),
  resumeReplayFrames: integer(1, 10_000_000).optional(),
  resumeReplayBytes: integer(1024, 2 ** 31 - 1).optional(),
};

type GivenSessionLimits = { [K in keyof SessionLimits]?: SessionLimits[K] | undefined };

/** Limits that contradict each other (defaults filled in), reported under `path`. */
export function checkSessionLimits(given: GivenSessionLimits, ctx: z.RefinementCtx, path: string[]): void {
  const heartbeat = given.heartbeatIntervalMs ?? defaultSessionLimits.heartbeatIntervalMs;
  const idle = given.idleTimeoutMs ?? defaultSessionLimits.idleTimeoutMs;
  if (heartbeat >= idle)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [...path, 'heartbeatIntervalMs'],
      message: `must be below idleTimeoutMs (${idle}), or idle clients that ping on time would still be closed`,
    });
}

/** The given limits over the defaults. */
export function withDefaultSessionLimits(given: GivenSessionLimits): SessionLimits {
  const limits: SessionLimits = { ...defaultSessionLimits };
  for (const key of Object.keys(defaultSessionLimits) as (keyof SessionLimits)[])
    if (given[key] !== undefined) (limits as unknown as Record<string, unknown>)[key] = given[key];
  return limits;
}
