// Runs an engine's backends for one JS Engine object: inline on the JS thread's libuv loop (ioThreads 0)
// or on N native I/O threads. All methods are called on the JS thread.
#pragma once
#include <node_api.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/command_reader.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/payload_block.h"
#include "core/send_queue.h"

namespace fastport {

// Hands one batch of event records (the concatenation of parts) to JS in one call. Runs on the JS thread.
// inJsCall: true when called from inside a JS -> native call (shutdown), false from a libuv callback.
using DeliverFn = std::function<void(const ByteSlice* parts, size_t count, bool inJsCall)>;

// Event batch storage (native, and the ArrayBuffer JS is handed) up to this capacity is kept for the next
// batch: it covers a pass's budget (8 MiB, core/session_core.h kPassBudgetBytes, rounded up by doubling), so
// a busy loop neither regrows its batch nor gets fresh (zero-filled, page-faulting) memory per batch. A
// bigger batch (a huge frame on a driver that does not detach payloads) is released after delivery.
inline constexpr size_t kKeepEventBatchBytes = 16u << 20;

struct ListenResult {
  std::string error;  // "" = ok
  uint32_t id = 0;
  uint16_t port = 0;
};

// The Node-API env of the Engine being constructed (JS thread only). The addon sets it right before
// Driver::create(); a driver that wakes JS through a threadsafe function (Windows) reads it there.
void setDriverEnv(napi_env env);
napi_env driverEnv();

class Driver {
 public:
  virtual ~Driver() = default;

  // nullptr with *error when the engine cannot start.
  static std::unique_ptr<Driver> create(const EngineConfig& config, uv_loop_t* loop, DeliverFn deliver,
                                        std::string* error);

  virtual ListenResult listen(const std::string& host, uint16_t port, int backlog) = 0;
  virtual void unlisten(uint32_t listenerId) = 0;
  // Returns the session id. Every failure arrives as its CLOSE event (a host that does not resolve:
  // dns_failed); *error stays empty (kept for a caller-facing failure before any session exists).
  virtual uint32_t connect(const std::string& host, uint16_t port, uint32_t timeoutMs,
                           std::string* error) = 0;
  // "" or why the batch was rejected (then nothing was applied). The batch's bytes are read during the call
  // only.
  virtual std::string submit(const CommandBatch& batch) = 0;
  // Calls fn(name, value) for each counter, summed over loops.
  virtual void stats(const std::function<void(const char*, uint64_t)>& fn) = 0;
  // During a DeliverFn call: the payloads of the batch's detached FRAME records, in record order (the
  // receiver may take the blocks; the driver frees what is left after the call). nullptr: this driver does
  // not detach payloads.
  virtual DetachedPayloads* detachedPayloads() { return nullptr; }
  // Closes everything, delivers the last events (when deliverLast), stops threads, releases handles.
  // Idempotent.
  virtual void shutdown(bool deliverLast) = 0;
};

}  // namespace fastport
