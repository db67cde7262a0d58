// The drivers whose backends run on native I/O threads (the loops of engine/driver_loops.h): Linux thread
// mode (engine/driver_threads.cc, JS woken by a uv_async) and Windows (win/addon/driver_win.cc, by a Node-API
// threadsafe function). Connects, submits, stats, the JS-side delivery and shutdown are written here once; a
// driver adds where it listens, how it wakes JS and how it holds the process alive.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "engine/driver_base.h"
#include "engine/driver_loops.h"

namespace fastport {

class LoopDriverBase : public DriverBase, protected JsWake {
 public:
  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) final;
  std::string submit(const CommandBatch& batch) final;
  void stats(const std::function<void(const char*, uint64_t)>& fn) final { loops_.stats(fn); }
  DetachedPayloads* detachedPayloads() final { return loops_.detachedPayloads(); }
  void shutdown(bool deliverLast) final;

 protected:
  LoopDriverBase(const EngineConfig& config, DeliverFn deliver)
      : DriverBase(config, std::move(deliver)), loops_(*this) {}

  // Creates `count` loops and the JS wake-up (openWake), then starts the loop threads.
  bool startLoops(uint32_t count, std::string* error);

  // --- what a driver provides (besides JsWake::wake, openListener, closeListener, updateRef) ---
  // Creates the JS wake-up; false with *error.
  virtual bool openWake(std::string* error) = 0;
  // Releases it: shutdown, after the loop threads ended and the last batch was delivered.
  virtual void closeWake() = 0;

  // JS thread: one JS call with every batch queued since the last wake-up.
  void onBatches(bool inJsCall);
  bool running() const final { return !stopped_; }
  // Listening, holding sessions, or a connect on its way to a loop (counted until the loop took it).
  bool wantsRef() const { return listening() || budget_.used() > 0 || loops_.connectsInFlight() > 0; }

  LoopRunner loops_;

 private:
  bool stopped_ = false;
};

}  // namespace fastport
