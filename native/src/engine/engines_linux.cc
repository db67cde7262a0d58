// The Linux engines, in the order engines() lists them.
#include "engine/registry.h"
#include "epoll/epoll_backend.h"
#include "uring/uring_backend.h"

FASTPORT_ENGINE_TABLE({"epoll", createEpollBackend}, {"uring", createUringBackend})
