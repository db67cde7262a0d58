// The Windows driver (built instead of engine/driver_inline.cc + driver_threads.cc): every backend runs its
// completion-port loop on a native I/O thread: an IOCP has no fd for libuv to poll. ioThreads 0 (the
// default) means one worker loop per hardware thread. Loop -> JS: event batches are queued and one Node-API
// threadsafe function call wakes the JS thread (at most one call outstanding), so the Windows build needs no
// libuv import library. Listening happens on loop 0 only (no SO_REUSEPORT balancing on Windows); it hands
// accepted sockets to all loops round-robin (win/loop_group.h). Connects go round-robin too.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "engine/command_dispatch.h"
#include "engine/driver.h"
#include "engine/driver_common.h"
#include "engine/loop_tasks.h"
#include "engine/read_ahead.h"
#include "engine/registry.h"
#include "win/winsock.h"

namespace fastport {
namespace {

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

class WinDriver;

// What the threadsafe function's callback reaches; outlives the driver until the TSFN finalizer runs.
struct WakeTarget {
  WinDriver* driver = nullptr;  // nullptr after shutdown (JS thread only)
};

class WinDriver final : public Driver {
 public:
  WinDriver(const EngineConfig& config, DeliverFn deliver)
      : config_(config), deliver_(std::move(deliver)), budget_(config.maxConnections) {}

  bool start(napi_env env, std::string* error) {
    *error = win::startWinsock();  // resolveAddress() on the JS thread needs it too
    if (!error->empty()) return false;
    uint32_t n = config_.ioThreads ? config_.ioThreads : std::max(1u, std::thread::hardware_concurrency());
    for (uint32_t i = 0; i < n; ++i) {
      auto l = std::make_unique<IoLoop>(i, n);
      LoopContext ctx{&config_, &l->events, &l->counters, &l->ids, &budget_, i, n};
      l->backend = createBackend(config_.engine, ctx, error);
      if (!l->backend) return false;
      loops_.push_back(std::move(l));
    }
    target_ = new WakeTarget{this};
    napi_value name;
    napi_create_string_utf8(env, "fastport.Engine.wake", NAPI_AUTO_LENGTH, &name);
    napi_status st = napi_create_threadsafe_function(
        env, nullptr, nullptr, name, 0, 1, target_,
        [](napi_env, void* data, void*) { delete static_cast<WakeTarget*>(data); }, target_,
        &WinDriver::onWake, &tsfn_);
    if (st != napi_ok) {
      delete target_;
      target_ = nullptr;
      *error = "napi_create_threadsafe_function failed";
      return false;
    }
    env_ = env;
    updateRef();
    for (uint32_t i = 0; i < n; ++i) loops_[i]->thread = std::thread([this, i] { run(*loops_[i]); });
    return true;
  }

  ~WinDriver() override { shutdown(false); }

  ListenResult listen(const std::string& host, uint16_t port, int backlog) override {
    ListenResult r;
    SocketAddress addr;
    r.error = resolveAddress(host, port, &addr);
    if (!r.error.empty()) return r;
    r.id = nextListenerId_++;
    IoLoop& l = *loops_[0];
    uint16_t got = 0;
    int err = callOnLoop(l, [&] { return l.backend->listen(r.id, addr, backlog, false, &got); });
    if (err) {
      r.error = win::errorText("listen " + host + ":" + std::to_string(port), unsigned(err));
      return r;
    }
    r.port = got;
    ++listeners_;
    updateRef();
    return r;
  }

  void unlisten(uint32_t listenerId) override {
    if (stopped_) return;
    IoLoop& l = *loops_[0];
    callOnLoop(l, [&] {
      l.backend->unlisten(listenerId);
      return 0;
    });
    if (listenerId > 0 && listenerId < nextListenerId_ && listeners_ > 0) --listeners_;
    updateRef();
  }

  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) override {
    SocketAddress addr;
    *error = resolveAddress(host, port, &addr);
    if (!error->empty()) return 0;
    IoLoop& l = *loops_[nextConnectLoop_++ % loops_.size()];
    SessionId id = l.ids.next();
    postTask(l, [&l, id, addr, timeoutMs] { l.backend->connect(id, addr, timeoutMs); });
    updateRef(true);
    return id;
  }

  std::string submit(const uint8_t* log, size_t length) override {
    if (stopped_) return "";
    std::string error = validateCommands(log, length, config_.maxFrameBytes);
    if (!error.empty()) return error;
    driverCounters_.submits.add();
    std::vector<ByteBuffer*> staging;
    staging_.resize(loops_.size());
    for (auto& b : staging_) {
      b.clear();
      staging.push_back(&b);
    }
    routeCommands(log, length, staging);
    for (size_t i = 0; i < loops_.size(); ++i) {
      if (staging_[i].empty()) continue;
      IoLoop& l = *loops_[i];
      {
        std::lock_guard<std::mutex> lock(l.inboxMutex);
        l.inbox.append(staging_[i].data(), staging_[i].size());
      }
      l.backend->wake();
      staging_[i].shrinkTo(kKeepBatchBytes);
    }
    return "";
  }

  void stats(const std::function<void(const char*, uint64_t)>& fn) override {
    std::vector<const Counters*> all{&driverCounters_};
    for (auto& l : loops_) all.push_back(&l->counters);
    sumCounters(all, fn);
  }

