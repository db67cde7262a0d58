#include "engine/registry.h"

namespace fastport {

std::vector<std::string> engineNames() {
  std::vector<std::string> names;
  for (const auto& e : platformEngines()) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Backend> createBackend(const std::string& name, const LoopContext& ctx, std::string* error) {
  for (const auto& e : platformEngines()) {
    if (name == e.name) return e.create(ctx, error);
  }
  *error = "unknown engine '" + name + "'";
  return nullptr;
}

}  // namespace fastport
