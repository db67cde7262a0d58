// The read-ahead bound of the threaded drivers (Linux and Windows): event bytes queued for, or being handled
// by, the JS thread. Above kMaxBytes the I/O loops stop reading sockets (commands and sweeps go on), so a
// flood cannot make JS fall further behind than that; the inline driver's per-pass budget is the same size.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace fastport {

class ReadAhead {
 public:
  static constexpr size_t kMaxBytes = 8u << 20;

  // A loop queued a batch of n bytes for the JS thread.
  void queued(size_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  // JS has handled n bytes of batches (after its call returned, with what it submitted in the inbox).
  void handled(size_t n) {
    bytes_.fetch_sub(n, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex_);
    below_.notify_all();
  }
  bool over() const { return bytes_.load(std::memory_order_relaxed) > kMaxBytes; }
  // Nothing queued or being handled: JS has seen every batch.
  bool caughtUp() const { return bytes_.load(std::memory_order_relaxed) == 0; }
  // Loop thread, while over(): waits until JS handled some batches or timeoutMs passed.
  void wait(int timeoutMs) {
    std::unique_lock<std::mutex> lock(mutex_);
    below_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return !over(); });
  }

 private:
  std::atomic<size_t> bytes_{0};
  std::mutex mutex_;
  std::condition_variable below_;
};

}  // namespace fastport