  void shutdown(bool deliverLast) override {
    if (stopped_) return;
    stopped_ = true;
    for (auto& l : loops_) {
      if (!l->thread.joinable()) continue;
      IoLoop* loop = l.get();
      postTask(*loop, [loop] { loop->shutdownRequested = true; });
    }
    for (auto& l : loops_) {
      if (l->thread.joinable()) l->thread.join();
    }
    if (deliverLast) onBatches(true);
    loops_.clear();
    if (tsfn_) {
      target_->driver = nullptr;  // a wake-up already queued finds no driver
      napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
      tsfn_ = nullptr;
    }
  }

 private:
  static void onWake(napi_env env, napi_value, void* context, void*) {
    auto* target = static_cast<WakeTarget*>(context);
    if (!env || !target || !target->driver) return;
    target->driver->onBatches(false);
  }

  void run(IoLoop& l) {
    uint64_t lastSweep = monotonicMs();
    std::vector<std::function<void()>> tasks;
    for (;;) {
      if (readAhead_.over()) {
        readAhead_.wait(kSweepIntervalMs);  // JS is behind: no reading until it took the queued batches
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
      for (auto& t : tasks) t();  // tasks first: a connect() posted before a submit() must exist
      tasks.clear();
      if (!l.draining.empty()) {
        applyCommands(*l.backend, l.draining.data(), l.draining.size(), l.index, l.count);
        l.draining.clear();
        l.draining.shrinkTo(kKeepBatchBytes);
      }
      if (l.shutdownRequested) {
        l.backend->shutdown();
        flushEvents(l);
        break;
      }
      uint64_t now = monotonicMs();
      if (now - lastSweep >= uint64_t(kSweepIntervalMs)) {
        l.backend->sweep(now, jsCaughtUp);
        lastSweep = now;
      }
      flushEvents(l);
    }
  }

  // Loop thread: queue this pass's events and wake the JS thread (one outstanding wake-up at most).
  void flushEvents(IoLoop& l) {
    if (l.events.empty()) return;
    ByteBuffer batch;
    {
      std::lock_guard<std::mutex> lock(outMutex_);
      if (!spare_.empty()) {
        batch.swap(spare_.back());
        spare_.pop_back();
      }
      batch.swap(l.events.buffer());
      l.events.clear();
      readAhead_.queued(batch.size());
      out_.push_back(std::move(batch));
    }
    if (!wakePending_.exchange(true, std::memory_order_acq_rel) && tsfn_) {
      napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
    }
  }

  // JS thread: one JS call with every batch queued since the last wake-up.
  void onBatches(bool inJsCall) {
    driverCounters_.wakeups.add();
    wakePending_.store(false, std::memory_order_release);
    size_t bytes = 0;
    {
      std::lock_guard<std::mutex> lock(outMutex_);
      taken_.swap(out_);
      for (auto& b : taken_) bytes += b.size();
    }
    if (!taken_.empty()) {
      parts_.clear();
      for (auto& b : taken_) parts_.push_back(ByteSlice{b.data(), b.size()});
      driverCounters_.batches.add();
      deliver_(parts_.data(), parts_.size(), inJsCall);
      readAhead_.handled(bytes);  // counted until JS has handled them: the loops do not read far ahead
      std::lock_guard<std::mutex> lock(outMutex_);
      for (auto& b : taken_) {
        b.clear();
        b.shrinkTo(kKeepBatchBytes);
        if (spare_.size() < 2 * loops_.size() + 2) spare_.push_back(std::move(b));
      }
      taken_.clear();
    }
    updateRef();
  }

  // Keeps the process alive while listeners or sessions exist (connecting: a session is about to exist).
  void updateRef(bool connecting = false) {
    if (!tsfn_ || stopped_) return;
    bool want = connecting || listeners_ > 0 || budget_.used() > 0;
    if (want == refed_) return;
    refed_ = want;
    if (want) {
      napi_ref_threadsafe_function(env_, tsfn_);
    } else {
      napi_unref_threadsafe_function(env_, tsfn_);
    }
  }

  EngineConfig config_;
  DeliverFn deliver_;
  SessionBudget budget_;
  Counters driverCounters_;
  std::vector<std::unique_ptr<IoLoop>> loops_;
  std::vector<ByteBuffer> staging_;
  napi_env env_ = nullptr;
  napi_threadsafe_function tsfn_ = nullptr;
  WakeTarget* target_ = nullptr;
  bool refed_ = true;  // a new TSFN is referenced
  std::atomic<bool> wakePending_{false};
  std::mutex outMutex_;
  ReadAhead readAhead_;
  std::vector<ByteBuffer> out_;
  std::vector<ByteBuffer> spare_;
  std::vector<ByteBuffer> taken_;
  std::vector<ByteSlice> parts_;
  uint32_t nextListenerId_ = 1;
  uint32_t listeners_ = 0;
  uint32_t nextConnectLoop_ = 0;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Driver> Driver::create(const EngineConfig& config, uv_loop_t*, DeliverFn deliver,
                                       std::string* error) {
  auto driver = std::make_unique<WinDriver>(config, std::move(deliver));
  if (!driver->start(driverEnv(), error)) return nullptr;
  return driver;
}

}  // namespace fastport
