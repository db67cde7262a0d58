// Host + port -> socket address (numeric hosts, "localhost", names via getaddrinfo), and back to "ip:port".
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace fastport {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// Returns "" on success, else the reason (e.g. getaddrinfo's message).
std::string resolveAddress(const std::string& host, uint16_t port, SocketAddress* out);
// "ip:port" ("[ip]:port" for IPv6).
std::string formatAddress(const sockaddr* addr);

}  // namespace fastport
