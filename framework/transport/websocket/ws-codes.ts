/** Close codes (RFC 6455 7.4.1) <-> close reasons, the same mapping as native/src/ws/ws_codec.cc. */
import type { CloseReason } from '../close-reason';

/** The code the server sends when it closes a WebSocket session for reason. */
export function wsCloseCode(reason: CloseReason): number {
  switch (reason) {
    case 'shutdown':
      return 1001;
    case 'frame_too_large':
      return 1009;
    case 'frame_invalid':
      return 1007;
    case 'protocol_error':
      return 1002;
    case 'backpressure':
    case 'rate_limited':
    case 'mailbox_overflow':
    case 'handshake_timeout':
    case 'idle_timeout':
    case 'frame_timeout':
    case 'send_stalled':
    case 'connection_limit':
      return 1008;
    default:
      return 1000;
  }
}

/** The close reason for a `ws` receiver error code (WS_ERR_*), which ws closes with the RFC's code. */
export function wsErrorReason(code: string | undefined): CloseReason {
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'frame_too_large';
  if (code === 'WS_ERR_INVALID_UTF8') return 'frame_invalid';
  return 'protocol_error';
}
