// Close reason codes shared by native and TS (docs/boundary.md, framework/transport/close-reason.ts).
#pragma once
#include <cstdint>

namespace fastport {

// One row per close reason: enumerator, code (= row index), name (equals CLOSE_REASONS[code] in TS).
#define FASTPORT_CLOSE_REASONS(X)                                                                          \
  X(kNone, 0, "none")                                                                                      \
  X(kPeerClosed, 1, "peer_closed")                                                                         \
  X(kReset, 2, "reset")                                                                                    \
  X(kFrameTooLarge, 3, "frame_too_large")                                                                  \
  X(kFrameInvalid, 4, "frame_invalid")                                                                     \
  X(kBackpressure, 5, "backpressure")                                                                      \
  X(kServerClose, 6, "server_close")                                                                       \
  X(kConnectFailed, 7, "connect_failed")                                                                   \
  X(kConnectTimeout, 8, "connect_timeout")                                                                 \
  X(kFrameTimeout, 9, "frame_timeout")                                                                     \
  X(kSendStalled, 10, "send_stalled")                                                                      \
  X(kIoError, 11, "io_error")                                                                              \
  X(kShutdown, 12, "shutdown")                                                                             \
  X(kHandshakeTimeout, 13, "handshake_timeout")                                                            \
  X(kIdleTimeout, 14, "idle_timeout")                                                                      \
  X(kMailboxOverflow, 15, "mailbox_overflow")                                                              \
  X(kRateLimited, 16, "rate_limited")                                                                      \
  X(kProtocolError, 17, "protocol_error")                                                                  \
  X(kConnectionLimit, 18, "connection_limit")                                                              \
  X(kKicked, 19, "kicked")                                                                                 \
  X(kConnectRefused, 20, "connect_refused") /* outbound connect: nothing listens there (ECONNREFUSED) */   \
  X(kConnectUnreachable, 21, "connect_unreachable") /* outbound connect: no route to the network / host */ \
  X(kDnsFailed, 22, "dns_failed")                   /* outbound connect: the host name does not resolve */

enum class CloseReason : uint8_t {
#define FASTPORT_CLOSE_REASON_ENUMERATOR(id, code, name) id = code,
  FASTPORT_CLOSE_REASONS(FASTPORT_CLOSE_REASON_ENUMERATOR)
#undef FASTPORT_CLOSE_REASON_ENUMERATOR
};

// Names indexed by code.
inline constexpr const char* kCloseReasonNames[] = {
#define FASTPORT_CLOSE_REASON_NAME(id, code, name) name,
    FASTPORT_CLOSE_REASONS(FASTPORT_CLOSE_REASON_NAME)
#undef FASTPORT_CLOSE_REASON_NAME
};
inline constexpr uint8_t kCloseReasonCount = sizeof(kCloseReasonNames) / sizeof(kCloseReasonNames[0]);

// kCloseReasonNames is indexed by code: the codes must be the rows' indices.
constexpr bool closeReasonCodesAreIndices() {
  uint8_t index = 0;
#define FASTPORT_CLOSE_REASON_CHECK(id, code, name) \
  if (code != index++) return false;
  FASTPORT_CLOSE_REASONS(FASTPORT_CLOSE_REASON_CHECK)
#undef FASTPORT_CLOSE_REASON_CHECK
  return true;
}
static_assert(closeReasonCodesAreIndices(), "close reason codes must be 0, 1, 2, ... in table order");

// A code from JS outside the table becomes server_close (never trusted as an index).
inline CloseReason closeReasonFromCode(uint8_t code) {
  return (code == 0 || code >= kCloseReasonCount) ? CloseReason::kServerClose
                                                  : static_cast<CloseReason>(code);
}

}  // namespace fastport
