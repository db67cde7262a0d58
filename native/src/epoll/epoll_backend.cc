// epoll engine: level-triggered epoll, non-blocking sockets, reads into one per-loop scratch buffer (the rest
// of a frame in progress straight into its payload block), one send per session per turn (gathered over
// the queue's blocks when it holds several; straight from the command log for a session with nothing older
// queued: only what the kernel does not take is copied), EPOLLOUT armed only while bytes are pending. The
// session life (state, framing, limits, deadlines, counters) is core/session_core.h; this file is the kernel
// side only.
#include "epoll/epoll_backend.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>

#include "core/clock.h"
#include "engine/core_backend.h"
#include "posix/connect_error.h"
#include "posix/io_error.h"
#include "posix/listen_socket.h"
#include "posix/listener.h"
#include "posix/socket_io.h"

namespace fastport {
namespace {

// Per loop, not per session. 256 KiB, not 64: four 64 KiB frames (or a 16 KiB frame straddling 64 KiB) then
// arrive whole in one read and are parsed in place, instead of the last one being copied into a payload
// block and read again (raw echo, 64 KiB frames: 848 -> 650 us of server CPU per MB, medians of 4 pairs).
constexpr size_t kScratchBytes = 256 * 1024;
constexpr int kMaxEvents = 512;
constexpr int kReadsPerTurn = 16;     // per socket per pass (fairness); level-triggered epoll re-reports
constexpr int kAcceptsPerTurn = 128;  // per listener per pass
constexpr size_t kMaxIov = 1024;      // IOV_MAX on Linux
// epoll data: a session's slab handle (below bit 56), or a tag in the top bits with a listener id.
constexpr uint64_t kTagListener = 1ull << 62;
constexpr uint64_t kTagWake = 1ull << 63;

struct EpollSession final : CoreSession {
  int fd = -1;
  bool wantWrite = false;   // bytes pending the kernel did not take: EPOLLOUT wanted
  bool registered = false;  // added to the epoll set
  uint32_t mask = 0;        // events registered with epoll
};
// Every idle connection holds one: 216 B is glibc's 224-byte malloc bin (one byte more takes 240).
static_assert(sizeof(EpollSession) <= 216, "EpollSession grew out of its malloc bin");

EpollSession& as(CoreSession& s) {
  return static_cast<EpollSession&>(s);
}

class EpollBackend final : public CoreBackend {
 public:
  EpollBackend(const LoopContext& ctx, int epfd, int wakeFd)
      : CoreBackend(ctx, ETIMEDOUT), epfd_(epfd), wakeFd_(wakeFd), scratch_(new uint8_t[kScratchBytes]) {}

  ~EpollBackend() override {
    shutdown();
    ::close(wakeFd_);
    ::close(epfd_);
  }

  int pollFd() const override { return epfd_; }

  void wake() override {
    uint64_t one = 1;
    ssize_t rc = ::write(wakeFd_, &one, sizeof one);
    (void)rc;  // EAGAIN: the counter is already non-zero, a wake-up is pending anyway
  }

  void poll(int timeoutMs) override {
    epoll_event events[kMaxEvents];
    int n = epoll_wait(epfd_, events, kMaxEvents, timeoutMs);
    c_.syscalls.add();
    if (n <= 0) return;
    core_.setNow(monotonicMs());
    for (int i = 0; i < n; ++i) {
      uint64_t data = events[i].data.u64;
      if (data & kTagWake) {
        uint64_t value;
        ssize_t rc = ::read(wakeFd_, &value, sizeof value);
        (void)rc;
      } else if (data & kTagListener) {
        acceptAll(uint32_t(data));
      } else if (CoreSession* s = core_.at(data)) {
        onSessionEvent(as(*s), events[i].events);
      }
    }
    core_.flush();  // bytes the WebSocket step queued while reading (pong, close, HTTP reply)
  }

  void sweep(uint64_t nowMs, bool jsCaughtUp) override {
    for (auto& [id, l] : listeners_) {
      if (l.pausedUntilMs && nowMs >= l.pausedUntilMs) {
        l.pausedUntilMs = 0;
        setListenerMask(id, l, EPOLLIN);
      }
    }
    core_.sweep(nowMs, jsCaughtUp);
  }

