// A failed system call's error in words, for messages to the caller. Defined once per platform
// (posix/system_error.cc: strerror and the errno; win/winsock.cc: the system message and the error code).
#pragma once
#include <string>

namespace fastport {

// "<what>: <system message> (errno N)" on POSIX, "<what>: <system message> (error N)" on Windows.
std::string systemErrorText(const std::string& what, int err);

}  // namespace fastport
