// A non-blocking listening TCP socket, shared by the POSIX engines (epoll, uring).
#pragma once
#include <cstdint>

#include "core/address.h"

namespace fastport {

// Creates, binds and listens (SO_REUSEADDR; SO_REUSEPORT when reusePort). Returns 0 with *fd and
// *boundPort set (the actual port when 0 was asked), or an errno with nothing left open.
int openListenSocket(const SocketAddress& addr, int backlog, bool reusePort, int* fd, uint16_t* boundPort);

}  // namespace fastport
