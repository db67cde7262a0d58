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
  now_ = monotonicMs();
  if (!ctx_.budget->tryAcquire()) {
    ev_.close(id, CloseReason::kConnectionLimit, 0);
    c_.closed.add();
    c_.refused.add();
    return;
  }
  int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  c_.syscalls.add();
  if (fd < 0 || !ensureEnabled()) {
    int err = fd < 0 ? errno : enableError_;
    if (fd >= 0) ::close(fd);
    ctx_.budget->release();
    ev_.close(id, CloseReason::kConnectFailed, uint32_t(err));
    c_.closed.add();
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Session* s = addSession(id, fd);
  s->target = addr;
  s->remote = formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage));
  // connect + its linked timeout must sit next to each other in the SQ: make room for both first.
  if (ring_.sqEntries() - ring_.unsubmitted() < 2) submit();
  io_uring_sqe* c = sqe();
  prepConnect(c, fd, reinterpret_cast<const sockaddr*>(&s->target.storage), s->target.length,
              tag(Op::kConnect, id));
  s->connectInFlight = true;
  if (timeoutMs > 0) {
    s->connectTimeout.tv_sec = timeoutMs / 1000;
    s->connectTimeout.tv_nsec = (timeoutMs % 1000) * 1000000LL;
    c->flags |= IOSQE_IO_LINK;
    prepLinkTimeout(sqe(), &s->connectTimeout, tag(Op::kConnectTimeout, id));
    s->timeoutInFlight = true;
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
  if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
    // Out of descriptors: stop accepting for a while instead of spinning.
    l.pausedUntilMs = now_ + kAcceptPauseMs;
    c_.acceptPaused.add();
    return;
  }
  armAccept(listenerId, l);
}

void UringBackend::admit(int fd, uint32_t listenerId) {
  if (!ctx_.budget->tryAcquire()) {
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
  Session* s = addSession(ctx_.ids->next(), fd);
  s->state = Session::State::kOpen;
  if (cfg_.websocket) s->protocol.sniff();
  ev_.open(s->id, listenerId, formatAddress(reinterpret_cast<sockaddr*>(&peer)));
  c_.accepted.add();
  useFileSlot(s);
  armRecv(s);
}

void UringBackend::onConnect(SessionId id, int res) {
  Session* s = findAny(id);
  if (!s) return;
  s->connectInFlight = false;
  if (s->state == Session::State::kClosed) {
    maybeFree(s);
    return;
  }
  if (res == 0) {
    s->state = Session::State::kOpen;
    ev_.open(id, 0, s->remote);
    s->remote.clear();
    s->remote.shrink_to_fit();
    c_.connected.add();
    useFileSlot(s);
    if (!s->readPaused) armRecv(s);
    startSend(s);
    return;
  }
  if (res == -ECANCELED) {
    closeSession(s, CloseReason::kConnectTimeout, ETIMEDOUT);
  } else {
    closeSession(s, connectFailure(-res), uint32_t(-res));
  }
}

}  // namespace fastport::uring
