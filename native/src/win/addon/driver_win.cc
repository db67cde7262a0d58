// The Windows driver (built instead of engine/driver_inline.cc + driver_threads.cc): every backend runs its
// completion-port loop on a native I/O thread: an IOCP has no fd for libuv to poll. ioThreads 0 (the
// default) means one worker loop per hardware thread. Loop -> JS: event batches are queued and one Node-API
// threadsafe function call wakes the JS thread (at most one call outstanding), so the Windows build needs no
// libuv import library. Listening happens on loop 0 only (no SO_REUSEPORT balancing on Windows); it hands
// accepted sockets to all loops round-robin (win/loop_group.h). Connects go round-robin too. The loops
// (engine/driver_loops.h) and connect / submit / delivery / shutdown (engine/driver_loop_base.h) are the
// Linux threaded driver's code too.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "engine/driver_loop_base.h"
#include "engine/loop_tasks.h"
#include "win/winsock.h"

namespace fastport {
namespace {

class WinDriver;

// What the threadsafe function's callback reaches; outlives the driver until the TSFN finalizer runs.
struct WakeTarget {
  WinDriver* driver = nullptr;  // nullptr after shutdown (JS thread only)
};

class WinDriver final : public LoopDriverBase {
 public:
  WinDriver(const EngineConfig& config, DeliverFn deliver, napi_env env)
      : LoopDriverBase(config, std::move(deliver)), env_(env) {}

  bool start(std::string* error) {
    *error = win::startWinsock();  // resolveAddress() on the JS thread needs it too
    if (!error->empty()) return false;
    return startLoops(
        config_.ioThreads ? config_.ioThreads : std::max(1u, std::thread::hardware_concurrency()), error);
  }

  ~WinDriver() override { shutdown(false); }

 private:
  // Loop 0 only: it hands accepted sockets to every loop.
  int openListener(uint32_t id, const SocketAddress& addr, int backlog, uint16_t* port) override {
    IoLoop& l = loops_.loop(0);
    uint16_t got = 0;
    int err = callOnLoop(l, [&] { return l.backend->listen(id, addr, backlog, false, &got); });
    if (!err) *port = got;
    return err;
  }

  void closeListener(uint32_t id) override {
    IoLoop& l = loops_.loop(0);
    callOnLoop(l, [&] {
      l.backend->unlisten(id);
      return 0;
    });
  }

  bool openWake(std::string* error) override {
    target_ = new WakeTarget{this};
    napi_value name;
    napi_create_string_utf8(env_, "fastport.Engine.wake", NAPI_AUTO_LENGTH, &name);
    napi_status st = napi_create_threadsafe_function(
        env_, nullptr, nullptr, name, 0, 1, target_,
        [](napi_env, void* data, void*) { delete static_cast<WakeTarget*>(data); }, target_,
        &WinDriver::onWake, &tsfn_);
    if (st != napi_ok) {
      delete target_;
      target_ = nullptr;
      *error = "napi_create_threadsafe_function failed";
      return false;
    }
    return true;
  }

  void closeWake() override {
    if (!tsfn_) return;
    target_->driver = nullptr;  // a wake-up already queued finds no driver
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
    tsfn_ = nullptr;
  }

  static void onWake(napi_env env, napi_value, void* context, void*) {
    auto* target = static_cast<WakeTarget*>(context);
    if (!env || !target || !target->driver) return;
    target->driver->wakePending_.store(false, std::memory_order_release);
    target->driver->onBatches(false);
  }

  // Loop threads: a batch is queued (one threadsafe-function call outstanding at most).
  void wake() override {
    if (!wakePending_.exchange(true, std::memory_order_acq_rel) && tsfn_) {
      napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
    }
  }

  void updateRef() override {
    if (!tsfn_ || !running()) return;
    bool want = wantsRef();
    if (want == refed_) return;
    refed_ = want;
    if (want) {
      napi_ref_threadsafe_function(env_, tsfn_);
    } else {
      napi_unref_threadsafe_function(env_, tsfn_);
    }
  }

  napi_env env_;
  napi_threadsafe_function tsfn_ = nullptr;  // the loop threads call it; released after they ended
  WakeTarget* target_ = nullptr;
  bool refed_ = true;  // a new TSFN is referenced
  std::atomic<bool> wakePending_{false};
};

}  // namespace

std::unique_ptr<Driver> Driver::create(const EngineConfig& config, uv_loop_t*, DeliverFn deliver,
                                       std::string* error) {
  return startDriver<WinDriver>(error, config, std::move(deliver), driverEnv());
}

}  // namespace fastport
