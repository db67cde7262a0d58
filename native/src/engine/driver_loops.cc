#include "engine/driver_loops.h"

#include "core/clock.h"
#include "engine/command_dispatch.h"
#include "engine/driver_common.h"
#include "engine/loop_tasks.h"
#include "engine/registry.h"

namespace fastport {

bool LoopRunner::create(const EngineConfig& config, SessionBudget& budget, uint32_t count,
                        std::string* error) {
  for (uint32_t i = 0; i < count; ++i) {
    auto l = std::make_unique<IoLoop>(i, count);
    l->events.detachFramesFrom(config.detachFrameBytes);
    LoopContext ctx{&config, &l->events, &l->counters, &l->ids, &budget, i, count};
    l->backend = createBackend(config.engine, ctx, error);
    if (!l->backend) return false;  // nothing to join: no thread started yet
    loops_.push_back(std::move(l));
  }
  return true;
}

void LoopRunner::startThreads() {
  for (auto& l : loops_) {
    IoLoop* loop = l.get();
    loop->thread = std::thread([this, loop] { run(*loop); });
  }
}

void LoopRunner::stopThreads() {
  for (auto& l : loops_) {
    if (!l->thread.joinable()) continue;
    IoLoop* loop = l.get();
    postTask(*loop, [loop] { loop->shutdownRequested = true; });
  }
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
}

void LoopRunner::destroyLoops() {
  for (auto& l : loops_) {
#define FASTPORT_COUNTER_KEEP(name) retired_.name.add(l->counters.name.get());
    FASTPORT_COUNTERS(FASTPORT_COUNTER_KEEP)
#undef FASTPORT_COUNTER_KEEP
  }
  loops_.clear();
}

// The I/O thread: poll, run tasks and commands, sweep, hand events to the JS thread.
void LoopRunner::run(IoLoop& l) {
  uint64_t lastSweep = monotonicMs();
  std::vector<std::function<void()>> tasks;
  for (;;) {
    if (readAhead_.over()) {
      // JS is behind: stop reading sockets (the kernel buffers, then TCP flow control pushes back on the
      // peers) until it has taken the queued batches. Commands and sweeps go on meanwhile.
      readAhead_.wait(kSweepIntervalMs);
    } else {
      l.backend->poll(kSweepIntervalMs);
    }
    // Before the inbox is taken: JS submitted what it answered to every handled batch by now.
    bool jsCaughtUp = l.events.empty() && readAhead_.caughtUp();
    {
      std::lock_guard<std::mutex> lock(l.inboxMutex);
      tasks.swap(l.tasks);
      l.draining.swap(l.inbox);
    }
    // Tasks first: a connect() posted before a submit() must exist when its SENDs arrive.
    for (auto& t : tasks) t();
    tasks.clear();
    if (!l.draining.empty()) {
      applyCommands(*l.backend, CommandBatch{l.draining.data(), l.draining.size()}, l.index, l.count);
      l.draining.clear();
      l.draining.shrinkTo(kKeepBatchBytes);
    }
    if (l.shutdownRequested) {
      l.backend->shutdown();
      flushEvents(l);
      return;
    }
    uint64_t now = monotonicMs();
    if (now - lastSweep >= uint64_t(kSweepIntervalMs)) {
      l.backend->sweep(now, jsCaughtUp);
      lastSweep = now;
    }
    flushEvents(l);
  }
}

// Loop thread: queue this pass's events for the JS thread and wake it.
void LoopRunner::flushEvents(IoLoop& l) {
  if (l.events.empty()) return;
  LoopBatch batch;
  batch.heldBytes = l.events.heldBytes();
  {
    std::lock_guard<std::mutex> lock(outMutex_);
    if (!spare_.empty()) {
      batch.bytes.swap(spare_.back());
      spare_.pop_back();
    }
    batch.bytes.swap(l.events.buffer());  // the loop keeps writing into the recycled (empty) buffer
    batch.detached.swap(l.events.detached());
    l.events.clear();
    readAhead_.queued(batch.heldBytes);
    out_.push_back(std::move(batch));
  }
  wakeJs_.wake();
}

SessionId LoopRunner::connect(const SocketAddress& addr, bool resolved, uint32_t timeoutMs,
                              const std::function<void()>& counted) {
  IoLoop& l = *loops_[nextConnectLoop_++ % loops_.size()];
  SessionId id = l.ids.next();
  connectsInFlight_.fetch_add(1, std::memory_order_relaxed);
  counted();
  postTask(l, [this, &l, id, addr, timeoutMs, resolved] {
    if (resolved) {
      l.backend->connect(id, addr, timeoutMs);
    } else {
      reportDnsFailure(l.events, l.counters, id);
    }
    connectsInFlight_.fetch_sub(1, std::memory_order_relaxed);
  });
  return id;
}

std::string LoopRunner::submit(const CommandBatch& batch, uint32_t maxFrameBytes) {
  std::string error = validateCommands(batch, maxFrameBytes);
  if (!error.empty()) return error;
  driverCounters_.submits.add();
  // Route into per-loop staging buffers (no lock held), then hand each to its inbox under the lock (swapped
  // in when the inbox is empty, else appended).
  if (staging_.size() != loops_.size()) {
    staging_.resize(loops_.size());
    stagingPtrs_.clear();
    for (auto& b : staging_) stagingPtrs_.push_back(&b);
  }
  if (loops_.size() == 1 && batch.payloadCount == 0) {
    staging_[0].append(batch.log, batch.length);
  } else {
    routeCommands(batch, stagingPtrs_);  // handed-over payloads are copied in: the loops run after the call
  }
  for (size_t i = 0; i < loops_.size(); ++i) {
    if (staging_[i].empty()) continue;
    IoLoop& l = *loops_[i];
    {
      std::lock_guard<std::mutex> lock(l.inboxMutex);
      if (l.inbox.empty()) {
        l.inbox.swap(staging_[i]);  // the loop took everything before: hand the routed log over as it is
      } else {
        l.inbox.append(staging_[i].data(), staging_[i].size());
      }
    }
    l.backend->wake();
    staging_[i].clear();
    staging_[i].shrinkTo(kKeepBatchBytes);
  }
  return "";
}

void LoopRunner::deliverBatches(const DeliverFn& deliver, bool inJsCall) {
  driverCounters_.wakeups.add();
  // A nested call (onEvents -> shutdown) takes lists of its own: the outer call's batches stay as they are
  // until it returns, and each call hands JS its own batches' detached payloads.
  bool outer = !delivering_;
  std::vector<LoopBatch> nestedTaken;
  std::vector<ByteSlice> nestedParts;
  DetachedPayloads nestedDetached;
  std::vector<LoopBatch>& taken = outer ? taken_ : nestedTaken;
  std::vector<ByteSlice>& parts = outer ? parts_ : nestedParts;
  DetachedPayloads& detached = outer ? detached_ : nestedDetached;
  size_t bytes = 0;
  {
    std::lock_guard<std::mutex> lock(outMutex_);
    taken.swap(out_);
    for (auto& b : taken) bytes += b.heldBytes;
  }
  if (taken.empty()) return;
  parts.clear();
  detached.clear();
  for (auto& b : taken) {
    parts.push_back(ByteSlice{b.bytes.data(), b.bytes.size()});
    for (auto& p : b.detached) detached.push_back(std::move(p));  // record order across the parts
    b.detached.clear();
  }
  // Recycled even when deliver throws: the loops must not stay stopped by batches JS will never take.
  struct Recycle {
    LoopRunner* runner;
    std::vector<LoopBatch>& taken;
    DetachedPayloads& detached;
    DetachedPayloads* previous;
    size_t bytes;
    bool outer;
    ~Recycle() {
      detached.clear();  // what JS did not take
      runner->deliveringDetached_ = previous;
      runner->recycleTaken(taken, bytes);
      if (outer) runner->delivering_ = false;
    }
  } recycle{this, taken, detached, deliveringDetached_, bytes, outer};
  delivering_ = true;
  deliveringDetached_ = &detached;
  driverCounters_.batches.add();
  deliver(parts.data(), parts.size(), inJsCall);
}

void LoopRunner::recycleTaken(std::vector<LoopBatch>& taken, size_t bytes) {
  readAhead_.handled(bytes);
  std::lock_guard<std::mutex> lock(outMutex_);
  for (auto& b : taken) {
    b.bytes.clear();
    b.bytes.shrinkTo(kKeepEventBatchBytes);
    if (spare_.size() < 2 * loops_.size() + 2) spare_.push_back(std::move(b.bytes));
  }
  taken.clear();
}

void LoopRunner::stats(const std::function<void(const char*, uint64_t)>& fn) const {
  std::vector<const Counters*> all{&driverCounters_, &retired_};
  for (auto& l : loops_) all.push_back(&l->counters);
  sumCounters(all, fn);
}

}  // namespace fastport
