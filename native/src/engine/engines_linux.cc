// The Linux engines, in the order engines() lists them.
#include "engine/registry.h"
#include "epoll/epoll_backend.h"
#include "uring/uring_backend.h"

namespace fastport {

namespace {
constexpr EngineEntry kEngines[] = {
    {"epoll", createEpollBackend},
    {"uring", createUringBackend},
};
}  // namespace

std::span<const EngineEntry> platformEngines() {
  return kEngines;
}

}  // namespace fastport
