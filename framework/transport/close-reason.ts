// Close reason codes shared with the addon (native/src/core/close_reason.h); see docs/boundary.md.
export const CLOSE_REASONS = [
  'none',
  'peer_closed',
  'reset',
  'frame_too_large',
  'frame_invalid',
  'backpressure',
  'server_close',
  'connect_failed',
  'connect_timeout',
  'frame_timeout',
  'send_stalled',
  'io_error',
  'shutdown',
  'handshake_timeout',
  'idle_timeout',
  'mailbox_overflow',
  'rate_limited',
  'protocol_error',
  'connection_limit',
  'kicked',
  'connect_refused',
  'connect_unreachable',
  'dns_failed',
] as const;

export type CloseReason = Exclude<(typeof CLOSE_REASONS)[number], 'none'>;

export function closeReasonCode(reason: CloseReason): number {
  return CLOSE_REASONS.indexOf(reason);
}

export function closeReasonName(code: number): CloseReason {
  const name = CLOSE_REASONS[code];
  if (name === undefined || name === 'none') return 'io_error';
  return name;
}
