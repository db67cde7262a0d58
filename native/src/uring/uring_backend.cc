// Placeholder until the io_uring engine lands: the engine is registered but reports itself unavailable.
#include "uring/uring_backend.h"

namespace fastport {

std::unique_ptr<Backend> createUringBackend(const LoopContext&, std::string* error) {
  *error = "uring engine not built yet";
  return nullptr;
}

std::string probeUring() {
  return "uring engine not built yet";
}

}  // namespace fastport
