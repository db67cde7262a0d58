// io_uring engine: one multishot recv per reading session into the provided-buffer ring (a buffer goes
// back as soon as the core has framed its bytes); the core says when to read (SessionCore wantsRead).
#include "posix/io_error.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::readInterestChanged(CoreSession& cs) {
  UringSession& s = as(cs);
  if (s.closed() || shutDown_) return;
  if (!s.wantsRead()) {
    cancelRecv(s);
  } else if (s.recv == RecvState::kIdle) {
    armRecv(s);  // kCancelling: re-armed when the cancelled recv has ended (recvEnded)
  }
}

void UringBackend::useFileSlot(UringSession& s) {
  if (!files_.enabled()) return;
  s.fileSlot = files_.add(s.fd);
  c_.syscalls.add();
}

void UringBackend::armRecv(UringSession& s) {
  io_uring_sqe* e = sqe();
  prepMultishotRecv(e, s.fd, kBufferGroup, tag(Op::kRecv, SessionSlab::handleOf(s)));
  onSocket(e, s);
  s.inFlight |= kRecvArmed;
  s.recv = RecvState::kArmed;
}

void UringBackend::cancelRecv(UringSession& s) {
  if (s.recv != RecvState::kArmed) return;
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  prepCancelUserData(sqe(), tag(Op::kRecv, h), tag(Op::kCancel, h));
  s.recv = RecvState::kCancelling;
}

void UringBackend::queueRearm(UringSession& s) {
  if (s.lists & kInRearm) return;
  s.lists |= kInRearm;
  rearm_.push_back(SessionSlab::handleOf(s));
}

void UringBackend::onRecv(UringSession* s, int res, uint32_t flags) {
  if (flags & IORING_CQE_F_BUFFER) {
    uint16_t bufferId = uint16_t(flags >> IORING_CQE_BUFFER_SHIFT);
    // Bytes that landed after reading was turned off are parked by the core; s stays stored while its
    // recv is in flight, even if this closes it.
    if (s && res > 0) core_.arrived(*s, bufs_.data(bufferId), size_t(res));
    bufs_.give(bufferId);  // its bytes are framed (frames copied out, a partial frame kept by the parser)
    bufs_.publish();
  }
  if (s && !(flags & IORING_CQE_F_MORE)) recvEnded(*s, res);
}

void UringBackend::recvEnded(UringSession& s, int res) {
  s.inFlight &= uint8_t(~kRecvArmed);
  s.recv = RecvState::kIdle;
  if (s.closed()) {
    maybeFree(s);
    return;
  }
  if (res == -ENOBUFS) {
    c_.uringBufRingEmpty.add();  // bytes stay in the socket; re-armed after this pass returned buffers
  } else if (res == 0) {
    core_.inputEnded(s);  // the peer half-closed: its replies still go out
    return;
  } else if (res < 0 && res != -ECANCELED) {
    core_.closeSession(s, ioFailure(-res), uint32_t(-res));
    return;
  }
  if (s.wantsRead()) queueRearm(s);  // multishot ended (or a pause was undone before the cancel landed)
}

}  // namespace fastport::uring
