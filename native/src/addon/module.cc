// Addon entry: engines(), probeUring(), closeReasons(), Engine (docs/boundary.md "Exports of the addon").
#include <napi.h>

#include "addon/engine_wrap.h"
#include "core/close_reason.h"
#include "engine/registry.h"
#include "uring/uring_backend.h"

namespace fastport {
namespace {

Napi::Value engines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> names = engineNames();
  Napi::Array out = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); ++i) out.Set(i, Napi::String::New(env, names[i]));
  return out;
}

Napi::Value probe(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), probeUring());
}

Napi::Value closeReasons(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, kCloseReasonCount);
  for (uint32_t i = 0; i < kCloseReasonCount; ++i) out.Set(i, Napi::String::New(env, kCloseReasonNames[i]));
  return out;
}

}  // namespace
}  // namespace fastport

static Napi::Object InitFastport(Napi::Env env, Napi::Object exports) {
  using namespace fastport;
  exports.Set("engines", Napi::Function::New<engines>(env, "engines"));
  exports.Set("probeUring", Napi::Function::New<probe>(env, "probeUring"));
  exports.Set("closeReasons", Napi::Function::New<closeReasons>(env, "closeReasons"));
  exports.Set("Engine", EngineWrap::define(env));
  return exports;
}

NODE_API_MODULE(fastport, InitFastport)
