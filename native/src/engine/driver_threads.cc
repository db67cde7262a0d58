// Thread mode (ioThreads = N): N I/O loops, each a backend on its own thread. Sessions are sharded across
// loops (the id encodes the loop); every loop has its own SO_REUSEPORT listener socket per listen().
// JS -> loop: commands are split per owning loop into its inbox, then an eventfd wake-up (backend->wake()).
// Loop -> JS: each loop pass's event batch goes into one queue, one uv_async wakes the JS thread, which makes
// one JS call with every batch queued since. The loops themselves are engine/driver_loops.h; what both
// threaded drivers share (connect, submit, shutdown) is engine/driver_loop_base.h.
#include "engine/driver_common.h"
#include "engine/driver_loop_base.h"
#include "engine/loop_tasks.h"
#include "posix/listen_socket.h"

namespace fastport {
namespace {

class ThreadedDriver final : public LoopDriverBase {
 public:
  ThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver)
      : LoopDriverBase(config, std::move(deliver)), uvLoop_(loop) {}

  bool start(std::string* error) { return startLoops(config_.ioThreads, error); }

  ~ThreadedDriver() override { shutdown(false); }

 private:
  // SO_REUSEPORT is for this server's own loops: a port another socket holds fails as in inline mode,
  // unless the application asked to share it (reusePort).
  int openListener(uint32_t id, const SocketAddress& addr, int backlog, uint16_t* port) override {
    if (*port != 0 && !config_.reusePort) {
      if (int err = checkPortFree(addr)) return err;
    }
    for (size_t i = 0; i < loops_.size(); ++i) {
      SocketAddress at = addr;
      setPort(&at, *port);  // every loop binds the port the first one got
      uint16_t got = 0;
      IoLoop& l = loops_.loop(i);
      if (int err = callOnLoop(l, [&] { return l.backend->listen(id, at, backlog, true, &got); })) {
        for (size_t j = 0; j < i; ++j) unlistenOn(loops_.loop(j), id);
        return err;
      }
      *port = got;
    }
    return 0;
  }

  void closeListener(uint32_t id) override {
    for (size_t i = 0; i < loops_.size(); ++i) unlistenOn(loops_.loop(i), id);
  }

  static void unlistenOn(IoLoop& l, uint32_t id) {
    callOnLoop(l, [&] {
      l.backend->unlisten(id);
      return 0;
    });
  }

  static void setPort(SocketAddress* a, uint16_t port) {
    if (a->storage.ss_family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&a->storage)->sin6_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in*>(&a->storage)->sin_port = htons(port);
    }
  }

  bool openWake(std::string* error) override {
    async_ = new uv_async_t;
    uv_async_init(uvLoop_, async_,
                  [](uv_async_t* h) { static_cast<ThreadedDriver*>(h->data)->onBatches(false); });
    async_->data = this;
    return true;
  }

  void closeWake() override {
    if (!async_) return;
    uv_close(reinterpret_cast<uv_handle_t*>(async_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    async_ = nullptr;
  }

  // Loop threads: a batch is queued.
  void wake() override { uv_async_send(async_); }

  void updateRef() override {
    if (!async_) return;
    if (wantsRef()) {
      uv_ref(reinterpret_cast<uv_handle_t*>(async_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    }
  }

  uv_loop_t* uvLoop_;
  uv_async_t* async_ = nullptr;  // the loop threads wake it; closed after they ended
};

}  // namespace

std::unique_ptr<Driver> createThreadedDriver(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                             std::string* error) {
  return startDriver<ThreadedDriver>(error, config, loop, std::move(deliver));
}

std::unique_ptr<Driver> Driver::create(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                       std::string* error) {
  if (config.ioThreads == 0) return createInlineDriver(config, loop, std::move(deliver), error);
  return createThreadedDriver(config, loop, std::move(deliver), error);
}

}  // namespace fastport
