// io_uring engine: sends, one in flight per session. A SEND's bytes, borrowed from the command log until the
// flush ends, go out as a SEND / SENDMSG with MSG_DONTWAIT: the kernel runs it during the flush's submit
// (never waits for socket space), its completion is handled at once, and only what the kernel did not take
// is copied into the send queue's blocks (then sent with POLL_FIRST: the socket was full). Bytes the queue
// owns: a backlog that fits one registered send slice is copied into a free slice and written with
// WRITE_FIXED (the slice goes back on completion); a larger backlog, or any when no slice is free, goes out
// as a SENDMSG straight over the queue's blocks, consumed only when the kernel reports what it took (delayed
// consume). Short sends resubmit the rest. What the kernel took is reported with SessionCore::sent.
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
  if (s.queue.empty() && s.run.first < 0) {
    core_.sendIdle(s);
    return;
  }
  if (s.queue.borrowing() && s.run.first < 0) {
    if (settling_) {
      resend_.push_back(SessionSlab::handleOf(s));  // the rest of a short send, once it is adopted
    } else {
      submitQueueSend(s, SendWait::kNever);
    }
    return;
  }
  if (s.run.first < 0 && !takeSlice(s)) {
    submitQueueSend(s, SendWait::kPoll);
    return;
  }
  fillSlice(s);
  if (s.sliceLen == s.sliceSent) {
    releaseSlice(s);
    core_.sendIdle(s);
    return;
  }
  submitSliceWrite(s);
}

bool UringBackend::takeSlice(UringSession& s) {
  if (s.queue.pending() > slices_.sliceBytes()) return false;
  ByteSlice parts[2];
  if (s.queue.gather(parts, 2) == 1) return false;  // one piece goes out as it is: copying it gains nothing
  s.run = slices_.acquire(1);
  return s.run.first >= 0;
}

void UringBackend::fillSlice(UringSession& s) {
  size_t room = slices_.sliceBytes() - s.sliceLen;
  while (room > 0 && !s.queue.empty()) {
    ByteSlice parts[kGatherSlices];
    size_t n = s.queue.gather(parts, kGatherSlices, room);
    size_t copied = 0;
    uint8_t* dst = slices_.data(s.run.first) + s.sliceLen;
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(dst + copied, parts[i].data, parts[i].len);
      copied += parts[i].len;
    }
    s.queue.consume(core_.pool(), copied);  // the bytes now live in the slice until the kernel takes them
    s.sliceLen += uint32_t(copied);
    room -= copied;
    if (copied == 0) break;
  }
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

void UringBackend::submitQueueSend(UringSession& s, SendWait wait) {
  if (!s.queueSend) s.queueSend = queueSends_.take();
  QueueSend& q = *s.queueSend;
  q.gather(s.queue);
  q.noWait = wait == SendWait::kNever;
  uint32_t flags = MSG_NOSIGNAL | (q.noWait ? MSG_DONTWAIT : 0);
  uint16_t ioprio = wait == SendWait::kPollFirst ? IORING_RECVSEND_POLL_FIRST : 0;
  uint64_t userData = tag(Op::kSend, SessionSlab::handleOf(s));
  io_uring_sqe* e = sqe();
  if (q.msg.msg_iovlen == 1 && q.iov[0].iov_len <= UINT32_MAX) {
    prepSend(e, s.fd, q.iov[0].iov_base, uint32_t(q.iov[0].iov_len), flags, ioprio, userData);  // no msghdr
  } else {
    prepSendMsg(e, s.fd, &q.msg, flags, ioprio, userData);
  }
  onSocket(e, s);
  s.inFlight |= kSendRunning;
  if (q.noWait) noWaitSends_.push_back(SessionSlab::handleOf(s));
}

void UringBackend::sendsStarted() {
  if (noWaitSends_.empty()) return;
  submit();
  settleNoWaitSends();
}

void UringBackend::settleNoWaitSends() {
  settling_ = true;
  // Round 0 finds the completions the submit posted; round 1 also moves overflowed ones into the CQ; later
  // rounds are the guard (a kernel that let one wait: cancel it, and wait until the kernel let go).
  for (int round = 0; !takeNoWaitCompletions(); ++round) {
    if (round == 0) {
      ring_.enter(true);
    } else {
      if (round == 1) cancelUnsettledSends();
      ring_.enter(true, 1);
    }
  }
  noWaitSends_.clear();
  settling_ = false;
}

