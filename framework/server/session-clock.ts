/**
 * The clock of a connection's timestamps (opened, last frame, mailbox full since) and of its rate limiter:
 * milliseconds since this process loaded the framework. Below 2^31 ms (24.8 days of uptime) they are
 * small integers V8 keeps inside the Connection; Date.now() values would each be a 16-byte heap number
 * per field of every session (and a new one for every timestamp taken).
 */
const EPOCH_MS = Date.now();

/** Milliseconds on the session clock. */
export function sessionClockMs(): number {
  // The difference of two heap numbers stays a heap number even when it is a small integer; Math.floor
  // (a no-op on whole milliseconds) hands back a small integer.
  return Math.floor(Date.now() - EPOCH_MS);
}

/** A session clock reading as milliseconds since 1970 (for display). */
export function wallClockMs(sessionMs: number): number {
  return EPOCH_MS + sessionMs;
}
