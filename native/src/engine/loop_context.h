// What the driver gives each backend instance (one per I/O loop): config, the event sink, counters, and
// the engine-wide session id space and connection budget.
#pragma once
#include <atomic>
#include <cstdint>

#include "core/config.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/session_budget.h"
#include "core/session_id.h"

namespace fastport {

// Session ids for one loop: loopIndex + loopCount * k (k = 1, 2, ...), so id % loopCount is the owner and
// 0 never occurs. Thread-safe (the JS thread takes ids for connect(), the loop for accepts).
class SessionIds {
 public:
  SessionIds(uint32_t loopIndex, uint32_t loopCount) : loopIndex_(loopIndex), loopCount_(loopCount) {}
  SessionId next() {
    for (;;) {
      uint32_t k = next_.fetch_add(1, std::memory_order_relaxed);
      SessionId id = loopIndex_ + loopCount_ * k;  // wraps after ~4e9 / loopCount sessions
      if (id != 0) return id;
    }
  }

 private:
  uint32_t loopIndex_;
  uint32_t loopCount_;
  std::atomic<uint32_t> next_{1};
};

struct LoopContext {
  const EngineConfig* config;
  EventWriter* events;    // the sink: append records here (owning loop thread only)
  Counters* counters;     // this loop's counters (owning loop thread writes)
  SessionIds* ids;        // take ids for accepted sessions here
  SessionBudget* budget;  // tryAcquire() before admitting a session, release() when it closes
  uint32_t loopIndex;
  uint32_t loopCount;
};

}  // namespace fastport
