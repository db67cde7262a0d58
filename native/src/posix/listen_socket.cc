#include "posix/listen_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace fastport {

int openListenSocket(const SocketAddress& addr, int backlog, bool reusePort, int* fd, uint16_t* boundPort) {
  int s = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reusePort) setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(s, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0 ||
      ::listen(s, backlog) != 0) {
    int err = errno;
    ::close(s);
    return err;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(s, reinterpret_cast<sockaddr*>(&bound), &len);
  *boundPort = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  *fd = s;
  return 0;
}

int checkPortFree(const SocketAddress& addr) {
  int s = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the listener: TIME_WAIT does not count
  int err = ::bind(s, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) == 0 ? 0 : errno;
  ::close(s);
  return err;
}

}  // namespace fastport
