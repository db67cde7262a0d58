// What every driver shares (engine/driver_inline.cc, driver_threads.cc, win/addon/driver_win.cc): the
// configuration, the JS callback, the session budget and the listeners. listen() / unlisten() resolve the
// host, number the listener, word the error and keep the process referenced; the driver opens and closes
// the sockets on its loops.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/address.h"
#include "core/session_budget.h"
#include "core/system_error.h"
#include "engine/driver.h"

namespace fastport {

class DriverBase : public Driver {
 public:
  ListenResult listen(const std::string& host, uint16_t port, int backlog) final;
  void unlisten(uint32_t listenerId) final;

 protected:
  DriverBase(const EngineConfig& config, DeliverFn deliver)
      : config_(config), deliver_(std::move(deliver)), budget_(config.maxConnections) {}

  // --- what a driver provides ---
  // False once shut down (unlisten does nothing then).
  virtual bool running() const = 0;
  // Opens listener `id` on every loop that accepts for it. 0 or the platform's error; *port: the bound
  // port (on failure: the port that failed, preset to the one asked for).
  virtual int openListener(uint32_t id, const SocketAddress& addr, int backlog, uint16_t* port) = 0;
  virtual void closeListener(uint32_t id) = 0;
  // Keeps the JS process alive while something is listening or connected (like net.Server / net.Socket).
  virtual void updateRef() = 0;

  bool listening() const { return !listeners_.empty(); }
  // Shutdown's end: the last delivery to JS (when deliverLast), then release, also when onEvents threw
  // (rethrown after release).
  static void finishShutdown(bool deliverLast, const std::function<void()>& deliver,
                             const std::function<void()>& release);

  EngineConfig config_;
  DeliverFn deliver_;
  SessionBudget budget_;

 private:
  uint32_t nextListenerId_ = 1;
  std::unordered_set<uint32_t> listeners_;  // open listener ids
};

// A driver of type D built from args and started (D::start(error)); nullptr with *error when it failed.
template <class D, class... Args>
std::unique_ptr<Driver> startDriver(std::string* error, Args&&... args) {
  auto driver = std::make_unique<D>(std::forward<Args>(args)...);
  if (!driver->start(error)) return nullptr;
  return driver;
}

}  // namespace fastport