  int listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
             uint16_t* boundPort) override {
    int fd = -1;
    if (int err = openListenSocket(addr, backlog, reusePort, &fd, boundPort)) return err;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = kTagListener | listenerId;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &e) != 0) {
      int err = errno;
      ::close(fd);
      return err;
    }
    listeners_[listenerId].fd = fd;
    return 0;
  }

  void unlisten(uint32_t listenerId) override {
    auto it = listeners_.find(listenerId);
    if (it == listeners_.end()) return;
    ::close(it->second.fd);  // also leaves the epoll set
    listeners_.erase(it);
  }

  void connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) override {
    core_.setNow(monotonicMs());
    if (!core_.admitConnect(id)) return;
    int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      core_.connectFailedEarly(id, CloseReason::kConnectFailed, uint32_t(errno));
      return;
    }
    EpollSession& s = as(*core_.add(id));
    s.fd = fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length);
    c_.syscalls.add();
    if (rc == 0) {
      core_.opened(s, 0, formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage)));
      return;
    }
    if (errno != EINPROGRESS) {
      core_.closeSession(s, connectFailure(errno), uint32_t(errno));
      return;
    }
    s.connectDeadlineMs = timeoutMs ? core_.now() + timeoutMs : 0;
    updateMask(s);
    core_.rewatch(s);
  }

  void shutdown() override {
    for (auto& [id, l] : listeners_) ::close(l.fd);
    listeners_.clear();
    core_.shutdown();
  }

 private:
  // --- SessionIo ---

  std::unique_ptr<CoreSession> newSession() override { return std::make_unique<EpollSession>(); }

  void readInterestChanged(CoreSession& s) override { updateMask(as(s)); }

  void startSend(CoreSession& s) override {
    // EPOLLOUT armed = the socket buffer is full and a write is waiting for it.
    if (!(as(s).mask & EPOLLOUT)) writeSome(as(s));
  }

  void sendNow(CoreSession& s) override { writeSome(as(s)); }

  // writeSome() is one sendmsg that keeps no pointer into the queue.
  bool sendsSynchronously() const override { return true; }

  void finishOutput(CoreSession& s) override {
    int fd = as(s).fd;
    ::shutdown(fd, SHUT_WR);
    c_.syscalls.add();
    for (int i = 0; i < kDiscardReads; ++i) {
      ssize_t n = ::read(fd, scratch_.get(), kScratchBytes);
      c_.syscalls.add();
      if (n < ssize_t(kScratchBytes)) break;
    }
  }

  void closed(CoreSession& s) override {
    ::close(as(s).fd);  // also removes it from the epoll set
    c_.syscalls.add();
    core_.release(s);
  }

  // --- kernel side ---

  void acceptAll(uint32_t listenerId) {
    auto it = listeners_.find(listenerId);
    if (it == listeners_.end()) return;
    Listener& l = it->second;
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      int fd = accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      c_.syscalls.add();
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (acceptShouldPause(errno)) {
          // Out of descriptors: stop accepting for a while instead of spinning on the ready listener.
          l.pausedUntilMs = core_.now() + kAcceptPauseMs;
          setListenerMask(listenerId, l, 0);
          c_.acceptPaused.add();
        }
        return;  // EAGAIN or a pause
      }
      if (!core_.admit()) {
        ::close(fd);
        c_.refused.add();
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      EpollSession& s = as(*addSession());
      s.fd = fd;
      core_.opened(s, listenerId, formatAddress(reinterpret_cast<sockaddr*>(&peer)));
    }
  }

  void setListenerMask(uint32_t listenerId, Listener& l, uint32_t events) {
    epoll_event e{};
    e.events = events;
    e.data.u64 = kTagListener | listenerId;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, l.fd, &e);
    c_.syscalls.add();
  }

  void onSessionEvent(EpollSession& s, uint32_t events) {
    if (s.state == SessionState::kConnecting) {
      finishConnect(s);
      return;
    }
    SessionSlab::Handle h = SessionSlab::handleOf(s);
    bool errorOrHangUp = events & (EPOLLERR | EPOLLHUP);
    if (((events & EPOLLIN) || errorOrHangUp) && s.wantsRead() && !core_.batchFull()) {
      if (!readAll(s)) return;
    }
    if (events & EPOLLOUT) {
      writeSome(s);
      if (!core_.at(h) || s.closed()) return;
    }
    if (errorOrHangUp && !s.wantsRead()) {
      // Error or hang-up that no read will see (not reading now): report it now.
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      core_.closeSession(s, err ? ioFailure(err) : CloseReason::kPeerClosed, uint32_t(err));
    }
  }

  void finishConnect(EpollSession& s) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    c_.syscalls.add();
    if (err != 0) {
      core_.closeSession(s, connectFailure(err), uint32_t(err));
      return;
    }
    // The session keeps no address: the connected peer is the target.
    sockaddr_storage peer{};
    socklen_t peerLen = sizeof peer;
    getpeername(s.fd, reinterpret_cast<sockaddr*>(&peer), &peerLen);
    c_.syscalls.add();
    core_.opened(s, 0, formatAddress(reinterpret_cast<sockaddr*>(&peer)));
  }

  // readOnce(): the session core closed the session (or its input ended) while taking the bytes read.
  static constexpr ssize_t kSessionEnded = -2;

  // Reads until EAGAIN, the per-pass budget or the end of input. Returns false when reading stopped
  // because the session closed or its input ended.
  bool readAll(EpollSession& s) {
    for (int i = 0; i < kReadsPerTurn; ++i) {
      size_t asked = 0;
      ssize_t n = readOnce(s, &asked);
      if (n > 0) {
        if (size_t(n) < asked) return true;  // drained (level-triggered epoll tells us otherwise)
        if (core_.batchFull() || !s.wantsRead()) return true;  // the rest on a later pass
        continue;
      }
      if (n == kSessionEnded) return false;
      if (n == 0) {
        core_.inputEnded(s);  // the peer half-closed: its replies still go out
        return false;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      core_.closeSession(s, ioFailure(errno), uint32_t(errno));
      return false;
    }
    return true;
  }

  // One gathered send of what is queued. Arms EPOLLOUT while bytes stay pending.
  void writeSome(EpollSession& s) {
    if (s.queue.empty()) {
      core_.sendIdle(s);
      return;
    }
    ssize_t sent = sendQueued(s);
    c_.syscalls.add();
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        armWrite(s, true);
        return;
      }
      core_.closeSession(s, ioFailure(errno), uint32_t(errno));
      return;
    }
    s.queue.consume(core_.pool(), size_t(sent));
    SessionSlab::Handle h = SessionSlab::handleOf(s);
    core_.sent(s, size_t(sent));
    if (!core_.at(h) || s.closed()) return;
    if (s.queue.empty()) {
      armWrite(s, false);
      core_.sendIdle(s);
      return;
    }
    armWrite(s, true);
    core_.rewatch(s);
  }

  // One read, handed to the session core; *asked = the bytes it could have brought. Between frames a read
  // goes straight into the event batch (whole frames leave from there uncopied); the rest of a frame in
  // progress into its payload block, what follows it to scratch. Returns the recv result, or kSessionEnded.
  ssize_t readOnce(EpollSession& s, size_t* asked) {
    BodyRoom room = core_.receiveRoom(s);
    if (room.len) {
      iovec iov[2] = {{room.data, room.len}, {scratch_.get(), kScratchBytes}};
      ssize_t n = readvSome(s.fd, iov, 2);
      c_.syscalls.add();
      *asked = room.len + kScratchBytes;
      if (n <= 0) return n;
      size_t direct = size_t(n) < room.len ? size_t(n) : room.len;
      if (!core_.receivedInRoom(s, direct)) return kSessionEnded;
      if (size_t(n) > direct && !core_.received(s, scratch_.get(), size_t(n) - direct)) return kSessionEnded;
      return n;
    }
    BodyRoom batch = core_.batchRoom(s, kScratchBytes);
    uint8_t* into = batch.len ? batch.data : scratch_.get();
    *asked = batch.len ? batch.len : kScratchBytes;
    ssize_t n = recvSome(s.fd, into, *asked);
    c_.syscalls.add();
    if (n <= 0) return n;
    bool open = batch.len ? core_.receivedInBatch(s, size_t(n)) : core_.received(s, into, size_t(n));
    return open ? n : kSessionEnded;
  }

  // One send of the queue's oldest bytes: send() for one contiguous run (a turn's replies to a session are
  // usually one SEND record of the command log), sendmsg() over the blocks otherwise.
  static ssize_t sendQueued(EpollSession& s) {
    constexpr int kFlags = MSG_NOSIGNAL | MSG_DONTWAIT;
    ByteSlice slices[kMaxIov];
    size_t n = s.queue.gather(slices, kMaxIov);
    if (n == 1) return sendSome(s.fd, slices[0].data, slices[0].len, kFlags);
    iovec iov[kMaxIov];
    for (size_t i = 0; i < n; ++i) iov[i] = iovec{const_cast<uint8_t*>(slices[i].data), slices[i].len};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    return sendGathered(s.fd, &msg, kFlags);
  }

  void armWrite(EpollSession& s, bool on) {
    if (s.wantWrite == on && bool(s.mask & EPOLLOUT) == on) return;
    s.wantWrite = on;
    updateMask(s);
  }

  void updateMask(EpollSession& s) {
    if (s.closed()) return;
    uint32_t want = 0;
    if (s.state == SessionState::kConnecting) {
      want = uint32_t(EPOLLOUT);
    } else {
      want = (s.wantsRead() ? uint32_t(EPOLLIN) : 0u) | (s.wantWrite ? uint32_t(EPOLLOUT) : 0u);
    }
    if (want == s.mask && s.registered) return;
    epoll_event e{};
    e.events = want;
    e.data.u64 = SessionSlab::handleOf(s);
    epoll_ctl(epfd_, s.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s.fd, &e);
    c_.syscalls.add();
    s.registered = true;
    s.mask = want;
  }

  int epfd_;
  int wakeFd_;
  std::unique_ptr<uint8_t[]> scratch_;
  std::unordered_map<uint32_t, Listener> listeners_;
};

}  // namespace

std::unique_ptr<Backend> createEpollBackend(const LoopContext& ctx, std::string* error) {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    *error = std::string("epoll_create1: ") + strerror(errno);
    return nullptr;
  }
  int wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd < 0) {
    *error = std::string("eventfd: ") + strerror(errno);
    ::close(epfd);
    return nullptr;
  }
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = kTagWake;
  epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFd, &e);
  return std::make_unique<EpollBackend>(ctx, epfd, wakeFd);
}

}  // namespace fastport
