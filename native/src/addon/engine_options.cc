#include "addon/engine_options.h"

#include <cmath>
#include <string>

namespace fastport {
namespace {

// The integer option `name` in [min, max], or fallback when absent.
uint32_t readUint(Napi::Env env, const Napi::Object& o, const char* name, uint32_t min, uint32_t max,
                  uint32_t fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!(d >= min && d <= max) || std::floor(d) != d) {
    throw Napi::RangeError::New(env, std::string("fastport Engine: option ") + name +
                                         " must be an integer between " + std::to_string(min) + " and " +
                                         std::to_string(max));
  }
  return uint32_t(d);
}

// wsPath (a string) and wsOrigins (an array of strings; absent = any origin).
void readWebSocketEndpoint(Napi::Env env, const Napi::Object& o, EngineConfig& c) {
  Napi::Value path = o.Get("wsPath");
  if (!path.IsUndefined()) {
    if (!path.IsString()) throw Napi::TypeError::New(env, "fastport Engine: option wsPath must be a string");
    c.wsPath = path.As<Napi::String>().Utf8Value();
  }
  Napi::Value origins = o.Get("wsOrigins");
  if (origins.IsUndefined()) return;
  if (!origins.IsArray())
    throw Napi::TypeError::New(env, "fastport Engine: option wsOrigins must be an array of strings");
  Napi::Array list = origins.As<Napi::Array>();
  c.wsOrigins.emplace();
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value origin = list.Get(i);
    if (!origin.IsString())
      throw Napi::TypeError::New(env, "fastport Engine: option wsOrigins must be an array of strings");
    c.wsOrigins->push_back(origin.As<Napi::String>().Utf8Value());
  }
}

}  // namespace

EngineConfig readEngineOptions(Napi::Env env, const Napi::Object& o) {
  EngineConfig c;
  Napi::Value engine = o.Get("engine");
  if (!engine.IsUndefined()) {
    if (!engine.IsString())
      throw Napi::TypeError::New(env, "fastport Engine: option engine must be a string");
    c.engine = engine.As<Napi::String>().Utf8Value();
  }
  c.ioThreads = readUint(env, o, "ioThreads", 0, 64, c.ioThreads);
  c.maxFrameBytes = readUint(env, o, "maxFrameBytes", kMinFrameBytes, kMaxFrameBytesLimit, c.maxFrameBytes);
  c.sendSoftLimit = readUint(env, o, "sendSoftLimit", 1, UINT32_MAX, c.sendSoftLimit);
  c.sendHardLimit = readUint(env, o, "sendHardLimit", 1, UINT32_MAX, c.sendHardLimit);
  c.frameTimeoutMs = readUint(env, o, "frameTimeoutMs", 0, INT32_MAX, c.frameTimeoutMs);
  c.sendStallMs = readUint(env, o, "sendStallMs", 0, INT32_MAX, c.sendStallMs);
  c.maxConnections = readUint(env, o, "maxConnections", 1, 10'000'000, c.maxConnections);
  c.detachFrameBytes = readUint(env, o, "detachFrameBytes", 0, kMaxFrameBytesLimit, c.detachFrameBytes);
  Napi::Value websocket = o.Get("websocket");
  if (!websocket.IsUndefined()) {
    if (!websocket.IsBoolean())
      throw Napi::TypeError::New(env, "fastport Engine: option websocket must be a boolean");
    c.websocket = websocket.As<Napi::Boolean>().Value();
  }
  readWebSocketEndpoint(env, o, c);
  Napi::Value reusePort = o.Get("reusePort");
  if (!reusePort.IsUndefined()) {
    if (!reusePort.IsBoolean())
      throw Napi::TypeError::New(env, "fastport Engine: option reusePort must be a boolean");
    c.reusePort = reusePort.As<Napi::Boolean>().Value();
  }
  c.uringEntries = readUint(env, o, "uringEntries", 0, 32768, 0);
  c.uringBufferCount = readUint(env, o, "uringBufferCount", 0, 32768, 0);
  c.uringBufferSize = readUint(env, o, "uringBufferSize", 0, 16u << 20, 0);
  c.uringSendSliceSize = readUint(env, o, "uringSendSliceSize", 0, 16u << 20, 0);
  c.uringSendSliceCount = readUint(env, o, "uringSendSliceCount", 0, 65536, 0);
  if (c.sendHardLimit < c.sendSoftLimit) {
    throw Napi::RangeError::New(env, "fastport Engine: sendHardLimit must be at least sendSoftLimit");
  }
  return c;
}

}  // namespace fastport
