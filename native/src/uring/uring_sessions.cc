// io_uring engine: the session table, deadlines (frame / send stall), close / abort / shutdown.
#include <unistd.h>

#include "core/clock.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"

namespace fastport::uring {

void UringBackend::close(SessionId id, CloseReason reason) {
  Session* s = findOpen(id);
  if (!s || s->state == Session::State::kDraining) return;
  uint8_t closeFrame[ws::kMaxCloseFrameBytes];
  if (size_t n = s->protocol.closeFrame(reason, closeFrame)) queueRaw(s, closeFrame, n);
  if (s->state == Session::State::kConnecting || s->pending() == 0) {
    closeSession(s, reason, 0);
    return;
  }
  s->state = Session::State::kDraining;
  s->drainReason = reason;
  cancelRecv(s);  // reading stops now
  markDirty(s);
  rewatch(s);
}

void UringBackend::abort(SessionId id, CloseReason reason) {
  if (Session* s = findOpen(id)) closeSession(s, reason, 0);
}

void UringBackend::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  for (auto& [id, l] : listeners_) ::close(l.fd);
  listeners_.clear();
  now_ = monotonicMs();
  std::vector<SessionId> ids;
  ids.reserve(sessions_.size());
  for (auto& [id, s] : sessions_) {
    if (s->state != Session::State::kClosed) ids.push_back(id);
  }
  for (SessionId id : ids) {
    Session* s = findOpen(id);
    if (!s) continue;
    uint8_t closeFrame[ws::kMaxCloseFrameBytes];
    if (size_t n = s->protocol.closeFrame(CloseReason::kShutdown, closeFrame)) queueBytes(s, closeFrame, n);
    if (s->state != Session::State::kConnecting && !s->sendInFlight) writeDirect(s);  // best effort
    closeSession(s, CloseReason::kShutdown, 0);
  }
  cancelEverything();
  // Whatever the kernel did not give back in time: its sockets live on until the ring is closed.
  for (auto& [id, s] : sessions_) {
    files_.remove(s->slot);  // the slot would keep the socket open
    if (s->fd >= 0) ::close(s->fd);
    s->fd = -1;
    releaseSlice(s.get());
  }
  sessions_.clear();
  syncCounters();
  if (enabled_) ring_.unregisterRingFd();  // on the loop thread, which registered it
}

Session* UringBackend::addSession(SessionId id, int fd) {
  auto owned = std::make_unique<Session>();
  Session* s = owned.get();
  s->id = id;
  s->fd = fd;
  sessions_.emplace(id, std::move(owned));
  c_.sessions.add();
  ++openSessions_;
  return s;
}

Session* UringBackend::findAny(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

Session* UringBackend::findOpen(SessionId id) {
  Session* s = findAny(id);
  return (s && s->state != Session::State::kClosed) ? s : nullptr;
}

void UringBackend::markDirty(Session* s) {
  if (s->dirty) return;
  s->dirty = true;
  dirty_.push_back(s->id);
}

bool UringBackend::needsWatch(const Session* s) const {
  if (s->state == Session::State::kDraining) return true;
  if (cfg_.frameTimeoutMs && s->protocol.inputPending(s->parser)) return true;
  return cfg_.sendStallMs && s->pending() > 0;
}

void UringBackend::rewatch(Session* s) {
  if (s->watched || !needsWatch(s)) return;
  s->watched = true;
  watch_.push_back(s->id);
}

void UringBackend::checkDeadlines(Session* s) {
  if (s->state == Session::State::kConnecting) return;
  if (cfg_.sendStallMs && s->pending() > 0 && now_ - s->sendProgressMs >= cfg_.sendStallMs) {
    closeSession(s, CloseReason::kSendStalled, 0);
    return;
  }
  if (cfg_.frameTimeoutMs && s->protocol.inputPending(s->parser) && !s->readPaused &&
      s->state == Session::State::kOpen) {
    uint64_t started = s->protocol.inputStartedMs(s->parser);
    uint64_t since = started > s->resumedMs ? started : s->resumedMs;
    if (now_ - since >= cfg_.frameTimeoutMs) closeSession(s, CloseReason::kFrameTimeout, 0);
  }
}

void UringBackend::closeSession(Session* s, CloseReason reason, uint32_t err) {
  if (s->state == Session::State::kClosed) return;
  s->state = Session::State::kClosed;
  if (s->parser.midFrame()) c_.recvBuffersHeld.sub();
  s->parser.reset();
  s->protocol.reset();
  if (!s->held.empty()) c_.recvBuffersHeld.sub();
  std::vector<uint8_t>().swap(s->held);
  c_.sendBytesPending.sub(s->pending());
  s->queue.clear(pool_);
  if (!s->sendInFlight) releaseSlice(s);
  ev_.close(s->id, reason, err);
  c_.closed.add();
  c_.sessions.sub();
  --openSessions_;
  ctx_.budget->release();
  if (s->inFlight() && s->fd >= 0 && enabled_ && !shutDown_) {
    io_uring_sqe* e = sqe();
    prepCancelFd(e, s->fd, tag(Op::kCancel, s->id));
    if (s->slot >= 0) {
      e->fd = s->slot;  // requests on a fixed file are found by their slot
      e->cancel_flags |= IORING_ASYNC_CANCEL_FD_FIXED;
    }
  }
  maybeFree(s);
}

void UringBackend::maybeFree(Session* s) {
  if (s->state != Session::State::kClosed || s->inFlight()) return;
  if (s->slot >= 0) {
    files_.remove(s->slot);
    c_.syscalls.add();
  }
  if (s->fd >= 0) {
    ::close(s->fd);
    c_.syscalls.add();
  }
  releaseSlice(s);
  sessions_.erase(s->id);  // s is gone from here on
}

}  // namespace fastport::uring
