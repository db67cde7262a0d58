#include "engine/driver_base.h"

#include <exception>

namespace fastport {

ListenResult DriverBase::listen(const std::string& host, uint16_t port, int backlog) {
  ListenResult r;
  SocketAddress addr;
  r.error = resolveAddress(host, port, &addr);
  if (!r.error.empty()) return r;
  r.id = nextListenerId_++;
  uint16_t at = port;
  if (int err = openListener(r.id, addr, backlog, &at)) {
    r.error = systemErrorText("listen " + host + ":" + std::to_string(at), err);
    return r;
  }
  r.port = at;
  listeners_.insert(r.id);
  updateRef();
  return r;
}

void DriverBase::unlisten(uint32_t listenerId) {
  if (!running()) return;
  closeListener(listenerId);
  listeners_.erase(listenerId);
  updateRef();
}

void DriverBase::finishShutdown(bool deliverLast, const std::function<void()>& deliver,
                                const std::function<void()>& release) {
  std::exception_ptr thrown;
  if (deliverLast) {
    try {
      deliver();
    } catch (...) {
      thrown = std::current_exception();
    }
  }
  release();
  if (thrown) std::rethrow_exception(thrown);
}

}  // namespace fastport
