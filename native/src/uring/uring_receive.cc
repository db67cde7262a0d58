// io_uring engine: one multishot recv per reading session into the provided-buffer ring (a buffer goes
// back as soon as the core has framed its bytes); the core says when to read (SessionCore wantsRead).
// Big frames skip the buffers: once a big frame's header is seen the multishot recv is cancelled, the rest
// of each big frame is received by plain recvs straight into its payload block (as epoll's readv does),
// and one buffered recv linked behind the last takes the frame's last byte and the next frame's start; a
// small frame's header brings multishot back. A received buffer's frames are copied into the event batch as
// FRAMES records (SessionCore::arrivedInBuffer; epoll reads them there), not frame by frame.

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

// A frame of at least kBigFrameBuffers x bigFrameRecvBytes() is big: the session leaves multishot for one
// buffered recv at a time, and the rest of each big frame goes direct, at least bigFrameRecvBytes() at a time
// (smaller rests fit one buffered completion). Measured: at 64 KiB frames the extra round trip per frame
// cost more than the copy it saves; from 256 KiB on it saves server CPU. True when big.
bool UringBackend::noteFrameSize(UringSession& s, const BodyRoom& room) {
  if (room.data) s.bigFrames = room.framePayload >= size_t(kBigFrameBuffers) * bigFrameRecvBytes();
  return s.bigFrames;
}

void UringBackend::armRecv(UringSession& s) {
  BodyRoom room = core_.receiveRoom(s);
  noteFrameSize(s, room);
  if (s.bigFrames && room.frameRest >= bigFrameRecvBytes() && armDirectRecv(s, room)) return;
  io_uring_sqe* e = sqe();
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  if (s.bigFrames) {
    prepBigFrameRecv(e, s);
  } else {
    prepMultishotRecv(e, s.fd, kBufferGroup, tag(Op::kRecv, h));
  }
  onSocket(e, s);
  s.inFlight |= kRecvArmed;
  s.recv = RecvState::kArmed;
}

void UringBackend::prepBigFrameRecv(io_uring_sqe* e, UringSession& s) {
  // Big frames: one buffer at a time (a multishot recv would pull all the socket holds through the
  // buffers first), so the next big frame's rest goes direct as soon as its header is in. A buffer's worth
  // (bigFrameRecvBytes), not just the header: the frame's payload block then starts at the size a direct
  // recv fills in one go (FrameParser grows it to at most 4x what arrived).
  prepBufferRecv(e, s.fd, kBufferGroup, unsigned(bigFrameRecvBytes()),
                 tag(Op::kRecv, SessionSlab::handleOf(s)));
}

bool UringBackend::armDirectRecv(UringSession& s, const BodyRoom& room) {
  // The frame's last byte is left to a buffered recv, so a direct recv never completes a frame: one that
  // completes after reading was paused is then parked like any other input (SessionCore::arrived).
  bool endsFrame = room.len == room.frameRest;
  size_t len = endsFrame ? room.len - 1 : room.len;
  // When it reaches the frame's end, a buffered recv is linked behind it (one round trip per frame); the
  // pair must go in one submission (a link does not cross one): no room for both, no direct recv.
  if (endsFrame && ring_.sqEntries() - ring_.unsubmitted() < 2) submit();
  if (endsFrame && ring_.sqEntries() - ring_.unsubmitted() < 2) return false;
  io_uring_sqe* direct = sqe();
  prepRecv(direct, s.fd, room.data, uint32_t(len), tag(Op::kRecvDirect, SessionSlab::handleOf(s)));
  onSocket(direct, s);
  s.inFlight |= kDirectRunning;
  if (endsFrame) {
    // The next recv starts when this one completed, filled or short (a short one leaves the frame's next
    // bytes to the buffered recv; the one after it goes direct again). No MSG_WAITALL: the core counts
    // bytes as they arrive (bytesIn, slow-sender deadlines).
    direct->flags |= IOSQE_IO_LINK;
    io_uring_sqe* next = sqe();
    prepBigFrameRecv(next, s);
    onSocket(next, s);
    s.inFlight |= kRecvArmed;
  }
  // Kept alive even if the session closes while the kernel writes into it.
  lentBodies_[SessionSlab::handleOf(s)] = s.parser.lendBody();
  s.recv = RecvState::kDirect;
  return true;
}

void UringBackend::cancelRecv(UringSession& s) {
  if (s.recv != RecvState::kArmed && s.recv != RecvState::kDirect) return;
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  Op op = s.recv == RecvState::kDirect ? Op::kRecvDirect : Op::kRecv;
  prepCancelUserData(sqe(), tag(op, h), tag(Op::kCancel, h));
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
    if (s && res > 0) core_.arrivedInBuffer(*s, bufs_.data(bufferId), size_t(res));
    bufs_.give(bufferId);  // its bytes are framed (copied into the batch, a partial frame kept by the parser)
    bufs_.publish();
  }
  if (!s) return;
  if (!(flags & IORING_CQE_F_MORE)) {
    recvEnded(*s, res);  // re-armed (direct when a big frame's rest is due)
  } else if (s->recv == RecvState::kArmed && !s->closed() && noteFrameSize(*s, core_.receiveRoom(*s))) {
    cancelRecv(*s);  // a big frame came: its end re-arms the receive for big frames
  }
}

void UringBackend::onDirectRecv(UringSession& s, int res) {
  auto lent = lentBodies_.find(SessionSlab::handleOf(s));
  PayloadBlock body = std::move(lent->second);
  lentBodies_.erase(lent);
  s.inFlight &= uint8_t(~kDirectRunning);
  bool linked = s.inFlight & kRecvArmed;  // the buffered recv behind it is next
  if (s.recv == RecvState::kDirect) s.recv = linked ? RecvState::kArmed : RecvState::kIdle;
  if (!linked && s.recv == RecvState::kCancelling) s.recv = RecvState::kIdle;
  if (s.closed()) {
    maybeFree(s);  // the parser was reset: the block goes with `body`
    return;
  }
  s.parser.returnBody(std::move(body));
  if (res > 0) {
    if (s.state != SessionState::kOpen) return;  // input after FIN or close(): dropped, as in arrived()
    c_.uringRecvDirectBytes.add(uint64_t(res));
    if (!core_.receivedInRoom(s, size_t(res))) return;
  } else if (res == 0) {
    core_.inputEnded(s);  // the peer half-closed: its replies still go out
    return;
  } else if (res != -ECANCELED) {
    core_.closeSession(s, ioFailure(-res), uint32_t(-res));
    return;
  }
  if (!linked && s.recv == RecvState::kIdle && s.wantsRead()) queueRearm(s);  // the frame's next piece
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
