// io_uring engine: sends through registered send slices (WRITE_FIXED, one in flight per session, a slice
// released on completion, short sends resubmitted, pool exhaustion queues the session).
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "core/clock.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) {
  Session* s = findOpen(id);
  if (!s || s->state == Session::State::kDraining || !s->protocol.acceptsFrames()) {
    c_.sendsDropped.add();
    return;
  }
  c_.framesOut.add(frameCount);
  uint8_t header[ws::kMaxServerHeaderBytes];
  if (size_t n = s->protocol.messageHeader(length, header)) queueBytes(s, header, n);
  queueBytes(s, frames, length);
  if (!s->watermark.queued(s->pending(), cfg_, ev_, id)) {
    closeSession(s, CloseReason::kBackpressure, 0);
    return;
  }
  markDirty(s);
  rewatch(s);
}

void UringBackend::flush() {
  if (!ensureEnabled()) return;
  if (!dirty_.empty()) now_ = monotonicMs();
  afterPass();  // starts the dirty sessions' sends
}

void UringBackend::startDirtySends() {
  if (dirty_.empty()) return;
  flushing_.swap(dirty_);
  for (SessionId id : flushing_) {
    Session* s = findOpen(id);
    if (!s) continue;
    s->dirty = false;
    startSend(s);
  }
  flushing_.clear();
}

void UringBackend::queueBytes(Session* s, const uint8_t* data, size_t len) {
  if (s->pending() == 0) s->sendProgressMs = now_ ? now_ : monotonicMs();
  c_.sendBytesPending.add(len);
  size_t taken = appendToSlice(s, data, len);
  if (taken < len) s->queue.append(pool_, data + taken, len - taken);
}

void UringBackend::queueRaw(Session* s, const uint8_t* data, size_t len) {
  queueBytes(s, data, len);
  markDirty(s);
  rewatch(s);
}

size_t UringBackend::appendToSlice(Session* s, const uint8_t* data, size_t len) {
  if (s->sendInFlight || !s->queue.empty()) return 0;
  if (s->slice.first < 0) {
    if (!sliceWaiters_.empty()) return 0;
    size_t want = (len + slices_.sliceBytes() - 1) / slices_.sliceBytes();
    s->slice = slices_.acquire(unsigned(want < kMaxSliceRun ? want : kMaxSliceRun));
    if (s->slice.first < 0) return 0;
  }
  size_t room = runBytes(s) - s->sliceLen;
  size_t take = len < room ? len : room;
  std::memcpy(slices_.data(s->slice.first) + s->sliceLen, data, take);
  s->sliceLen += uint32_t(take);
  return take;
}

void UringBackend::startSend(Session* s) {
  if (s->sendInFlight || s->state == Session::State::kConnecting || s->state == Session::State::kClosed) {
    return;
  }
  if (s->slice.first < 0) {
    if (s->queue.empty()) {
      if (s->state == Session::State::kDraining) finishDrain(s);
      return;
    }
    // Behind sessions already waiting for a slice (unless this is one of them being served). A backlog
    // larger than a slice takes a run of adjacent slices when they are free: one write carries it all.
    if (sliceWaiters_.empty() || servingWaiters_) {
      size_t want = (s->queue.pending() + slices_.sliceBytes() - 1) / slices_.sliceBytes();
      s->slice = slices_.acquire(unsigned(want < kMaxSliceRun ? want : kMaxSliceRun));
    }
    if (s->slice.first < 0) {
      if (!s->waitingSlice) {
        s->waitingSlice = true;
        sliceWaiters_.push_back(s->id);
      }
      return;
    }
  }
  if (s->sliceSent == s->sliceLen) {
    s->sliceSent = s->sliceLen = 0;
  }
  size_t room = runBytes(s) - s->sliceLen;
  while (room > 0 && !s->queue.empty()) {
    ByteSlice parts[kGatherSlices];
    size_t n = s->queue.gather(parts, kGatherSlices, room);
    size_t copied = 0;
    uint8_t* dst = slices_.data(s->slice.first) + s->sliceLen;
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(dst + copied, parts[i].data, parts[i].len);
      copied += parts[i].len;
    }
    s->queue.consume(pool_, copied);  // the bytes now live in the slice until the kernel takes them
    s->sliceLen += uint32_t(copied);
    room -= copied;
    if (copied == 0) break;
  }
  if (s->sliceLen == s->sliceSent) {
    releaseSlice(s);
    if (s->state == Session::State::kDraining) finishDrain(s);
    return;
  }
  submitSliceWrite(s);
}

