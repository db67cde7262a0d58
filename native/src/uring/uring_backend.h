// The io_uring engine's entry points (owned by the uring engineer; see engine/backend.h for the contract).
#pragma once
#include <memory>
#include <string>

#include "engine/backend.h"

namespace fastport {

// One loop's io_uring backend; nullptr with *error set when io_uring cannot be used.
std::unique_ptr<Backend> createUringBackend(const LoopContext& ctx, std::string* error);
// "" when io_uring works here, else the reason it does not.
std::string probeUring();

}  // namespace fastport
