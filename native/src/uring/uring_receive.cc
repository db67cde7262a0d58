// io_uring engine: multishot recv into the provided-buffer ring (a buffer goes back as soon as its bytes
// are parsed), framing into FRAME events, PAUSE_READ / RESUME_READ.
#include "core/clock.h"
#include "core/frame_delivery.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::pauseRead(SessionId id) {
  Session* s = findOpen(id);
  if (!s || s->readPaused) return;
  s->readPaused = true;
  cancelRecv(s);
}

void UringBackend::resumeRead(SessionId id) {
  Session* s = findOpen(id);
  if (!s || !s->readPaused) return;
  s->readPaused = false;
  s->resumedMs = monotonicMs();
  now_ = s->resumedMs;
  if (s->state == Session::State::kOpen && !deliverHeld(s))
    return;  // draining: no more input  // a bad frame among them closed the session
  if (s->state == Session::State::kOpen && !s->recvArmed) armRecv(s);
}

void UringBackend::useFileSlot(Session* s) {
  if (!files_.enabled()) return;
  s->slot = files_.add(s->fd);
  c_.syscalls.add();
}

void UringBackend::armRecv(Session* s) {
  io_uring_sqe* e = sqe();
  prepMultishotRecv(e, s->fd, kBufferGroup, tag(Op::kRecv, s->id));
  onSocket(e, s);
  s->recvArmed = true;
  s->recvCancelling = false;
}

void UringBackend::cancelRecv(Session* s) {
  if (!s->recvArmed || s->recvCancelling) return;
  prepCancelUserData(sqe(), tag(Op::kRecv, s->id), tag(Op::kCancel, s->id));
  s->recvCancelling = true;
}

void UringBackend::queueRearm(Session* s) {
  if (s->rearmQueued) return;
  s->rearmQueued = true;
  rearm_.push_back(s->id);
}

void UringBackend::onRecv(SessionId id, int res, uint32_t flags) {
  Session* s = findAny(id);
  if (flags & IORING_CQE_F_BUFFER) {
    uint16_t bufferId = uint16_t(flags >> IORING_CQE_BUFFER_SHIFT);
    if (s && res > 0 && s->state == Session::State::kOpen) {
      if (s->readPaused) {
        hold(s, bufs_.data(bufferId), size_t(res));  // landed after PAUSE_READ: kept until RESUME_READ
      } else {
        deliver(s, bufs_.data(bufferId), size_t(res));
      }
    }
    bufs_.give(bufferId);  // its bytes are parsed (frames copied out, a partial frame kept by the parser)
    bufs_.publish();
  }
  if (!s) return;
  if (flags & IORING_CQE_F_MORE) return;
  s->recvArmed = false;
  s->recvCancelling = false;
  if (s->state == Session::State::kClosed) {
    maybeFree(s);
    return;
  }
  if (res == -ENOBUFS) {
    c_.uringBufRingEmpty.add();  // bytes stay in the socket; re-armed after this pass returned buffers
    if (wantsRead(s)) queueRearm(s);
    return;
  }
  if (res == 0 && s->state != Session::State::kDraining) {
    closeSession(s, CloseReason::kPeerClosed, 0);
    return;
  }
  if (res < 0 && res != -ECANCELED) {
    closeSession(s, reasonFor(-res), uint32_t(-res));
    return;
  }
  if (wantsRead(s)) queueRearm(s);  // multishot ended (or a pause was undone before the cancel landed)
}

void UringBackend::hold(Session* s, const uint8_t* data, size_t len) {
  c_.bytesIn.add(len);
  if (s->held.empty()) c_.recvBuffersHeld.add();
  s->held.insert(s->held.end(), data, data + len);
}

bool UringBackend::deliverHeld(Session* s) {
  if (s->held.empty()) return true;
  SessionId id = s->id;
  std::vector<uint8_t> bytes;
  bytes.swap(s->held);
  c_.recvBuffersHeld.sub();
  c_.bytesIn.sub(bytes.size());  // counted when held
  deliver(s, bytes.data(), bytes.size());
  return findOpen(id) != nullptr;  // s may be gone
}

void UringBackend::deliver(Session* s, uint8_t* data, size_t len) {
  c_.bytesIn.add(len);
  bool held = s->parser.midFrame();
  InputVerdict v = s->protocol.receive(s->parser, s->id, data, len, cfg_, now_, ev_, c_, rawSink(s));
  afterInput(s, v, held);
}

void UringBackend::afterInput(Session* s, InputVerdict v, bool held) {
  bool holds = s->parser.midFrame();
  if (holds != held) {
    if (holds) {
      c_.recvBuffersHeld.add();
    } else {
      c_.recvBuffersHeld.sub();
    }
  }
  if (v.close != CloseReason::kNone) {
    if (v.drain) {
      close(s->id, v.close);  // after the queued Close frame / HTTP reply
    } else {
      closeSession(s, v.close, 0);
    }
    return;
  }
  rewatch(s);
}

void UringBackend::httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) {
  Session* s = findOpen(id);
  if (!s || s->state != Session::State::kOpen || !s->protocol.awaitingReply()) return;
  now_ = monotonicMs();
  queueRaw(s, reply, length);
  if (after != CloseReason::kNone) {
    close(id, after);
    return;
  }
  InputVerdict v = s->protocol.upgrade(s->parser, s->id, cfg_, now_, ev_, c_, rawSink(s));
  afterInput(s, v, s->parser.midFrame());
}

}  // namespace fastport::uring
