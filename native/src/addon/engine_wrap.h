// The JS class `Engine` (docs/boundary.md): new Engine(options, onEvents) with listen / unlisten / connect /
// submit / stats / shutdown. Events reach JS as one onEvents(batch, length, detached) call per wake-up, made
// with MakeCallback so microtasks run after each batch.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/driver.h"

namespace fastport {

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit EngineWrap(const Napi::CallbackInfo& info);
  ~EngineWrap() override;

 private:
  Napi::Value listen(const Napi::CallbackInfo& info);
  Napi::Value unlisten(const Napi::CallbackInfo& info);
  Napi::Value connect(const Napi::CallbackInfo& info);
  Napi::Value submit(const Napi::CallbackInfo& info);
  Napi::Value stats(const Napi::CallbackInfo& info);
  Napi::Value shutdown(const Napi::CallbackInfo& info);

  void deliver(const ByteSlice* parts, size_t count, bool inJsCall);
  napi_value batchToJs(napi_env env, const ByteSlice* parts, size_t count, size_t total);
  bool detachedToJs(napi_env env, napi_value* out);
  static size_t batchCapacityFor(size_t total);
  void reportFailure(bool inJsCall);
  void requireRunning(Napi::Env env) const;
  void stop(bool deliverLast);
  static void cleanupHook(void* self);

  Napi::Env env_;
  std::unique_ptr<Driver> driver_;
  // A driver shut down from inside its own onEvents call: its frames are still on the stack, so it is
  // freed with this object, not at shutdown().
  std::unique_ptr<Driver> retired_;
  Napi::FunctionReference onEvents_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::Reference<Napi::ArrayBuffer> batch_;  // reused between calls (JS must not keep it)
  std::vector<ByteSlice> submitPayloads_;     // a submit call's handed-over payloads (kept for its capacity)
  size_t batchCapacity_ = 0;
  int delivering_ = 0;                                        // nesting depth of onEvents calls
  std::vector<std::pair<const char*, uint64_t>> finalStats_;  // stats() after shutdown
  bool jsGone_ = false;  // the environment can no longer run JS (process exiting): batches are dropped
  bool cleanupHooked_ = false;
};

}  // namespace fastport
