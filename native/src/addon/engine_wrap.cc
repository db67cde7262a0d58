#include "addon/engine_wrap.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "addon/engine_options.h"
#include "core/block_cache.h"

namespace fastport {

namespace {

// The checks of an (host: string, port: number, value: number) call: listen's backlog, connect's timeout.
struct EndpointSpec {
  const char* usage;       // TypeError message: the signature
  const char* rangeError;  // RangeError message
  double minPort;
  double minValue, maxValue;
};

constexpr EndpointSpec kListenArgs{"fastport Engine.listen(host: string, port: number, backlog: number)",
                                   "fastport Engine.listen: port must be 0..65535 and backlog 1..65535", 0, 1,
                                   65535};
constexpr EndpointSpec kConnectArgs{"fastport Engine.connect(host: string, port: number, timeoutMs: number)",
                                    "fastport Engine.connect: port must be 1..65535 and timeoutMs >= 0", 1, 0,
                                    2147483647.0};

struct EndpointArgs {
  std::string host;
  uint16_t port;
  double value;  // within spec.minValue .. spec.maxValue
};

// Throws the spec's TypeError / RangeError for arguments of the wrong type or out of range.
EndpointArgs readEndpointArgs(const Napi::CallbackInfo& info, const EndpointSpec& spec) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, spec.usage);
  }
  double port = info[1].As<Napi::Number>().DoubleValue();
  double value = info[2].As<Napi::Number>().DoubleValue();
  if (!(port >= spec.minPort && port <= 65535) || !(value >= spec.minValue && value <= spec.maxValue)) {
    throw Napi::RangeError::New(env, spec.rangeError);
  }
  return {info[0].As<Napi::String>().Utf8Value(), uint16_t(port), value};
}

}  // namespace

Napi::Function EngineWrap::define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod<&EngineWrap::listen>("listen"),
                         InstanceMethod<&EngineWrap::unlisten>("unlisten"),
                         InstanceMethod<&EngineWrap::connect>("connect"),
                         InstanceMethod<&EngineWrap::submit>("submit"),
                         InstanceMethod<&EngineWrap::stats>("stats"),
                         InstanceMethod<&EngineWrap::shutdown>("shutdown"),
                     });
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<EngineWrap>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    throw Napi::TypeError::New(env,
                               "fastport Engine: expected new Engine(options: object, onEvents: function)");
  }
  EngineConfig config = readEngineOptions(env, info[0].As<Napi::Object>());
  onEvents_ = Napi::Persistent(info[1].As<Napi::Function>());
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "fastport.Engine");
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) {
    throw Napi::Error::New(env, "fastport Engine: cannot get the libuv loop");
  }
  std::string error;
  setDriverEnv(env);
  driver_ = Driver::create(
      config, loop,
      [this](const ByteSlice* parts, size_t count, bool inJsCall) { deliver(parts, count, inJsCall); },
      &error);
  if (!driver_) throw Napi::Error::New(env, "fastport Engine (" + config.engine + "): " + error);
  // Stays alive (not collected) until shutdown(); process exit without shutdown() stops threads here.
  Ref();
  napi_add_env_cleanup_hook(env, &EngineWrap::cleanupHook, this);
  cleanupHooked_ = true;
}

EngineWrap::~EngineWrap() {
  if (cleanupHooked_) napi_remove_env_cleanup_hook(env_, &EngineWrap::cleanupHook, this);
  driver_.reset();
}

void EngineWrap::cleanupHook(void* self) {
  auto* wrap = static_cast<EngineWrap*>(self);
  wrap->cleanupHooked_ = false;
  if (wrap->driver_) wrap->driver_->shutdown(false);
}

void EngineWrap::requireRunning(Napi::Env env) const {
  if (!driver_) throw Napi::Error::New(env, "fastport Engine: engine is shut down");
}

Napi::Value EngineWrap::listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireRunning(env);
  EndpointArgs a = readEndpointArgs(info, kListenArgs);
  ListenResult r = driver_->listen(a.host, a.port, int(a.value));
  if (!r.error.empty()) throw Napi::Error::New(env, r.error);
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Napi::Number::New(env, r.id));
  out.Set("port", Napi::Number::New(env, r.port));
  return out;
}

Napi::Value EngineWrap::unlisten(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!driver_) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    throw Napi::TypeError::New(env, "fastport Engine.unlisten(listenerId: number)");
  }
  driver_->unlisten(info[0].As<Napi::Number>().Uint32Value());
  return env.Undefined();
}

Napi::Value EngineWrap::connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireRunning(env);
  EndpointArgs a = readEndpointArgs(info, kConnectArgs);
  std::string error;
  uint32_t id = driver_->connect(a.host, a.port, uint32_t(a.value), &error);
  if (id == 0) throw Napi::Error::New(env, "fastport Engine.connect: " + error);
  return Napi::Number::New(env, id);
}

