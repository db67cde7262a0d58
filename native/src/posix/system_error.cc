// systemErrorText (core/system_error.h) for POSIX: strerror and the errno.
#include "core/system_error.h"

#include <cstring>

namespace fastport {

std::string systemErrorText(const std::string& what, int err) {
  return what + ": " + std::strerror(err) + " (errno " + std::to_string(err) + ")";
}

}  // namespace fastport
