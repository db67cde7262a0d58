// Helpers shared by the inline and threaded drivers.
#pragma once
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/counters.h"
#include "core/event_writer.h"
#include "engine/driver.h"

namespace fastport {

// A command buffer (inbox, staging) that grew beyond this is released after use (one huge frame must not
// pin memory); event batches keep up to kKeepEventBatchBytes (engine/driver.h).
inline constexpr size_t kKeepBatchBytes = 4u << 20;

// A connect whose host did not resolve ends like any failed connect: CLOSE dns_failed, on the loop that
// owns the id (its thread), never an exception to the caller.
inline void reportDnsFailure(EventWriter& events, Counters& counters, SessionId id) {
  events.close(id, CloseReason::kDnsFailed, 0);
  counters.closed.add();
}

// Sums counters over several sources, in FASTPORT_COUNTERS order.
inline void sumCounters(const std::vector<const Counters*>& sources,
                        const std::function<void(const char*, uint64_t)>& fn) {
  Counters total;
  for (const Counters* c : sources) {
#define FASTPORT_COUNTER_SUM(name) total.name.add(c->name.get());
    FASTPORT_COUNTERS(FASTPORT_COUNTER_SUM)
#undef FASTPORT_COUNTER_SUM
  }
  total.forEach(fn);
}

std::unique_ptr<Driver> createInlineDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                           std::string* error);
std::unique_ptr<Driver> createThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                             std::string* error);

}  // namespace fastport