namespace {

// The payloads handed over beside a command log (SEND_PAYLOAD records): Uint8Arrays, read during the call.
void readPayloads(const Napi::Array& list, std::vector<ByteSlice>& out) {
  uint32_t n = list.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value v = list.Get(i);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(list.Env(), "fastport Engine.submit: payloads must be Uint8Arrays");
    }
    Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
    out.push_back(ByteSlice{bytes.Data(), bytes.ByteLength()});
  }
}

}  // namespace

Napi::Value EngineWrap::submit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!driver_) return env.Undefined();  // late flushes after shutdown are dropped
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber() ||
      (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsArray())) {
    throw Napi::TypeError::New(
        env, "fastport Engine.submit(commands: Uint8Array, length: number, payloads?: Uint8Array[])");
  }
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "fastport Engine.submit: commands must be a Uint8Array");
  }
  Napi::Uint8Array bytes = ta.As<Napi::Uint8Array>();
  double length = info[1].As<Napi::Number>().DoubleValue();
  if (!(length >= 0 && length <= double(bytes.ByteLength())) || std::floor(length) != length) {
    throw Napi::RangeError::New(env, "fastport Engine.submit: length must be 0 .. commands.byteLength");
  }
  std::vector<ByteSlice>& payloads = submitPayloads_;
  payloads.clear();
  if (info.Length() > 2 && info[2].IsArray()) readPayloads(info[2].As<Napi::Array>(), payloads);
  std::string error =
      driver_->submit(CommandBatch{bytes.Data(), size_t(length), payloads.data(), payloads.size()});
  payloads.clear();
  if (!error.empty()) throw Napi::Error::New(env, "fastport Engine.submit: " + error);
  return env.Undefined();
}

Napi::Value EngineWrap::stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  if (driver_) {
    driver_->stats(
        [&](const char* name, uint64_t value) { out.Set(name, Napi::Number::New(env, double(value))); });
  } else {
    for (const auto& [name, value] : finalStats_) out.Set(name, Napi::Number::New(env, double(value)));
  }
  return out;
}

Napi::Value EngineWrap::shutdown(const Napi::CallbackInfo& info) {
  stop(true);
  return info.Env().Undefined();
}

void EngineWrap::stop(bool deliverLast) {
  if (!driver_) return;
  // The driver cleans up fully even when onEvents throws during the final delivery; rethrown below.
  std::exception_ptr thrown;
  try {
    driver_->shutdown(deliverLast);
  } catch (...) {
    thrown = std::current_exception();
  }
  // Counters stay readable after shutdown (their final values).
  driver_->stats([this](const char* name, uint64_t value) { finalStats_.emplace_back(name, value); });
  if (delivering_ > 0) {
    retired_ = std::move(driver_);  // called from JS inside onEvents: the driver is still running below us
  } else {
    driver_.reset();
  }
  if (cleanupHooked_) {
    napi_remove_env_cleanup_hook(env_, &EngineWrap::cleanupHook, this);
    cleanupHooked_ = false;
  }
  Unref();
  if (thrown) std::rethrow_exception(thrown);
}

// The reusable batch ArrayBuffer grows by doubling (from 64 KiB) up to the kept size, so batches that keep
// growing a little do not each get a fresh, zero-filled buffer; a bigger batch gets one of its own size.
size_t EngineWrap::batchCapacityFor(size_t total) {
  if (total > kKeepEventBatchBytes) return total;
  size_t cap = 65536;
  while (cap < total) cap *= 2;
  return cap;
}

// Raw Node-API calls with checked statuses (not node-addon-api's throwing wrappers): this also runs from
// libuv callbacks, where a C++ exception would terminate the process, and possibly while the environment
// is exiting and can no longer run JS (then the batch is dropped).
void EngineWrap::deliver(const ByteSlice* parts, size_t count, bool inJsCall) {
  if (jsGone_) return;
  napi_env env = env_;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    jsGone_ = true;
    return;
  }
  struct ScopeGuard {
    napi_env env;
    napi_handle_scope scope;
    int& depth;
    ~ScopeGuard() {
      --depth;
      napi_close_handle_scope(env, scope);
    }
  } guard{env, scope, ++delivering_};

  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += parts[i].len;
  napi_value ab = lentBatchToJs(env, parts, count);
  if (!ab) ab = batchToJs(env, parts, count, total);
  if (!ab) {
    reportFailure(inJsCall);
    return;
  }
  napi_value argv[3] = {ab, nullptr, nullptr};
  napi_value global = nullptr;
  napi_value result = nullptr;
  bool called = napi_create_double(env, double(total), &argv[1]) == napi_ok && detachedToJs(env, &argv[2]) &&
                napi_get_global(env, &global) == napi_ok &&
                napi_make_callback(env, static_cast<napi_async_context>(*asyncContext_), global,
                                   onEvents_.Value(), 3, argv, &result) == napi_ok;
  if (!called) reportFailure(inJsCall);
}