bool UringBackend::takeNoWaitCompletions() {
  io_uring_cqe batch[kReapBatch];
  unsigned n;
  while ((n = ring_.reap(batch, kReapBatch)) > 0) backlog_.insert(backlog_.end(), batch, batch + n);
  std::vector<io_uring_cqe> scan;
  scan.swap(backlog_);
  size_t kept = 0;
  for (const io_uring_cqe& c : scan) {
    UringSession* s = opOf(c.user_data) == Op::kSend ? sessionAt(c.user_data) : nullptr;
    if (s && s->queueSend && s->queueSend->noWait) {
      onSend(*s, c.res);  // out of turn: the rest of the queue waits for what this one took
    } else {
      scan[kept++] = c;
    }
  }
  scan.resize(kept);
  scan.insert(scan.end(), backlog_.begin(), backlog_.end());  // stashed while handling: newer
  backlog_.swap(scan);
  for (SessionSlab::Handle h : noWaitSends_) {
    UringSession* s = sessionAt(h);
    if (s && s->queueSend && s->queueSend->noWait) return false;
  }
  return true;
}

void UringBackend::cancelUnsettledSends() {
  for (SessionSlab::Handle h : noWaitSends_) {
    UringSession* s = sessionAt(h);
    if (!s || !s->queueSend || !s->queueSend->noWait) continue;
    prepCancelUserData(sqe(), tag(Op::kSend, h), tag(Op::kCancel, 0));
  }
  submit();
}

void UringBackend::resendAfterFullSocket() {
  for (SessionSlab::Handle h : resend_) {
    UringSession* s = sessionAt(h);
    if (!s) continue;
    if ((s->inFlight & kSendRunning) || s->closed() || s->queue.empty() || s->queue.borrowing()) {
      startSend(*s);  // nothing for a full socket any more (sent, closed or idle)
    } else {
      submitQueueSend(*s, SendWait::kPollFirst);
    }
  }
  resend_.clear();
}

void UringBackend::onSend(UringSession& s, int res) {
  s.inFlight &= uint8_t(~kSendRunning);
  bool noWait = s.queueSend && s.queueSend->noWait;
  if (noWait) s.queueSend->noWait = false;
  if (s.closed()) {
    releaseSlice(s);
    queueSends_.giveBack(s.queueSend);
    s.queueSend = nullptr;
    maybeFree(s);  // the queue's blocks go with the session, now that the kernel is done with them
    return;
  }
  if (noWait && (res == -EAGAIN || res == -EINTR)) {
    queueSends_.giveBack(s.queueSend);  // the socket is full: the whole rest goes once it is adopted
    s.queueSend = nullptr;
    resend_.push_back(SessionSlab::handleOf(s));
    return;
  }
  if (res == -EINTR || res == -EAGAIN) {
    if (s.queueSend) {
      submitQueueSend(s, SendWait::kPoll);
    } else {
      submitSliceWrite(s);
    }
    return;
  }
  if (res < 0) {
    core_.closeSession(s, ioFailure(-res), uint32_t(-res));
    return;
  }
  if (s.queueSend) {
    onQueueSent(s, res);
  } else {
    onSliceSent(s, res);
  }
}

void UringBackend::onSliceSent(UringSession& s, int res) {
  s.sliceSent += uint32_t(res);
  // Done with the slice: it goes back, and the next send picks a slice or the queue for what is left.
  if (s.sliceSent == s.sliceLen) releaseSlice(s);
  sendProgressed(s, size_t(res));
}

void UringBackend::onQueueSent(UringSession& s, int res) {
  s.queue.consume(core_.pool(), size_t(res));
  queueSends_.giveBack(s.queueSend);
  s.queueSend = nullptr;
  sendProgressed(s, size_t(res));
}

void UringBackend::sendProgressed(UringSession& s, size_t bytes) {
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  core_.sent(s, bytes);  // may resume reading, and parked input may close the session
  if (!core_.at(h) || s.closed()) return;
  if (s.run.first >= 0) {
    submitSliceWrite(s);  // short send: the rest of the slice goes next
    return;
  }
  startSend(s);
}

void UringBackend::releaseSlice(UringSession& s) {
  if (s.run.first < 0) return;
  slices_.giveBack(s.run);
  s.run = SliceRun{};
  s.sliceLen = s.sliceSent = 0;
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
