// Thread mode (ioThreads = N): N I/O loops, each a backend on its own thread. Sessions are sharded across
// loops (the id encodes the loop); every loop has its own SO_REUSEPORT listener socket per listen().
// JS -> loop: commands are split per owning loop into its inbox, then an eventfd wake-up (backend->wake()).
// Loop -> JS: each loop pass's event batch goes into one queue, one uv_async wakes the JS thread, which makes
// one JS call with every batch queued since.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "engine/command_dispatch.h"
#include "engine/driver.h"
#include "engine/driver_common.h"
#include "engine/loop_tasks.h"
#include "engine/read_ahead.h"
#include "engine/registry.h"
#include "posix/listen_socket.h"

namespace fastport {
namespace {

class ThreadedDriver;

struct IoLoop {
  IoLoop(uint32_t index, uint32_t count) : index(index), count(count), ids(index, count) {}
  uint32_t index;
  uint32_t count;
  SessionIds ids;
  bool shutdownRequested = false;  // loop thread only
  bool stop = false;               // loop thread only
  EventWriter events;
  Counters counters;
  std::unique_ptr<Backend> backend;
  std::thread thread;
  std::mutex inboxMutex;
  ByteBuffer inbox;                          // command records for this loop (guarded)
  std::vector<std::function<void()>> tasks;  // listen / connect / shutdown work (guarded)
  ByteBuffer draining;                       // loop thread only
};

class ThreadedDriver final : public Driver {
 public:
  ThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver)
      : config_(config), uvLoop_(loop), deliver_(std::move(deliver)), budget_(config.maxConnections) {}

  bool start(std::string* error) {
    uint32_t n = config_.ioThreads;
    for (uint32_t i = 0; i < n; ++i) {
      auto l = std::make_unique<IoLoop>(i, n);
      LoopContext ctx{&config_, &l->events, &l->counters, &l->ids, &budget_, i, n};
      l->backend = createBackend(config_.engine, ctx, error);
      if (!l->backend) return false;  // destructor joins nothing: no thread started yet
      loops_.push_back(std::move(l));
    }
    async_ = new uv_async_t;
    uv_async_init(uvLoop_, async_, [](uv_async_t* h) { static_cast<ThreadedDriver*>(h->data)->onBatches(); });
    async_->data = this;
    updateRef();
    for (uint32_t i = 0; i < n; ++i) {
      loops_[i]->thread = std::thread([this, i] { run(*loops_[i]); });
    }
    return true;
  }

  ~ThreadedDriver() override { shutdown(false); }

  ListenResult listen(const std::string& host, uint16_t port, int backlog) override {
    ListenResult r;
    SocketAddress addr;
    r.error = resolveAddress(host, port, &addr);
    if (!r.error.empty()) return r;
    // SO_REUSEPORT is for this server's own loops: a port another socket holds fails as in inline mode,
    // unless the application asked to share it (reusePort).
    if (port != 0 && !config_.reusePort) {
      if (int err = checkPortFree(addr)) {
        r.error = errnoText("listen " + host + ":" + std::to_string(port), err);
        return r;
      }
    }
    r.id = nextListenerId_++;
    uint16_t bound = port;
    for (size_t i = 0; i < loops_.size(); ++i) {
      SocketAddress at = addr;
      setPort(&at, bound);  // every loop binds the port the first one got
      uint16_t got = 0;
      int err =
          callOnLoop(*loops_[i], [&] { return loops_[i]->backend->listen(r.id, at, backlog, true, &got); });
      if (err) {
        for (size_t j = 0; j < i; ++j) {
          callOnLoop(*loops_[j], [&] {
            loops_[j]->backend->unlisten(r.id);
            return 0;
          });
        }
        r.error = errnoText("listen " + host + ":" + std::to_string(bound), err);
        return r;
      }
      bound = got;
    }
    r.port = bound;
    listeners_.insert(r.id);
    updateRef();
    return r;
  }

  void unlisten(uint32_t listenerId) override {
    if (stopped_) return;
    for (auto& l : loops_) {
      callOnLoop(*l, [&] {
        l->backend->unlisten(listenerId);
        return 0;
      });
    }
    listeners_.erase(listenerId);
    updateRef();
  }

  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) override {
    SocketAddress addr;
    *error = resolveAddress(host, port, &addr);
    if (!error->empty()) return 0;
    IoLoop& l = *loops_[nextConnectLoop_++ % loops_.size()];
    SessionId id = l.ids.next();
    // Counted until the loop has taken the session (and its budget): keeps the process alive meanwhile.
    connectsInFlight_.fetch_add(1, std::memory_order_relaxed);
    updateRef();
    postTask(l, [this, &l, id, addr, timeoutMs] {
      l.backend->connect(id, addr, timeoutMs);
      connectsInFlight_.fetch_sub(1, std::memory_order_relaxed);
    });
    return id;
  }

