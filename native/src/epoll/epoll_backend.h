// The epoll engine (Linux default); see engine/backend.h for the contract.
#pragma once
#include <memory>
#include <string>

#include "engine/backend.h"

namespace fastport {

std::unique_ptr<Backend> createEpollBackend(const LoopContext& ctx, std::string* error);

}  // namespace fastport
