// The rio engine (Windows Registered I/O); see rio/rio_backend.cc. Falls back to iocp when RIO is missing.
#pragma once
#include <memory>
#include <string>

#include "engine/backend.h"

namespace fastport {

// One loop's rio backend; when Registered I/O is not available (e.g. Wine) logs why and returns an iocp
// backend instead. FASTPORT_RIO_EMULATE=1 runs the engine on the emulated function table (tests).
std::unique_ptr<Backend> createRioBackend(const LoopContext& ctx, std::string* error);

}  // namespace fastport
