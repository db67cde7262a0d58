// The close reason of a failed socket read or write (POSIX engines), from its errno.
#pragma once
#include <cerrno>

#include "core/close_reason.h"

namespace fastport {

inline CloseReason ioFailure(int err) {
  return (err == ECONNRESET || err == EPIPE) ? CloseReason::kReset : CloseReason::kIoError;
}

}  // namespace fastport
