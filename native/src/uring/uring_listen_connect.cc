// io_uring engine: listeners (multishot accept, EMFILE pause) and outbound connects (linked timeout).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "posix/connect_error.h"
#include "posix/listen_socket.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

int UringBackend::listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
                         uint16_t* boundPort) {
  if (!ensureEnabled()) return enableError_;
  int fd = -1;
  if (int err = openListenSocket(addr, backlog, reusePort, &fd, boundPort)) return err;
  Listener& l = listeners_[listenerId];
  l.fd = fd;
  armAccept(listenerId, l);
  submit();
  return 0;
}

void UringBackend::unlisten(uint32_t listenerId) {
  auto it = listeners_.find(listenerId);
  if (it == listeners_.end()) return;
  if (it->second.armed && ensureEnabled()) {
    prepCancelUserData(sqe(), tag(Op::kAccept, listenerId), tag(Op::kCancel, 0));
    submit();
  }
  // The ring keeps its own reference to the socket until the cancel completed (with DEFER_TASKRUN: at the
  // next enter); shutdown() stops listening now, so new connections are refused at once.
  ::shutdown(it->second.fd, SHUT_RDWR);
  ::close(it->second.fd);
  c_.syscalls.add();
  listeners_.erase(it);  // a late accept CQE finds no listener and closes its fd
}

void UringBackend::connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) {
  core_.setNow(monotonicMs());
  if (!core_.admitConnect(id)) return;
  int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  c_.syscalls.add();
  if (fd < 0 || !ensureEnabled()) {
    int err = fd < 0 ? errno : enableError_;
    if (fd >= 0) ::close(fd);
    core_.connectFailedEarly(id, CloseReason::kConnectFailed, uint32_t(err));
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  UringSession& s = as(*core_.add(id));
  s.fd = fd;
  s.connecting = std::make_unique<PendingConnect>();
  PendingConnect& pending = *s.connecting;
  pending.target = addr;
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  // connect + its linked timeout must sit next to each other in the SQ: make room for both first. The
  // kernel enforces the deadline (the core's connectDeadlineMs stays 0).
  if (ring_.sqEntries() - ring_.unsubmitted() < 2) submit();
  io_uring_sqe* c = sqe();
  prepConnect(c, fd, reinterpret_cast<const sockaddr*>(&pending.target.storage), pending.target.length,
              tag(Op::kConnect, h));
  s.inFlight |= kConnectRunning;
  if (timeoutMs > 0) {
    pending.timeout.tv_sec = timeoutMs / 1000;
    pending.timeout.tv_nsec = (timeoutMs % 1000) * 1000000LL;
    c->flags |= IOSQE_IO_LINK;
    prepLinkTimeout(sqe(), &pending.timeout, tag(Op::kConnectTimeout, h));
    s.inFlight |= kTimeoutRunning;
  }
  submit();
}

void UringBackend::armAccept(uint32_t listenerId, Listener& l) {
  prepMultishotAccept(sqe(), l.fd, tag(Op::kAccept, listenerId));
  l.armed = true;
}

void UringBackend::onAccept(uint32_t listenerId, int res, uint32_t flags) {
  auto it = listeners_.find(listenerId);
  if (res >= 0) {
    if (it == listeners_.end() || shutDown_) {
      ::close(res);
    } else {
      admit(res, listenerId);
    }
  }
  if (flags & IORING_CQE_F_MORE) return;
  if (it == listeners_.end()) return;
  Listener& l = it->second;
  l.armed = false;
  if (acceptShouldPause(-res)) {
    // Out of descriptors: stop accepting for a while instead of spinning.
    l.pausedUntilMs = core_.now() + kAcceptPauseMs;
    c_.acceptPaused.add();
    return;
  }
  armAccept(listenerId, l);
}

void UringBackend::admit(int fd, uint32_t listenerId) {
  if (!core_.admit()) {
    ::close(fd);
    c_.syscalls.add();
    c_.refused.add();
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len);
  c_.syscalls.add(2);
  UringSession& s = as(*addSession());
  s.fd = fd;
  useFileSlot(s);
  core_.opened(s, listenerId,
               formatAddress(reinterpret_cast<sockaddr*>(&peer)));  // arms the recv (readInterestChanged)
}

void UringBackend::connectSettled(UringSession& s) {
  if (!(s.inFlight & (kConnectRunning | kTimeoutRunning))) s.connecting.reset();
}

void UringBackend::onConnect(UringSession& s, int res) {
  // The target, reported in OPEN, lives in s.connecting only until both operations settled.
  std::string remote = res == 0 && s.connecting
                           ? formatAddress(reinterpret_cast<const sockaddr*>(&s.connecting->target.storage))
                           : std::string();
  s.inFlight &= uint8_t(~kConnectRunning);
  connectSettled(s);
  if (s.closed()) {
    maybeFree(s);
    return;
  }
  if (res == 0) {
    useFileSlot(s);
    core_.opened(s, 0, remote);
    return;
  }
  if (res == -ECANCELED) {
    core_.closeSession(s, CloseReason::kConnectTimeout, ETIMEDOUT);
  } else {
    core_.closeSession(s, connectFailure(-res), uint32_t(-res));
  }
}

}  // namespace fastport::uring
