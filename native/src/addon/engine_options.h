// Reads NativeEngineOptions (docs/boundary.md) into an EngineConfig. TS validated them already; this
// re-checks what protects memory and throws a clear Error (Napi::Error) on anything out of range.
#pragma once
#include <napi.h>

#include "core/config.h"

namespace fastport {

EngineConfig readEngineOptions(Napi::Env env, const Napi::Object& options);

}  // namespace fastport
