// Engines by name at run time. Linux: epoll, uring.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"

namespace fastport {

// Engines compiled into this build.
std::vector<std::string> engineNames();
// Creates one loop's backend; nullptr and *error set when the name is unknown or the engine cannot start.
std::unique_ptr<Backend> createBackend(const std::string& name, const LoopContext& ctx, std::string* error);

}  // namespace fastport
