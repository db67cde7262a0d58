// Reference epoll server: framing only, one gathered write per socket per wake-up. It is the machine's
// limit for the benchmark, not a product. Modes: echo (each frame back to its sender) and broadcast (each
// frame to every connection, the chat scenario's stand-in). Prints "READY port=<n>" once listening.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr uint32_t kHeaderBytes = 10;
constexpr uint32_t kMaxFrameBytes = 64u << 20;
constexpr size_t kScratchBytes = 256 * 1024;
constexpr size_t kPauseReadBytes = 8u << 20;  // stop reading a socket while this much is unsent to it

volatile sig_atomic_t stopRequested = 0;

struct Conn {
  int fd = -1;
  std::vector<uint8_t> in;  // remainder of an incomplete frame
  std::vector<uint8_t> out;
  size_t outOff = 0;
  bool readPaused = false;
  bool dirty = false;  // has output queued during this wake-up
};

struct Server {
  bool broadcast = false;
  int epollFd = -1;
  int listenFd = -1;
  std::unordered_map<int, Conn> conns;
  std::vector<int> dirty;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(kScratchBytes);
};

uint32_t readU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void closeConn(Server& s, int fd) {
  epoll_ctl(s.epollFd, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  s.conns.erase(fd);
}

void queue(Server& s, Conn& c, const uint8_t* data, size_t length) {
  c.out.insert(c.out.end(), data, data + length);
  if (!c.dirty) {
    c.dirty = true;
    s.dirty.push_back(c.fd);
  }
}

// Sends what is queued; returns false when the connection failed and was closed.
bool flush(Server& s, Conn& c) {
  while (c.outOff < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
    if (n > 0) {
      c.outOff += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(c.outOff));
      c.outOff = 0;
      return true;
    } else {
      closeConn(s, c.fd);
      return false;
    }
  }
  c.out.clear();
  c.outOff = 0;
  return true;
}

// Hands complete frames in data to their destinations; returns bytes consumed, or -1 on a bad length.
ssize_t dispatch(Server& s, Conn& c, const uint8_t* data, size_t length) {
  size_t off = 0;
  while (length - off >= kHeaderBytes) {
    uint32_t frameBytes = readU32(data + off);
    if (frameBytes < kHeaderBytes || frameBytes > kMaxFrameBytes) return -1;
    if (length - off < frameBytes) break;
    if (s.broadcast) {
      for (auto& [fd, member] : s.conns) queue(s, member, data + off, frameBytes);
    }
    off += frameBytes;
  }
  if (!s.broadcast && off > 0) queue(s, c, data, off);  // echo: all complete frames in one copy
  return static_cast<ssize_t>(off);
}

void onReadable(Server& s, int fd) {
  for (;;) {
    auto it = s.conns.find(fd);
    if (it == s.conns.end()) return;
    Conn& c = it->second;
    if (c.out.size() - c.outOff > kPauseReadBytes) {
      c.readPaused = true;
      return;
    }
    ssize_t n = recv(fd, s.scratch.data(), s.scratch.size(), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      closeConn(s, fd);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    ssize_t used;
    if (c.in.empty()) {
      used = dispatch(s, c, s.scratch.data(), static_cast<size_t>(n));
      if (used >= 0) c.in.assign(s.scratch.data() + used, s.scratch.data() + n);
    } else {
      c.in.insert(c.in.end(), s.scratch.data(), s.scratch.data() + n);
      used = dispatch(s, c, c.in.data(), c.in.size());
      if (used >= 0) c.in.erase(c.in.begin(), c.in.begin() + used);
    }
    if (used < 0) {
      closeConn(s, fd);
      return;
    }
    if (static_cast<size_t>(n) < s.scratch.size()) return;  // a short read drained the socket
  }
}

void acceptAll(Server& s) {
  for (;;) {
    int fd = accept4(s.listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or EMFILE: the next wake-up retries
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    epoll_ctl(s.epollFd, EPOLL_CTL_ADD, fd, &ev);
    s.conns[fd].fd = fd;
  }
}

int parsePort(std::string_view text) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535) return -1;
  return port;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  Server s;
  for (int i = 1; i < argc; i++) {
    std::string_view flag = argv[i];
    if (flag == "--broadcast") {
      s.broadcast = true;
    } else if (i + 1 < argc && flag == "--host") {
      host = argv[++i];
    } else if (i + 1 < argc && flag == "--port") {
      port = parsePort(argv[++i]);
      if (port < 0) {
        std::fprintf(stderr, "echo-server: --port: expected 0..65535\n");
        return 2;
      }
    } else {
      std::fprintf(
          stderr,
          "echo-server: unknown option '%s'\nusage: echo-server [--host H] [--port N] [--broadcast]\n",
          argv[i]);
      return 2;
    }
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  struct sigaction sa {};
  sa.sa_handler = [](int) { stopRequested = 1; };
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "echo-server: --host: not an IPv4 address: %s\n", host.c_str());
    return 2;
  }
  s.listenFd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(s.listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s.listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(s.listenFd, 4096) != 0) {
    std::fprintf(stderr, "echo-server: cannot listen on %s:%d: %s\n", host.c_str(), port,
                 std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(s.listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
  s.epollFd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = s.listenFd;
  epoll_ctl(s.epollFd, EPOLL_CTL_ADD, s.listenFd, &ev);
  std::printf("READY port=%u mode=%s\n", ntohs(addr.sin_port), s.broadcast ? "broadcast" : "echo");
  std::fflush(stdout);

  std::vector<epoll_event> events(1024);
  while (!stopRequested) {
    int n = epoll_wait(s.epollFd, events.data(), static_cast<int>(events.size()), 500);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == s.listenFd) {
        acceptAll(s);
        continue;
      }
      auto it = s.conns.find(fd);
      if (it == s.conns.end()) continue;
      if (events[i].events & EPOLLOUT) {
        if (!flush(s, it->second)) continue;
        if (it->second.readPaused) {
          it->second.readPaused = false;
          onReadable(s, fd);
        }
      }
      if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) onReadable(s, fd);
    }
    for (int fd : s.dirty) {
      auto it = s.conns.find(fd);
      if (it == s.conns.end()) continue;
      it->second.dirty = false;
      flush(s, it->second);
    }
    s.dirty.clear();
  }
  for (auto& [fd, c] : s.conns) close(fd);
  close(s.listenFd);
  close(s.epollFd);
  return 0;
}
