// A non-blocking listening TCP socket, shared by the POSIX engines (epoll, uring).
#pragma once
#include <cstdint>

#include "core/address.h"

namespace fastport {

// Creates, binds and listens (SO_REUSEADDR; SO_REUSEPORT when reusePort). Returns 0 with *fd and
// *boundPort set (the actual port when 0 was asked), or an errno with nothing left open.
int openListenSocket(const SocketAddress& addr, int backlog, bool reusePort, int* fd, uint16_t* boundPort);

// 0 when addr's port is free for a listener, else the errno (EADDRINUSE): binds a probe socket without
// SO_REUSEPORT and closes it. SO_REUSEPORT sockets would otherwise join a port another process (of the same
// user) listens on, silently; a threaded engine checks first, then binds its loops with SO_REUSEPORT.
int checkPortFree(const SocketAddress& addr);

}  // namespace fastport
