// io_uring engine: the kernel side of a session's end (FIN and discard, cancel, freeing once the kernel
// holds nothing of it) and shutdown.
#include <sys/socket.h>
#include <unistd.h>

#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::finishOutput(CoreSession& cs) {
  int fd = as(cs).fd;
  ::shutdown(fd, SHUT_WR);
  c_.syscalls.add();
  // Discard unread input (until EAGAIN, bounded) so close() sends FIN, not RST: an RST would make the
  // kernel drop the bytes just sent that the peer has not received yet.
  static thread_local uint8_t scratch[64 * 1024];
  for (int i = 0; i < kDiscardReads; ++i) {
    ssize_t n = ::read(fd, scratch, sizeof scratch);
    c_.syscalls.add();
    if (n < ssize_t(sizeof scratch)) break;
  }
}

void UringBackend::closed(CoreSession& cs) {
  UringSession& s = as(cs);
  if (!(s.inFlight & kSendRunning)) releaseSlice(s);
  if (s.inFlight && s.fd >= 0 && enabled_ && !shutDown_) {
    io_uring_sqe* e = sqe();
    prepCancelFd(e, s.fd, tag(Op::kCancel, SessionSlab::handleOf(s)));
    if (s.fileSlot >= 0) {
      e->fd = s.fileSlot;  // requests on a fixed file are found by their slot
      e->cancel_flags |= IORING_ASYNC_CANCEL_FD_FIXED;
    }
  }
  maybeFree(s);
}

void UringBackend::maybeFree(UringSession& s) {
  if (!s.closed() || s.inFlight) return;
  if (s.fileSlot >= 0) {
    files_.remove(s.fileSlot);
    c_.syscalls.add();
  }
  if (s.fd >= 0) {
    ::close(s.fd);
    c_.syscalls.add();
  }
  releaseSlice(s);
  core_.release(s);  // s is gone from here on
}

void UringBackend::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  for (auto& [id, l] : listeners_) ::close(l.fd);
  listeners_.clear();
  core_.shutdown();  // best-effort send, then CLOSE shutdown for every session
  cancelEverything();
  // Whatever the kernel did not give back in time: its socket is closed now, its memory is never freed
  // (a request may still refer to it until the ring is closed).
  core_.forEach([&](CoreSession* cs) {
    UringSession& s = as(*cs);
    files_.remove(s.fileSlot);  // the slot would keep the socket open
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    releaseSlice(s);
  });
  core_.releaseAll([](CoreSession& s) { return as(s).inFlight != 0; });
  syncCounters();
  if (enabled_) ring_.unregisterRingFd();  // on the loop thread, which registered it
}

}  // namespace fastport::uring
