#include "rio/rio_backend.h"

#include "iocp/iocp_backend.h"

namespace fastport {

std::unique_ptr<Backend> createRioBackend(const LoopContext& ctx, std::string* error) {
  return createIocpBackend(ctx, error);
}

}  // namespace fastport