// The batch copied into an ArrayBuffer for JS (nullptr when none could be made), where it cannot be lent
// (lentBatchToJs): one reusable ArrayBuffer; a nested call (onEvents -> shutdown) gets a fresh one so the
// outer's stays intact. Never detached after the call: detaching any ArrayBuffer invalidates V8's
// process-wide ArrayBufferDetaching protector (every typed-array access of the process then pays a detach
// check, docs/operations.md "Cost").
napi_value EngineWrap::batchToJs(napi_env env, const ByteSlice* parts, size_t count, size_t total) {
  napi_value ab = nullptr;
  void* data = nullptr;
  if (delivering_ == 1 && !batch_.IsEmpty() && batchCapacity_ >= total) {
    ab = batch_.Value();
    size_t length = 0;
    napi_get_arraybuffer_info(env, ab, &data, &length);
  } else {
    size_t cap = batchCapacityFor(total);
    if (napi_create_arraybuffer(env, cap, &data, &ab) != napi_ok) return nullptr;
    if (delivering_ == 1 && cap <= kKeepEventBatchBytes) {
      batch_ = Napi::Persistent(Napi::ArrayBuffer(env, ab));
      batchCapacity_ = cap;
    }
  }
  uint8_t* dst = static_cast<uint8_t*>(data);
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(dst, parts[i].data, parts[i].len);
    dst += parts[i].len;
  }
  return ab;
}

// The batch lent to JS without a copy (nullptr when it cannot be): an external ArrayBuffer over the driver
// buffer's storage, which that ArrayBuffer holds (ByteBuffer::retainStorage) until it is collected, and
// which is reused for every later batch in the same storage. Never detached (see batchToJs); JS reads it
// only during its call, as it does the copied batch. Not for a nested call (the outer's batch is still
// being read), batches of several parts or above the kept size, or a runtime without external buffers.
napi_value EngineWrap::lentBatchToJs(napi_env env, const ByteSlice* parts, size_t count) {
  Driver* driver = activeDriver();
  ByteBuffer* buffer =
      delivering_ == 1 && count == 1 && driver && !externalRefused_ ? driver->lendableBatch() : nullptr;
  if (!buffer || buffer->data() != parts[0].data || buffer->capacity() > kKeepEventBatchBytes) return nullptr;
  for (LentBatch& lent : lent_) {
    if (!lent.ab.IsEmpty() && lent.data == buffer->data()) return lent.ab.Value();
  }
  ByteBuffer::Storage* storage = buffer->retainStorage();
  auto releaseStorage = [](napi_env, void*, void* hint) {
    ByteBuffer::release(static_cast<ByteBuffer::Storage*>(hint));
  };
  napi_value ab = nullptr;
  if (napi_create_external_arraybuffer(env, buffer->data(), buffer->capacity(), releaseStorage, storage,
                                       &ab) != napi_ok) {
    ByteBuffer::release(storage);
    externalRefused_ = true;
    return nullptr;
  }
  LentBatch& slot = lent_[nextLent_++ % 2];
  slot.ab = Napi::Persistent(Napi::ArrayBuffer(env, ab));
  slot.data = buffer->data();
  return ab;
}

// The batch's detached payloads as an array of ArrayBuffers JS owns (each over the native block, which its
// finalizer gives to block_cache; copied where this runtime refuses external buffers), or undefined when
// there are none.
bool EngineWrap::detachedToJs(napi_env env, napi_value* out) {
  Driver* driver = activeDriver();
  DetachedPayloads* detached = driver ? driver->detachedPayloads() : nullptr;
  if (!detached || detached->empty()) return napi_get_undefined(env, out) == napi_ok;
  if (napi_create_array_with_length(env, detached->size(), out) != napi_ok) return false;
  for (size_t i = 0; i < detached->size(); ++i) {
    DetachedPayload& p = (*detached)[i];
    napi_value ab = nullptr;
    auto keepBlock = [](napi_env, void* data, void* size) {
      block_cache::give(static_cast<uint8_t*>(data), reinterpret_cast<uintptr_t>(size));
    };
    void* size = reinterpret_cast<void*>(uintptr_t(p.len));  // a lower bound of the block's size
    if (napi_create_external_arraybuffer(env, p.block.get(), p.len, keepBlock, size, &ab) == napi_ok) {
      (void)p.block.release();  // the ArrayBuffer's finalizer gives it back now
    } else {
      void* data = nullptr;
      if (napi_create_arraybuffer(env, p.len, &data, &ab) != napi_ok) return false;
      std::memcpy(data, p.block.get(), p.len);
    }
    if (napi_set_element(env, *out, uint32_t(i), ab) != napi_ok) return false;
  }
  return true;
}

void EngineWrap::reportFailure(bool inJsCall) {
  bool pending = false;
  napi_is_exception_pending(env_, &pending);
  if (!pending) {
    jsGone_ = true;  // the call failed without a JS exception: the environment cannot run JS any more
    return;
  }
  napi_value error = nullptr;
  napi_get_and_clear_last_exception(env_, &error);
  if (inJsCall) throw Napi::Error(env_, error);  // to the JS caller (shutdown())
  // From a libuv callback there is no JS caller: report it as an uncaught exception, as Node does.
  napi_fatal_exception(env_, error);
}

}  // namespace fastport
