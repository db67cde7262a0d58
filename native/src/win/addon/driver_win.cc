// The Windows driver (built instead of engine/driver_inline.cc + driver_threads.cc): every backend runs its
// completion-port loop on a native I/O thread: an IOCP has no fd for libuv to poll. ioThreads 0 (the
// default) means one worker loop per hardware thread. Loop -> JS: event batches are queued and one Node-API
// threadsafe function call wakes the JS thread (at most one call outstanding), so the Windows build needs no
// libuv import library. Listening happens on loop 0 only (no SO_REUSEPORT balancing on Windows); it hands
// accepted sockets to all loops round-robin (win/loop_group.h). Connects go round-robin too. The loops
// themselves are engine/driver_loops.h, shared with the Linux threaded driver.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "engine/driver.h"
#include "engine/driver_common.h"
#include "engine/driver_loops.h"
#include "engine/loop_tasks.h"
#include "win/winsock.h"

namespace fastport {
namespace {

class WinDriver;

// What the threadsafe function's callback reaches; outlives the driver until the TSFN finalizer runs.
struct WakeTarget {
  WinDriver* driver = nullptr;  // nullptr after shutdown (JS thread only)
};

class WinDriver final : public Driver, private JsWake {
 public:
  WinDriver(const EngineConfig& config, DeliverFn deliver)
      : config_(config), deliver_(std::move(deliver)), budget_(config.maxConnections), loops_(*this) {}

  bool start(napi_env env, std::string* error) {
    *error = win::startWinsock();  // resolveAddress() on the JS thread needs it too
    if (!error->empty()) return false;
    uint32_t n = config_.ioThreads ? config_.ioThreads : std::max(1u, std::thread::hardware_concurrency());
    if (!loops_.create(config_, budget_, n, error)) return false;
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
    loops_.startThreads();
    return true;
  }

  ~WinDriver() override { shutdown(false); }

  ListenResult listen(const std::string& host, uint16_t port, int backlog) override {
    ListenResult r;
    SocketAddress addr;
    r.error = resolveAddress(host, port, &addr);
    if (!r.error.empty()) return r;
    r.id = nextListenerId_++;
    IoLoop& l = loops_.loop(0);
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
    IoLoop& l = loops_.loop(0);
    callOnLoop(l, [&] {
      l.backend->unlisten(listenerId);
      return 0;
    });
    if (listenerId > 0 && listenerId < nextListenerId_ && listeners_ > 0) --listeners_;
    updateRef();
  }

  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) override {
    SocketAddress addr;
    bool resolved = resolveAddress(host, port, &addr).empty();
    return loops_.connect(addr, resolved, timeoutMs, [this] { updateRef(true); });
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
    if (deliverLast) onBatches(true);
    loops_.destroyLoops();  // their final counters stay for stats()
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

  // Loop threads: a batch is queued (one threadsafe-function call outstanding at most).
  void wake() override {
    if (!wakePending_.exchange(true, std::memory_order_acq_rel) && tsfn_) {
      napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
    }
  }

  // JS thread: one JS call with every batch queued since the last wake-up.
  void onBatches(bool inJsCall) {
    wakePending_.store(false, std::memory_order_release);
    loops_.deliverBatches(deliver_, inJsCall);
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
  napi_env env_ = nullptr;
  napi_threadsafe_function tsfn_ = nullptr;  // before loops_: the loop threads call it
  WakeTarget* target_ = nullptr;
  bool refed_ = true;  // a new TSFN is referenced
  std::atomic<bool> wakePending_{false};
  LoopRunner loops_;
  uint32_t nextListenerId_ = 1;
  uint32_t listeners_ = 0;
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
