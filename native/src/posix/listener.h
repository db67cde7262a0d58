// A listening socket of a POSIX engine, and when accepting pauses: out of descriptors or memory, a listener
// stops for a while instead of spinning on a ready socket (counted in acceptPaused).
#pragma once
#include <cerrno>
#include <cstdint>

namespace fastport {

inline constexpr uint64_t kAcceptPauseMs = 250;

inline bool acceptShouldPause(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

struct Listener {
  int fd = -1;
  bool armed = false;          // io_uring: a multishot accept is in flight
  uint64_t pausedUntilMs = 0;  // 0 = accepting
};

}  // namespace fastport
