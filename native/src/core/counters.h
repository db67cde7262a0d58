// Per-loop counters (docs/boundary.md "Counters"). Written only by the loop's own thread, read by the JS
// thread for stats(): relaxed atomics written with load+store (plain moves, no locked RMW).
#pragma once
#include <atomic>
#include <cstdint>

namespace fastport {

// X(name): every counter, in the order stats() lists them. Gauges (sessions, recvBuffersHeld,
// sendBytesPending, uringSendSlicesInUse, winRecvsPosted, winSendsPosted) go up and down, the others only
// up.
// One counter a line: clang-format reflows X-macro lists differently on each pass.
// clang-format off
#define FASTPORT_COUNTERS(X) \
  X(accepted) \
  X(connected) \
  X(closed) \
  X(sessions) \
  X(framesIn) \
  X(framesOut) \
  X(bytesIn) \
  X(bytesOut) \
  X(batches) \
  X(submits) \
  X(wakeups) \
  X(syscalls) \
  X(recvBuffersHeld) \
  X(sendBytesPending) \
  X(sendsDropped) \
  X(acceptPaused) \
  X(refused) \
  X(uringEnter) \
  X(uringSqes) \
  X(uringCqes) \
  X(uringBufRingEmpty) \
  X(uringRecvDirectBytes) \
  X(uringSendSlicesInUse) \
  X(winRecvsPosted) \
  X(winSendsPosted) \
  X(httpRequests) \
  X(wsUpgrades) \
  X(wsViolations)
// clang-format on

class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

struct Counters {
#define FASTPORT_COUNTER_FIELD(name) Counter name;
  FASTPORT_COUNTERS(FASTPORT_COUNTER_FIELD)
#undef FASTPORT_COUNTER_FIELD

  // Calls fn(const char* name, uint64_t value) for every counter.
  template <class Fn>
  void forEach(Fn&& fn) const {
#define FASTPORT_COUNTER_VISIT(name) fn(#name, name.get());
    FASTPORT_COUNTERS(FASTPORT_COUNTER_VISIT)
#undef FASTPORT_COUNTER_VISIT
  }
};

}  // namespace fastport
