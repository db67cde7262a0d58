// Close reason codes shared by native and TS (docs/boundary.md, framework/transport/close-reason.ts).
#pragma once
#include <cstdint>

namespace fastport {

enum class CloseReason : uint8_t {
  kNone = 0,
  kPeerClosed = 1,
  kReset = 2,
  kFrameTooLarge = 3,
  kFrameInvalid = 4,
  kBackpressure = 5,
  kServerClose = 6,
  kConnectFailed = 7,
  kConnectTimeout = 8,
  kFrameTimeout = 9,
  kSendStalled = 10,
  kIoError = 11,
  kShutdown = 12,
  kHandshakeTimeout = 13,
  kIdleTimeout = 14,
  kMailboxOverflow = 15,
  kRateLimited = 16,
  kProtocolError = 17,
  kConnectionLimit = 18,
  kKicked = 19,
  kConnectRefused = 20,      // outbound connect: nothing listens there (ECONNREFUSED)
  kConnectUnreachable = 21,  // outbound connect: no route to the network / host
  kDnsFailed = 22,           // outbound connect: the host name does not resolve
};

// Names indexed by code; must equal CLOSE_REASONS in TS.
inline constexpr const char* kCloseReasonNames[] = {
    "none",
    "peer_closed",
    "reset",
    "frame_too_large",
    "frame_invalid",
    "backpressure",
    "server_close",
    "connect_failed",
    "connect_timeout",
    "frame_timeout",
    "send_stalled",
    "io_error",
    "shutdown",
    "handshake_timeout",
    "idle_timeout",
    "mailbox_overflow",
    "rate_limited",
    "protocol_error",
    "connection_limit",
    "kicked",
    "connect_refused",
    "connect_unreachable",
    "dns_failed",
};
inline constexpr uint8_t kCloseReasonCount = sizeof(kCloseReasonNames) / sizeof(kCloseReasonNames[0]);

// A code from JS outside the table becomes server_close (never trusted as an index).
inline CloseReason closeReasonFromCode(uint8_t code) {
  return (code == 0 || code >= kCloseReasonCount) ? CloseReason::kServerClose
                                                  : static_cast<CloseReason>(code);
}

}  // namespace fastport
