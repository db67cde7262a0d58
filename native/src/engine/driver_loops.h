// The I/O loops of a threaded driver, written once for both platforms (engine/driver_threads.cc on Linux,
// win/addon/driver_win.cc on Windows): each loop thread polls its backend, runs the tasks and commands the
// JS thread posted, sweeps deadlines and queues its event batch; the JS thread takes every queued batch in
// one call. Above the read-ahead bound (engine/read_ahead.h, 8 MiB) the loops stop reading sockets.
// Waking a loop is its backend's part (Backend::wake: an eventfd write, an IOCP post); waking the JS thread
// is the driver's (JsWake: a uv_async on Linux, a Node-API threadsafe function on Windows).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/address.h"
#include "core/byte_buffer.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/send_queue.h"
#include "core/session_budget.h"
#include "engine/backend.h"
#include "engine/driver.h"
#include "engine/loop_context.h"
#include "engine/read_ahead.h"

namespace fastport {

struct IoLoop {
  IoLoop(uint32_t index, uint32_t count) : index(index), count(count), ids(index, count) {}
  uint32_t index;
  uint32_t count;
  SessionIds ids;
  bool shutdownRequested = false;  // loop thread only
  EventWriter events;
  Counters counters;
  std::unique_ptr<Backend> backend;
  std::thread thread;
  std::mutex inboxMutex;
  ByteBuffer inbox;                          // command records for this loop (guarded)
  std::vector<std::function<void()>> tasks;  // listen / connect / shutdown work (guarded)
  ByteBuffer draining;                       // loop thread only
};

// One loop pass's events for the JS thread: the records and the payloads detached from them.
struct LoopBatch {
  ByteBuffer bytes;
  DetachedPayloads detached;
  size_t heldBytes = 0;  // bytes + detached payload bytes (read-ahead)
};

// Wakes the JS thread after a loop queued a batch (any thread; several wake-ups may merge into one).
class JsWake {
 public:
  virtual ~JsWake() = default;
  virtual void wake() = 0;
};

class LoopRunner {
 public:
  explicit LoopRunner(JsWake& wakeJs) : wakeJs_(wakeJs) {}

  // Creates `count` loops, a backend each (no thread yet). False with *error when one failed.
  bool create(const EngineConfig& config, SessionBudget& budget, uint32_t count, std::string* error);
  void startThreads();
  // Every loop shuts its backend down (last events queued) and its thread ends; joined here.
  void stopThreads();
  // Keeps the loops' final counters for stats(), then frees the loops.
  void destroyLoops();

  size_t size() const { return loops_.size(); }
  IoLoop& loop(size_t i) { return *loops_[i]; }

  // JS thread: a new session id on the next loop (round-robin) whose connect runs there; a host that did
  // not resolve ends as CLOSE dns_failed on that loop. Counted in connectsInFlight() until the loop ran it;
  // counted() runs once it is counted and before the loop can run it (the driver keeps the process alive).
  SessionId connect(const SocketAddress& addr, bool resolved, uint32_t timeoutMs,
                    const std::function<void()>& counted);
  uint32_t connectsInFlight() const { return connectsInFlight_.load(std::memory_order_relaxed); }
  // JS thread: validates a command log ("" or why it was rejected, then nothing applies), routes it into
  // the loops' inboxes and wakes their owners.
  std::string submit(const CommandBatch& batch, uint32_t maxFrameBytes);
  // JS thread: one deliver call with every batch queued since the last one (none queued: no call).
  // Counted as read-ahead until deliver returned, so the loops do not read far ahead of a busy JS thread.
  void deliverBatches(const DeliverFn& deliver, bool inJsCall);
  // During a deliver call: the detached payloads of its batches, in record order (Driver::detachedPayloads).
  DetachedPayloads* detachedPayloads() { return deliveringDetached_; }
  // Counters of the loops (and of those already destroyed) and the driver's (batches, submits, wakeups).
  void stats(const std::function<void(const char*, uint64_t)>& fn) const;

 private:
  void run(IoLoop& l);
  void flushEvents(IoLoop& l);
  // After a delivery: the batches' bytes leave the read-ahead, their buffers go back to spare_.
  void recycleTaken(std::vector<LoopBatch>& taken, size_t bytes);

  JsWake& wakeJs_;
  std::vector<std::unique_ptr<IoLoop>> loops_;
  Counters driverCounters_;  // JS thread
  Counters retired_;         // counters of destroyed loops
  uint32_t nextConnectLoop_ = 0;
  std::atomic<uint32_t> connectsInFlight_{0};  // connect() calls not yet run by their loop
  std::vector<ByteBuffer> staging_;            // per-loop command logs being routed (JS thread only)
  std::vector<ByteBuffer*> stagingPtrs_;
  std::mutex outMutex_;
  ReadAhead readAhead_;
  std::vector<LoopBatch> out_;     // batches from loops (guarded)
  std::vector<ByteBuffer> spare_;  // empty buffers for reuse (guarded)
  // JS thread only: the outermost delivery's batches, its parts and detached payloads.
  std::vector<LoopBatch> taken_;
  std::vector<ByteSlice> parts_;
  DetachedPayloads detached_;
  DetachedPayloads* deliveringDetached_ = nullptr;  // the delivery in progress (outer or nested)
  bool delivering_ = false;
};

}  // namespace fastport
