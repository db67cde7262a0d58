// Inline mode: one backend on the JS thread's libuv loop. uv_poll watches the backend's fd; each wake-up
// drains every ready socket in one pass and makes one JS call with all events. A uv_timer drives sweeps,
// a uv_idle delivers events produced by JS calls (connect / submit) on the next loop turn.
#include <memory>

#include "core/clock.h"
#include "engine/command_dispatch.h"
#include "engine/driver_base.h"
#include "engine/driver_common.h"
#include "engine/registry.h"

namespace fastport {
namespace {

class InlineDriver final : public DriverBase {
 public:
  InlineDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver)
      : DriverBase(config, std::move(deliver)), loop_(loop), ids_(0, 1) {}

  bool start(std::string* error) {
    events_.detachFramesFrom(config_.detachFrameBytes);
    LoopContext ctx{&config_, &events_, &counters_, &ids_, &budget_, 0, 1};
    backend_ = createBackend(config_.engine, ctx, error);
    if (!backend_) return false;
    poll_ = new uv_poll_t;
    timer_ = new uv_timer_t;
    idle_ = new uv_idle_t;
    uv_poll_init(loop_, poll_, backend_->pollFd());
    uv_timer_init(loop_, timer_);
    uv_idle_init(loop_, idle_);
    poll_->data = timer_->data = idle_->data = this;
    uv_poll_start(poll_, UV_READABLE,
                  [](uv_poll_t* h, int, int) { static_cast<InlineDriver*>(h->data)->onReady(); });
    uv_timer_start(
        timer_, [](uv_timer_t* h) { static_cast<InlineDriver*>(h->data)->onSweep(); }, kSweepIntervalMs,
        kSweepIntervalMs);
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    uv_unref(reinterpret_cast<uv_handle_t*>(idle_));
    updateRef();
    return true;
  }

  ~InlineDriver() override { shutdown(false); }

  uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs, std::string* error) override {
    SocketAddress addr;
    SessionId id = ids_.next();
    if (resolveAddress(host, port, &addr).empty()) {
      backend_->connect(id, addr, timeoutMs);
    } else {
      reportDnsFailure(events_, counters_, id);
    }
    afterJsCall();
    return id;
  }

  std::string submit(const CommandBatch& batch) override {
    if (!backend_) return "";
    std::string error = validateCommands(batch, config_.maxFrameBytes);
    if (!error.empty()) return error;
    driverCounters_.submits.add();
    applyCommands(*backend_, batch, 0, 1);  // its flush() copies what the kernel did not take
    afterJsCall();
    return "";
  }

  DetachedPayloads* detachedPayloads() override { return &deliveringDetached_; }
  // The batch being delivered: events written during the call go to events_' own storage.
  ByteBuffer* lendableBatch() override { return &delivering_; }

  void stats(const std::function<void(const char*, uint64_t)>& fn) override {
    sumCounters({&counters_, &driverCounters_}, fn);
  }

  void shutdown(bool deliverLast) override {
    if (!backend_) return;
    backend_->shutdown();
    finishShutdown(
        deliverLast, [this] { deliverEvents(true); }, [this] { release(); });
  }

 private:
  bool running() const override { return backend_ != nullptr; }

  int openListener(uint32_t id, const SocketAddress& addr, int backlog, uint16_t* port) override {
    uint16_t bound = 0;
    int err = backend_->listen(id, addr, backlog, config_.reusePort, &bound);
    if (!err) *port = bound;
    return err;
  }

  void closeListener(uint32_t id) override { backend_->unlisten(id); }

  void release() {
    events_.clear();
    backend_.reset();
    closeHandle(poll_);
    closeHandle(timer_);
    closeHandle(idle_);
    poll_ = nullptr;
    timer_ = nullptr;
    idle_ = nullptr;
  }

  template <class H>
  static void closeHandle(H* h) {
    if (!h) return;
    uv_close(reinterpret_cast<uv_handle_t*>(h),
             [](uv_handle_t* handle) { delete reinterpret_cast<H*>(handle); });
  }

  void onReady() {
    driverCounters_.wakeups.add();
    backend_->poll(0);
    deliverEvents(false);
  }

  void onSweep() {
    // Take in what is ready first: after a long JS turn, completions (uring sends) and bytes (a frame's rest)
    // may be waiting, and deadlines must be judged on them, not on the state before the turn.
    backend_->poll(0);
    backend_->sweep(monotonicMs(), events_.empty());  // JS has handled every earlier batch
    deliverEvents(false);
  }

  // Events written during a JS call go out on the next loop turn (never re-entering JS from inside it).
  void afterJsCall() {
    if (!events_.empty() && idle_ && !uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) {
      uv_idle_start(idle_, [](uv_idle_t* h) {
        auto* self = static_cast<InlineDriver*>(h->data);
        uv_idle_stop(h);
        self->deliverEvents(false);
      });
    }
    updateRef();
  }

  void deliverEvents(bool inJsCall) {
    if (events_.empty()) {
      updateRef();
      return;
    }
    // JS may submit (and so write new events) during the call: hand over this batch's storage first.
    delivering_.clear();
    delivering_.swap(events_.buffer());
    deliveringDetached_.swap(events_.detached());
    events_.clear();  // its (swapped-in) storage is empty: this resets the detached byte count
    ByteSlice part{delivering_.data(), delivering_.size()};
    driverCounters_.batches.add();
    struct FreeDetached {  // what JS did not take, also when onEvents throws
      DetachedPayloads& payloads;
      ~FreeDetached() { payloads.clear(); }
    } freeDetached{deliveringDetached_};
    deliver_(&part, 1, inJsCall);
    if (events_.empty()) {
      delivering_.clear();
      delivering_.shrinkTo(kKeepEventBatchBytes);
      events_.buffer().swap(delivering_);  // reuse the capacity
    }
    updateRef();
  }

  void updateRef() override {
    if (!poll_) return;
    if (listening() || budget_.used() > 0) {
      uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    }
  }

  uv_loop_t* loop_;
  SessionIds ids_;
  EventWriter events_;
  ByteBuffer delivering_;
  DetachedPayloads deliveringDetached_;
  Counters counters_;
  Counters driverCounters_;
  std::unique_ptr<Backend> backend_;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  uv_idle_t* idle_ = nullptr;
};

}  // namespace

std::unique_ptr<Driver> createInlineDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                           std::string* error) {
  return startDriver<InlineDriver>(error, config, loop, std::move(deliver));
}

}  // namespace fastport
