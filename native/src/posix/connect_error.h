// Why an outbound connect failed, from its errno (POSIX engines): core/connect_failure.h with the errno
// codes.
#pragma once
#include <cerrno>

#include "core/connect_failure.h"

namespace fastport {

inline CloseReason connectFailure(int err) {
  return connectFailureReason(uint32_t(err), {ECONNREFUSED, ENETUNREACH, EHOSTUNREACH});
}

}  // namespace fastport
