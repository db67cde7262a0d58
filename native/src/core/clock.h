// Monotonic milliseconds for deadlines (connect / frame / send stall timeouts).
#pragma once
#include <chrono>
#include <cstdint>

namespace fastport {

inline uint64_t monotonicMs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

}  // namespace fastport
