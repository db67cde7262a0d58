// The iocp engine (Windows): one completion port per I/O loop; see win/session_backend.h.
#pragma once
#include <memory>
#include <string>

#include "engine/backend.h"

namespace fastport {

// One loop's iocp backend; nullptr with *error when Winsock or the extension functions are missing.
std::unique_ptr<Backend> createIocpBackend(const LoopContext& ctx, std::string* error);

}  // namespace fastport
