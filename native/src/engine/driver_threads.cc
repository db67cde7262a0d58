// Thread mode (ioThreads = N): N I/O loops, each a backend on its own thread. Sessions are sharded across
// loops (the id encodes the loop); every loop has its own SO_REUSEPORT listener socket per listen().
// JS -> loop: commands are split per owning loop into its inbox, then an eventfd wake-up (backend->wake()).
// Loop -> JS: each loop pass's event batch goes into one queue, one uv_async wakes the JS thread, which makes
// one JS call with every batch queued since. The loops themselves are engine/driver_loops.h.
#include <atomic>
#include <exception>
#include <unordered_set>

#include "engine/driver.h"
#include "engine/driver_common.h"
#include "engine/driver_loops.h"
#include "engine/loop_tasks.h"
#include "posix/listen_socket.h"

namespace fastport {
namespace {

class ThreadedDriver final : public Driver, private JsWake {
 public:
  ThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver)
      : config_(config),
        uvLoop_(loop),
        deliver_(std::move(deliver)),
        budget_(config.maxConnections),
        loops_(*this) {}

  bool start(std::string* error) {
    if (!loops_.create(config_, budget_, config_.ioThreads, error)) return false;
    async_ = new uv_async_t;
    uv_async_init(uvLoop_, async_, [](uv_async_t* h) { static_cast<ThreadedDriver*>(h->data)->onBatches(); });
    async_->data = this;
    updateRef();
    loops_.startThreads();
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
      IoLoop& l = loops_.loop(i);
      int err = callOnLoop(l, [&] { return l.backend->listen(r.id, at, backlog, true, &got); });
      if (err) {
        for (size_t j = 0; j < i; ++j) {
          IoLoop& done = loops_.loop(j);
          callOnLoop(done, [&] {
            done.backend->unlisten(r.id);
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
    for (size_t i = 0; i < loops_.size(); ++i) {
      IoLoop& l = loops_.loop(i);
      callOnLoop(l, [&] {
        l.backend->unlisten(listenerId);
        return 0;
      });
    }
    listeners_.erase(listenerId);
    updateRef();
  }

  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) override {
    SocketAddress addr;
    bool resolved = resolveAddress(host, port, &addr).empty();
    // Counted until the loop has taken the session (and its budget): keeps the process alive meanwhile.
    return loops_.connect(addr, resolved, timeoutMs, [this] { updateRef(); });
  }

  std::string submit(const uint8_t* log, size_t length) override {
    if (stopped_) return "";
    return loops_.submit(log, length, config_.maxFrameBytes);
  }

  void stats(const std::function<void(const char*, uint64_t)>& fn) override { loops_.stats(fn); }

  DetachedPayloads* detachedPayloads() override { return loops_.detachedPayloads(); }

  void shutdown(bool deliverLast) override {
    if (stopped_) return;
    stopped_ = true;
    loops_.stopThreads();
    // A throwing onEvents must not skip the clean-up below: rethrown at the end.
    std::exception_ptr thrown;
    if (deliverLast) {
      try {
        onBatches(true);
      } catch (...) {
        thrown = std::current_exception();
      }
    }
    loops_.destroyLoops();  // their final counters stay for stats()
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

  // Loop threads: a batch is queued.
  void wake() override { uv_async_send(async_); }

  // JS thread: one JS call with every batch queued since the last wake-up.
  void onBatches(bool inJsCall = false) {
    loops_.deliverBatches(deliver_, inJsCall);
    updateRef();
  }

  void updateRef() {
    if (!async_) return;
    if (!listeners_.empty() || budget_.used() > 0 || loops_.connectsInFlight() > 0) {
      uv_ref(reinterpret_cast<uv_handle_t*>(async_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    }
  }

  EngineConfig config_;
  uv_loop_t* uvLoop_;
  DeliverFn deliver_;
  SessionBudget budget_;
  uv_async_t* async_ = nullptr;  // before loops_: the loop threads wake it
  LoopRunner loops_;
  uint32_t nextListenerId_ = 1;
  std::unordered_set<uint32_t> listeners_;  // open listener ids
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
