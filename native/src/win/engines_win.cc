// The Windows engines, in the order engines() lists them: iocp, and rio (which itself falls back to iocp
// when Registered I/O is missing).
#include "engine/registry.h"
#include "iocp/iocp_backend.h"
#include "rio/rio_backend.h"

namespace fastport {

namespace {
constexpr EngineEntry kEngines[] = {
    {"iocp", createIocpBackend},
    {"rio", createRioBackend},
};
}  // namespace

std::span<const EngineEntry> platformEngines() {
  return kEngines;
}

}  // namespace fastport
