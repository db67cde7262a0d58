// Why an outbound connect failed (docs/boundary.md close reasons), from the platform's error code: each
// platform names its codes for "refused" and "unreachable" (posix/connect_error.h, win/winsock.cc).
#pragma once
#include <cstdint>

#include "core/close_reason.h"

namespace fastport {

struct ConnectErrorCodes {
  uint32_t refused;
  uint32_t networkUnreachable;
  uint32_t hostUnreachable;
};

// connect_refused, connect_unreachable, or connect_failed for every other error.
inline CloseReason connectFailureReason(uint32_t err, const ConnectErrorCodes& codes) {
  if (err == codes.refused) return CloseReason::kConnectRefused;
  if (err == codes.networkUnreachable || err == codes.hostUnreachable)
    return CloseReason::kConnectUnreachable;
  return CloseReason::kConnectFailed;
}

}  // namespace fastport
