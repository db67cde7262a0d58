// io_uring engine: sends through registered send slices (WRITE_FIXED, one in flight per session, a run
// released on completion, short sends resubmitted, pool exhaustion queues the session). The bytes come
// from the core's send queue; what the kernel took is reported with SessionCore::sent.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "posix/io_error.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::flush() {
  if (!ensureEnabled()) return;
  afterPass();  // starts the dirty sessions' sends
}

void UringBackend::startSend(CoreSession& cs) {
  UringSession& s = as(cs);
  if ((s.inFlight & kSendRunning) || s.state == SessionState::kConnecting || s.closed()) return;
  if (!fillRun(s)) return;  // waits for a slice
  if (s.sliceLen == s.sliceSent) {
    releaseSlice(s);
    core_.sendIdle(s);
    return;
  }
  submitSliceWrite(s);
}

bool UringBackend::fillRun(UringSession& s) {
  if (s.run.first < 0) {
    if (s.queue.empty()) return true;
    // Behind sessions already waiting for a slice (unless this is one of them being served). A backlog
    // larger than a slice takes a run of adjacent slices when they are free: one write carries it all.
    if (sliceWaiters_.empty() || servingWaiters_) {
      size_t want = (s.queue.pending() + slices_.sliceBytes() - 1) / slices_.sliceBytes();
      s.run = slices_.acquire(unsigned(want < kMaxSliceRun ? want : kMaxSliceRun));
    }
    if (s.run.first < 0) {
      if (!(s.lists & kWaitingSlice)) {
        s.lists |= kWaitingSlice;
        sliceWaiters_.push_back(SessionSlab::handleOf(s));
      }
      return false;
    }
  }
  if (s.sliceSent == s.sliceLen) s.sliceSent = s.sliceLen = 0;
  size_t room = runBytes(s) - s.sliceLen;
  while (room > 0 && !s.queue.empty()) {
    ByteSlice parts[kGatherSlices];
    size_t n = s.queue.gather(parts, kGatherSlices, room);
    size_t copied = 0;
    uint8_t* dst = slices_.data(s.run.first) + s.sliceLen;
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(dst + copied, parts[i].data, parts[i].len);
      copied += parts[i].len;
    }
    s.queue.consume(core_.pool(), copied);  // the bytes now live in the run until the kernel takes them
    s.sliceLen += uint32_t(copied);
    room -= copied;
    if (copied == 0) break;
  }
  return true;
}

void UringBackend::submitSliceWrite(UringSession& s) {
  io_uring_sqe* e = sqe();
  const uint8_t* from = slices_.data(s.run.first) + s.sliceSent;
  uint32_t len = uint32_t(s.sliceLen - s.sliceSent);
  uint64_t userData = tag(Op::kSend, SessionSlab::handleOf(s));
  if (slices_.registered()) {
    prepWriteFixed(e, s.fd, from, len, SendSlices::kBufferIndex, userData);
  } else {
    prepWrite(e, s.fd, from, len, userData);
  }
  onSocket(e, s);
  s.inFlight |= kSendRunning;
}

void UringBackend::onSend(UringSession& s, int res) {
  s.inFlight &= uint8_t(~kSendRunning);
  if (s.closed()) {
    releaseSlice(s);
    maybeFree(s);
    return;
  }
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) {
      submitSliceWrite(s);
    } else {
      core_.closeSession(s, ioFailure(-res), uint32_t(-res));
    }
    return;
  }
  s.sliceSent += uint32_t(res);
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  core_.sent(s, size_t(res));  // may resume reading, and parked input may close the session
  if (!core_.at(h) || s.closed()) return;
  if (s.sliceSent < s.sliceLen) {
    submitSliceWrite(s);  // short send: the rest of the run goes next
    return;
  }
  // The run goes back: done, or the next write takes a run sized for what is left, behind any sessions
  // waiting for a slice.
  releaseSlice(s);
  startSend(s);
}

void UringBackend::releaseSlice(UringSession& s) {
  if (s.run.first < 0) return;
  slices_.giveBack(s.run);
  s.run = SliceRun{};
  s.sliceLen = s.sliceSent = 0;
}

void UringBackend::serveSliceWaiters() {
  servingWaiters_ = true;
  size_t i = 0;
  for (; i < sliceWaiters_.size() && slices_.anyFree(); ++i) {
    UringSession* s = sessionAt(sliceWaiters_[i]);
    if (!s || s->closed() || !(s->lists & kWaitingSlice)) continue;
    s->lists &= uint8_t(~kWaitingSlice);
    startSend(*s);
  }
  if (i > 0) sliceWaiters_.erase(sliceWaiters_.begin(), sliceWaiters_.begin() + long(i));
  servingWaiters_ = false;
}

void UringBackend::sendNow(CoreSession& cs) {
  UringSession& s = as(cs);
  if (s.inFlight & kSendRunning) return;  // a direct write would overtake the bytes in flight
  size_t written = 0;
  if (s.run.first >= 0 && s.sliceLen > s.sliceSent) {
    ssize_t n = ::send(s.fd, slices_.data(s.run.first) + s.sliceSent, s.sliceLen - s.sliceSent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    c_.syscalls.add();
    if (n > 0) written += size_t(n);
    if (n <= 0 || uint32_t(n) < s.sliceLen - s.sliceSent) {
      core_.sent(s, written);
      return;
    }
  }
  while (!s.queue.empty()) {
    ByteSlice part;
    if (s.queue.gather(&part, 1) == 0) break;
    ssize_t n = ::send(s.fd, part.data, part.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    c_.syscalls.add();
    if (n <= 0) break;
    s.queue.consume(core_.pool(), size_t(n));
    written += size_t(n);
    if (size_t(n) < part.len) break;
  }
  core_.sent(s, written);
}

}  // namespace fastport::uring
