#include "engine/driver_loop_base.h"

namespace fastport {

bool LoopDriverBase::startLoops(uint32_t count, std::string* error) {
  if (!loops_.create(config_, budget_, count, error)) return false;
  if (!openWake(error)) return false;
  updateRef();
  loops_.startThreads();
  return true;
}

uint32_t LoopDriverBase::connect(const std::string& host, uint16_t port, uint32_t timeoutMs,
                                 std::string* error) {
  SocketAddress addr;
  bool resolved = resolveAddress(host, port, &addr).empty();
  return loops_.connect(addr, resolved, timeoutMs, [this] { updateRef(); });
}

std::string LoopDriverBase::submit(const CommandBatch& batch) {
  if (stopped_) return "";
  return loops_.submit(batch, config_.maxFrameBytes);
}

void LoopDriverBase::shutdown(bool deliverLast) {
  if (stopped_) return;
  stopped_ = true;
  loops_.stopThreads();
  finishShutdown(
      deliverLast, [this] { onBatches(true); },
      [this] {
        loops_.destroyLoops();  // their final counters stay for stats()
        closeWake();
      });
}

void LoopDriverBase::onBatches(bool inJsCall) {
  loops_.deliverBatches(deliver_, inJsCall);
  updateRef();
}

}  // namespace fastport
