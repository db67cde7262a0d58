// maxConnections across every loop of one engine (thread-safe: loops admit sessions concurrently).
#pragma once
#include <atomic>
#include <cstdint>

namespace fastport {

class SessionBudget {
 public:
  explicit SessionBudget(uint32_t max) : max_(max) {}
  bool tryAcquire() {
    uint32_t n = used_.load(std::memory_order_relaxed);
    do {
      if (n >= max_) return false;
    } while (!used_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
  }
  void release() { used_.fetch_sub(1, std::memory_order_relaxed); }
  uint32_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  uint32_t max_;
  std::atomic<uint32_t> used_{0};
};

}  // namespace fastport
