// Engines by name on Windows (replaces engine/registry.cc there): iocp, and rio (which itself falls back to
// iocp when Registered I/O is missing).
#include "engine/registry.h"
#include "iocp/iocp_backend.h"
#include "rio/rio_backend.h"

namespace fastport {

namespace {

struct EngineEntry {
  const char* name;
  std::unique_ptr<Backend> (*create)(const LoopContext&, std::string*);
};

constexpr EngineEntry kEngines[] = {
    {"iocp", createIocpBackend},
    {"rio", createRioBackend},
};

}  // namespace

std::vector<std::string> engineNames() {
  std::vector<std::string> names;
  for (const auto& e : kEngines) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Backend> createBackend(const std::string& name, const LoopContext& ctx, std::string* error) {
  for (const auto& e : kEngines) {
    if (name == e.name) return e.create(ctx, error);
  }
  *error = "unknown engine '" + name + "'";
  return nullptr;
}

}  // namespace fastport
