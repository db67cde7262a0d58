// Why an outbound connect failed, from its errno (POSIX engines): the close reason that tells refused and
// unreachable apart from other failures (docs/boundary.md close reasons).
#pragma once
#include <cerrno>

#include "core/close_reason.h"

namespace fastport {

inline CloseReason connectFailure(int err) {
  switch (err) {
    case ECONNREFUSED:
      return CloseReason::kConnectRefused;
    case ENETUNREACH:
    case EHOSTUNREACH:
      return CloseReason::kConnectUnreachable;
    default:
      return CloseReason::kConnectFailed;
  }
}

}  // namespace fastport