void UringBackend::submitSliceWrite(Session* s) {
  io_uring_sqe* e = sqe();
  const uint8_t* from = slices_.data(s->slice.first) + s->sliceSent;
  uint32_t len = uint32_t(s->sliceLen - s->sliceSent);
  if (slices_.registered())
    prepWriteFixed(e, s->fd, from, len, SendSlices::kBufferIndex, tag(Op::kSend, s->id));
  else
    prepWrite(e, s->fd, from, len, tag(Op::kSend, s->id));
  onSocket(e, s);
  s->sendInFlight = true;
}

void UringBackend::onSend(SessionId id, int res) {
  Session* s = findAny(id);
  if (!s) return;
  s->sendInFlight = false;
  if (s->state == Session::State::kClosed) {
    releaseSlice(s);
    maybeFree(s);
    return;
  }
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) {
      submitSliceWrite(s);
      return;
    }
    closeSession(s, reasonFor(-res), uint32_t(-res));
    return;
  }
  s->sliceSent += uint32_t(res);
  c_.bytesOut.add(uint64_t(res));
  c_.sendBytesPending.sub(uint64_t(res));
  if (res > 0) s->sendProgressMs = now_;
  s->watermark.sent(s->pending(), cfg_, ev_, id);
  if (s->sliceSent < s->sliceLen) {
    submitSliceWrite(s);  // short send: the rest of the slice goes next
    return;
  }
  // The run goes back: done, or the next write takes a run sized for what is left, behind any sessions
  // waiting for a slice.
  releaseSlice(s);
  startSend(s);
}

void UringBackend::releaseSlice(Session* s) {
  if (s->slice.first < 0) return;
  slices_.giveBack(s->slice);
  s->slice = SliceRun{};
  s->sliceLen = s->sliceSent = 0;
}

void UringBackend::serveSliceWaiters() {
  servingWaiters_ = true;
  size_t i = 0;
  for (; i < sliceWaiters_.size() && slices_.anyFree(); ++i) {
    Session* s = findOpen(sliceWaiters_[i]);
    if (!s || !s->waitingSlice) continue;
    s->waitingSlice = false;
    startSend(s);
  }
  if (i > 0) sliceWaiters_.erase(sliceWaiters_.begin(), sliceWaiters_.begin() + long(i));
  servingWaiters_ = false;
}

void UringBackend::finishDrain(Session* s) {
  ::shutdown(s->fd, SHUT_WR);
  c_.syscalls.add();
  // Discard unread input (until EAGAIN, bounded) so close() sends FIN, not RST: an RST would make the
  // kernel drop the bytes just sent that the peer has not received yet.
  static thread_local uint8_t scratch[64 * 1024];
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::read(s->fd, scratch, sizeof scratch);
    c_.syscalls.add();
    if (n < ssize_t(sizeof scratch)) break;
  }
  closeSession(s, s->drainReason, 0);
}

void UringBackend::writeDirect(Session* s) {
  if (s->slice.first >= 0 && s->sliceLen > s->sliceSent) {
    ssize_t n = ::send(s->fd, slices_.data(s->slice.first) + s->sliceSent, s->sliceLen - s->sliceSent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    c_.syscalls.add();
    if (n <= 0 || uint32_t(n) < s->sliceLen - s->sliceSent) return;
  }
  while (!s->queue.empty()) {
    ByteSlice part;
    if (s->queue.gather(&part, 1) == 0) break;
    ssize_t n = ::send(s->fd, part.data, part.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    c_.syscalls.add();
    if (n <= 0) break;
    s->queue.consume(pool_, size_t(n));
    if (size_t(n) < part.len) break;
  }
}

}  // namespace fastport::uring