  std::string submit(const uint8_t* log, size_t length) override {
    if (stopped_) return "";
    std::string error = validateCommands(log, length, config_.maxFrameBytes);
    if (!error.empty()) return error;
    driverCounters_.submits.add();
    // Route into per-loop staging buffers (no lock held), then append each to its inbox under the lock.
    if (staging_.size() != loops_.size()) {
      staging_.resize(loops_.size());
      stagingPtrs_.clear();
      for (auto& b : staging_) stagingPtrs_.push_back(&b);
    }
    if (loops_.size() == 1) {
      staging_[0].append(log, length);
    } else {
      routeCommands(log, length, stagingPtrs_);
    }
    for (size_t i = 0; i < loops_.size(); ++i) {
      if (staging_[i].empty()) continue;
      IoLoop& l = *loops_[i];
      {
        std::lock_guard<std::mutex> lock(l.inboxMutex);
        l.inbox.append(staging_[i].data(), staging_[i].size());
      }
      l.backend->wake();
      staging_[i].clear();
      staging_[i].shrinkTo(kKeepBatchBytes);
    }
    return "";
  }

  void stats(const std::function<void(const char*, uint64_t)>& fn) override {
    std::vector<const Counters*> all{&driverCounters_, &retiredCounters_};
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
    // A throwing onEvents must not skip the clean-up below: rethrown at the end.
    std::exception_ptr thrown;
    if (deliverLast) {
      try {
        onBatches(true);
      } catch (...) {
        thrown = std::current_exception();
      }
    }
    // Keep the loops' final counters for stats() after shutdown.
    for (auto& l : loops_) {
#define FASTPORT_COUNTER_KEEP(name) retiredCounters_.name.add(l->counters.name.get());
      FASTPORT_COUNTERS(FASTPORT_COUNTER_KEEP)
#undef FASTPORT_COUNTER_KEEP
    }
    loops_.clear();
    if (async_) {
      uv_close(reinterpret_cast<uv_handle_t*>(async_),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
      async_ = nullptr;
    }
    if (thrown) std::rethrow_exception(thrown);
  }

 private:
  static void setPort(SocketAddress* a, uint16_t port) {
    if (a->storage.ss_family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&a->storage)->sin6_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in*>(&a->storage)->sin_port = htons(port);
    }
  }

  // The I/O thread: poll, run tasks and commands, sweep, hand events to the JS thread.
  void run(IoLoop& l) {
    uint64_t lastSweep = monotonicMs();
    std::vector<std::function<void()>> tasks;
    while (!l.stop) {
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
        applyCommands(*l.backend, l.draining.data(), l.draining.size(), l.index, l.count);
        l.draining.clear();
        l.draining.shrinkTo(kKeepBatchBytes);
      }
      if (l.shutdownRequested) {
        l.backend->shutdown();
        flushEvents(l);
        l.stop = true;
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

  // Loop thread: queue this pass's events for the JS thread and wake it.
  void flushEvents(IoLoop& l) {
    if (l.events.empty()) return;
    ByteBuffer batch;
    {
      std::lock_guard<std::mutex> lock(outMutex_);
      if (!spare_.empty()) {
        batch.swap(spare_.back());
        spare_.pop_back();
      }
      batch.swap(l.events.buffer());  // the loop keeps writing into the recycled (empty) buffer
      l.events.clear();
      readAhead_.queued(batch.size());
      out_.push_back(std::move(batch));
    }
    uv_async_send(async_);
  }

  // JS thread: one JS call with every batch queued since the last wake-up.
  void onBatches(bool inJsCall = false) {
    driverCounters_.wakeups.add();
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
    }
    // Counted as undelivered until JS has handled them, so the loops do not read ahead of a busy JS thread.
    readAhead_.handled(bytes);
    if (!taken_.empty()) {
      std::lock_guard<std::mutex> lock(outMutex_);
      for (auto& b : taken_) {
        b.clear();
        b.shrinkTo(kKeepBatchBytes);
        if (spare_.size() < 2 * loops_.size()) spare_.push_back(std::move(b));
      }
      taken_.clear();
    }
    updateRef();
  }

  void updateRef() {
    if (!async_) return;
    if (!listeners_.empty() || budget_.used() > 0 || connectsInFlight_.load(std::memory_order_relaxed) > 0) {
      uv_ref(reinterpret_cast<uv_handle_t*>(async_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    }
  }

  EngineConfig config_;
  uv_loop_t* uvLoop_;
  DeliverFn deliver_;
  SessionBudget budget_;
  Counters driverCounters_;
  Counters retiredCounters_;  // counters of loops already shut down
  std::vector<std::unique_ptr<IoLoop>> loops_;
  std::vector<ByteBuffer> staging_;  // per-loop command logs being routed (JS thread only)
  std::vector<ByteBuffer*> stagingPtrs_;
  uv_async_t* async_ = nullptr;
  std::mutex outMutex_;
  ReadAhead readAhead_;
  std::vector<ByteBuffer> out_;    // batches from loops (guarded)
  std::vector<ByteBuffer> spare_;  // empty buffers for reuse (guarded)
  std::vector<ByteBuffer> taken_;  // JS thread only
  std::vector<ByteSlice> parts_;
  uint32_t nextListenerId_ = 1;
  std::unordered_set<uint32_t> listeners_;  // open listener ids
  uint32_t nextConnectLoop_ = 0;
  std::atomic<uint32_t> connectsInFlight_{0};  // connect() calls not yet run by their loop
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Driver> createThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                             std::string* error) {
  auto driver = std::make_unique<ThreadedDriver>(config, loop, std::move(deliver));
  if (!driver->start(error)) return nullptr;
  return driver;
}

std::unique_ptr<Driver> Driver::create(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                       std::string* error) {
  if (config.ioThreads == 0) return createInlineDriver(config, loop, std::move(deliver), error);
  return createThreadedDriver(config, loop, std::move(deliver), error);
}

}  // namespace fastport
