// The Windows engines, in the order engines() lists them: iocp, and rio (which itself falls back to iocp
// when Registered I/O is missing).
#include "engine/registry.h"
#include "iocp/iocp_backend.h"
#include "rio/rio_backend.h"

FASTPORT_ENGINE_TABLE({"iocp", createIocpBackend}, {"rio", createRioBackend})
