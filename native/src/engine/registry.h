// Engines by name at run time. Each platform lists its engines in one file chosen by CMake
// (engine/engines_linux.cc: epoll, uring; win/engines_win.cc: iocp, rio); the lookup here is shared.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/backend.h"

namespace fastport {

struct EngineEntry {
  const char* name;
  std::unique_ptr<Backend> (*create)(const LoopContext&, std::string*);
};

// The engines compiled for this platform (defined by the platform's engines_*.cc with FASTPORT_ENGINE_TABLE).
std::span<const EngineEntry> platformEngines();

// Defines platformEngines() as the given EngineEntry rows, in the order engines() lists them:
// FASTPORT_ENGINE_TABLE({"epoll", createEpollBackend}, {"uring", createUringBackend})
#define FASTPORT_ENGINE_TABLE(...)                                     \
  std::span<const fastport::EngineEntry> fastport::platformEngines() { \
    static constexpr EngineEntry kEngines[] = {__VA_ARGS__};           \
    return kEngines;                                                   \
  }

// Engines compiled into this build.
std::vector<std::string> engineNames();
// Creates one loop's backend; nullptr and *error set when the name is unknown or the engine cannot start.
std::unique_ptr<Backend> createBackend(const std::string& name, const LoopContext& ctx, std::string* error);

}  // namespace fastport
