#include "core/session_core.h"

#include <cstring>

#include "core/clock.h"
#include "core/frame_delivery.h"

namespace fastport {

SessionCore::SessionCore(const SessionCoreEnv& env, SessionIo& io)
    : env_(env), cfg_(*env.config), ev_(*env.events), c_(*env.counters), io_(io) {}

// --- sessions ---

CoreSession* SessionCore::add(SessionId id) {
  CoreSession* s = slab_.insert(io_.newSession());
  s->id = id;
  byId_[id] = SessionSlab::handleOf(*s);
  c_.sessions.add();
  ++open_;
  return s;
}

bool SessionCore::admitConnect(SessionId id) {
  if (admit()) return true;
  ev_.close(id, CloseReason::kConnectionLimit, 0);
  c_.closed.add();
  c_.refused.add();
  return false;
}

void SessionCore::connectFailedEarly(SessionId id, CloseReason reason, uint32_t err) {
  env_.budget->release();
  ev_.close(id, reason, err);
  c_.closed.add();
}

CoreSession* SessionCore::find(SessionId id) {
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : slab_.at(it->second);
}

void SessionCore::release(CoreSession& s) {
  s.queue.clear(pool_);
  slab_.erase(&s);  // s is gone from here on
}

// --- what the engine reports ---

void SessionCore::opened(CoreSession& s, uint32_t listenerId, std::string_view remote) {
  s.state = SessionState::kOpen;
  s.connectDeadlineMs = 0;
  if (listenerId && cfg_.websocket) s.wire.sniff();
  ev_.open(s.id, listenerId, remote);  // not kept: an open session holds no address
  if (listenerId) {
    c_.accepted.add();
  } else {
    c_.connected.add();
  }
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  io_.readInterestChanged(s);
  CoreSession* still = slab_.at(h);
  if (still && !still->closed() && still->pendingBytes > 0) io_.startSend(*still);
}

bool SessionCore::received(CoreSession& s, const uint8_t* data, size_t len) {
  c_.bytesIn.add(len);
  if (!s.protocol) {
    // The engine's own read buffer (see the header): unmasked in place for WebSocket.
    uint8_t* bytes = const_cast<uint8_t*>(data);
    return afterWire(s, s.wire.receive(s.parser, s.id, bytes, len, cfg_, now_, ev_, c_, RawSink{this, &s}));
  }
  wire_.clear();
  reply_.clear();
  CloseReason bad = s.protocol->inbound(data, len, wire_, reply_);
  if (bad != CloseReason::kNone) {
    closeSession(s, bad, 0);
    return false;
  }
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  if (!reply_.empty()) {
    queueBytes(s, reply_.data(), reply_.size());
    CoreSession* still = slab_.at(h);
    if (!still || still->closed()) return false;
  }
  return wire_.empty() || deliver(s, wire_.data(), wire_.size());
}

bool SessionCore::readsFastPortFrames(const CoreSession& s) {
  return !s.protocol && s.wire.mode() == WireProtocol::Mode::kFastPort && s.wantsRead();
}

BodyRoom SessionCore::receiveRoom(CoreSession& s) {
  if (!readsFastPortFrames(s)) return {};
  return s.parser.bodyRoom();
}

bool SessionCore::receivedInRoom(CoreSession& s, size_t n) {
  c_.bytesIn.add(n);
  deliverBodyReceived(s.parser, s.id, n, ev_, c_.framesIn);
  return afterWire(s, InputVerdict{});
}

BodyRoom SessionCore::batchRoom(CoreSession& s, size_t most) {
  if (!readsFastPortFrames(s) || s.parser.midFrame()) return {};
  if (uint32_t detach = ev_.detachesFrom()) {
    // A read shorter than a detached frame's header and payload completes none: every whole frame in it
    // stays in the record. Below a few KiB detached frames are the norm: the engine's own buffer then.
    if (detach < kMinBatchRoomBytes) return {};
    size_t below = size_t(detach) + kWireHeaderBytes - 1;
    if (below < most) most = below;
  }
  return {ev_.framesRoom(most), most, 0, 0};
}

bool SessionCore::receivedInBatch(CoreSession& s, size_t n) {
  c_.bytesIn.add(n);
  uint8_t* data = ev_.framesRoom(n);  // where the bytes were received (nothing was written since)
  WireRun run = leadingWireFrames(data, n, cfg_.maxFrameBytes);
  // What follows the whole frames first: an incomplete frame the parser keeps (a copy of its start, no
  // record: it completes no frame) or a bad header. The record's padding may overwrite it afterwards.
  CloseReason bad = CloseReason::kNone;
  if (run.bytes < n) {
    bad = deliverFrames(s.parser, s.id, data + run.bytes, n - run.bytes, cfg_.maxFrameBytes, now_, ev_,
                        c_.framesIn);
  }
  if (run.frames) {
    ev_.commitFrames(s.id, run.frames, run.bytes);
    c_.framesIn.add(run.frames);
  }
  if (bad != CloseReason::kNone) {
    closeSession(s, bad, 0);
    return false;
  }
  return afterWire(s, InputVerdict{});
}

bool SessionCore::arrived(CoreSession& s, const uint8_t* data, size_t len) {
  if (s.state != SessionState::kOpen) return !s.closed();  // input after FIN or close(): dropped
  if (s.wantsRead()) return received(s, data, len);
  s.parked.append(data, len);
  countHeld(s);
  return true;
}

bool SessionCore::arrivedInBuffer(CoreSession& s, const uint8_t* data, size_t len) {
  if (s.parser.midFrame()) {
    size_t rest = readsFastPortFrames(s) ? s.parser.frameRest() : 0;  // 0: header incomplete, or not framed
    if (!rest || rest > len) return arrived(s, data, len);            // the frame does not end here
    if (!arrivedFrameEnd(s, data, rest)) return false;
    data += rest;
    len -= rest;
    if (!len) return true;
  }
  BodyRoom batch = batchRoom(s, len);
  if (!batch.len) return arrived(s, data, len);
  std::memcpy(batch.data, data, batch.len);
  if (!receivedInBatch(s, batch.len)) return false;
  return batch.len == len || arrived(s, data + batch.len, len - batch.len);
}

bool SessionCore::arrivedFrameEnd(CoreSession& s, const uint8_t* data, size_t n) {
  if (ev_.detaches(s.parser.framePayload())) return arrived(s, data, n);  // its block leaves uncopied
  c_.bytesIn.add(n);
  deliverFrameEnd(s.parser, s.id, data, n, ev_, c_.framesIn);
  return afterWire(s, InputVerdict{});
}

void SessionCore::readingResumed(CoreSession& s) {
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  if (s.wantsRead() && !s.parked.empty()) {
    ByteBuffer bytes;
    bytes.swap(s.parked);
    countHeld(s);
    if (!received(s, bytes.data(), bytes.size())) return;
    CoreSession* still = slab_.at(h);
    if (!still || still->closed()) return;
  }
  if (s.endParked && s.wantsRead()) {
    s.endParked = false;
    inputEnded(s);
    return;
  }
  io_.readInterestChanged(s);
}

bool SessionCore::deliver(CoreSession& s, const uint8_t* data, size_t len) {
  CloseReason bad = deliverFrames(s.parser, s.id, data, len, cfg_.maxFrameBytes, now_, ev_, c_.framesIn);
  if (bad != CloseReason::kNone) {
    closeSession(s, bad, 0);
    return false;
  }
  countHeld(s);
  return true;
}

bool SessionCore::afterWire(CoreSession& s, InputVerdict v) {
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  CoreSession* still = slab_.at(h);
  if (!still || still->closed()) return false;  // a queued reply hit the hard send limit
  countHeld(s);
  if (v.close != CloseReason::kNone) {
    if (v.drain) {
      close(s.id, v.close);  // after the queued Close frame / HTTP reply
    } else {
      closeSession(s, v.close, 0);
    }
    return false;
  }
  rewatch(s);
  return true;
}

void SessionCore::httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) {
  CoreSession* s = find(id);
  if (!s || s->state != SessionState::kOpen || !s->wire.awaitingReply()) return;
  now_ = monotonicMs();
  queueBytes(*s, reply, length);
  if (find(id)) close(id, after);
}

// recvBuffersHeld counts sessions whose parser keeps part of a frame or that have parked bytes; the flag (not
// the parser's state, which a bad header resets) says whether this session is in the count, so closeSession()
// settles it.
void SessionCore::countHeld(CoreSession& s) {
  bool holds = s.parser.midFrame() || !s.parked.empty();
  if (holds == s.holdsCounted) return;
  s.holdsCounted = holds;
  if (holds) {
    c_.recvBuffersHeld.add();
    rewatch(s);
  } else {
    c_.recvBuffersHeld.sub();
  }
}

void SessionCore::inputEnded(CoreSession& s) {
  if (s.state != SessionState::kOpen) return;  // draining: input is dropped anyway
  if (!s.wantsRead()) {
    s.endParked = true;  // behind bytes parked while reading was off
    return;
  }
  s.state = SessionState::kInputEnded;
  s.drainReason = CloseReason::kPeerClosed;
  io_.readInterestChanged(s);
  rewatch(s);
}

void SessionCore::sent(CoreSession& s, size_t bytes) {
  s.pendingBytes -= bytes;
  c_.bytesOut.add(bytes);
  c_.sendBytesPending.sub(bytes);
  if (bytes > 0) s.sendProgressMs = now_ ? now_ : monotonicMs();
  s.watermark.sent(s.pendingBytes, cfg_, ev_, s.id);
  if (s.sendBacklogged && s.pendingBytes <= cfg_.sendSoftLimit / 2) {
    s.sendBacklogged = false;  // the peer reads again: so do we
    s.resumedMs = now_ ? now_ : monotonicMs();
    readingResumed(s);
  }
}

void SessionCore::sendIdle(CoreSession& s) {
  if (s.state == SessionState::kDraining) endGracefully(s);
}

void SessionCore::endGracefully(CoreSession& s) {
  SessionSlab::Handle h = SessionSlab::handleOf(s);
  io_.finishOutput(s);
  CoreSession* still = slab_.at(h);
  if (still && !still->closed()) closeSession(*still, still->drainReason, 0);
}

void SessionCore::closeSession(CoreSession& s, CloseReason reason, uint32_t err) {
  if (s.closed()) return;
  s.state = SessionState::kClosed;
  if (s.holdsCounted) c_.recvBuffersHeld.sub();
  s.holdsCounted = false;
  s.endParked = false;
  ByteBuffer().swap(s.parked);
  s.parser.reset();
  s.wire.reset();
  c_.sendBytesPending.sub(s.pendingBytes);
  s.pendingBytes = 0;
  ev_.close(s.id, reason, err);
  c_.closed.add();
  c_.sessions.sub();
  --open_;
  env_.budget->release();
  byId_.erase(s.id);
  io_.closed(s);  // may free s
}

// --- Backend commands ---

void SessionCore::close(SessionId id, CloseReason reason) {
  CoreSession* s = find(id);
  if (!s || s->state == SessionState::kDraining) return;
  uint8_t closeFrame[ws::kMaxCloseFrameBytes];
  if (size_t n = s->wire.closeFrame(reason, closeFrame)) {
    queueBytes(*s, closeFrame, n);
    if (!(s = find(id))) return;
  }
  if (s->state == SessionState::kConnecting) {
    closeSession(*s, reason, 0);
    return;
  }
  s->drainReason = reason;
  if (s->pendingBytes == 0) {
    // Everything went out already (perhaps in an earlier submit): FIN and drop unread input, as a drain's
    // end does, so the peer sees an orderly close and not a reset.
    endGracefully(*s);
    return;
  }
  s->state = SessionState::kDraining;
  io_.readInterestChanged(*s);  // reading stops now
  markDirty(*s);
  rewatch(*s);
}

void SessionCore::abort(SessionId id, CloseReason reason) {
  if (CoreSession* s = find(id)) closeSession(*s, reason, 0);
}

void SessionCore::pauseRead(SessionId id) {
  CoreSession* s = find(id);
  if (!s || s->readPaused) return;
  s->readPaused = true;
  io_.readInterestChanged(*s);
}

void SessionCore::resumeRead(SessionId id) {
  CoreSession* s = find(id);
  if (!s || !s->readPaused) return;
  s->readPaused = false;
  s->resumedMs = now_ = monotonicMs();
  readingResumed(*s);
}

void SessionCore::flush() {
  startDirtySends();
  io_.sendsStarted();
  adoptBorrowed();  // the borrowed bytes are valid until this returns
}

void SessionCore::startDirtySends() {
  if (dirty_.empty()) return;
  now_ = monotonicMs();
  flushing_.swap(dirty_);
  for (SessionSlab::Handle h : flushing_) {
    CoreSession* s = at(h);
    if (!s || s->closed()) continue;
    s->dirty = false;
    if (s->state == SessionState::kConnecting) continue;  // sent once connected
    if (s->pendingBytes > 0) {
      io_.startSend(*s);
    } else {
      sendIdle(*s);
    }
  }
  flushing_.clear();
}

void SessionCore::markDirty(CoreSession& s) {
  if (s.dirty) return;
  s.dirty = true;
  dirty_.push_back(SessionSlab::handleOf(s));
}

// --- deadlines ---

bool SessionCore::needsWatch(const CoreSession& s) const {
  if (s.state != SessionState::kOpen) return true;  // connect deadline, drain, half-closed peer
  if (cfg_.frameTimeoutMs && s.wire.inputPending(s.parser)) return true;
  return cfg_.sendStallMs && s.pendingBytes > 0;
}

void SessionCore::rewatch(CoreSession& s) {
  if (s.watched || s.closed() || !needsWatch(s)) return;
  s.watched = true;
  watch_.push_back(s.id);
}

void SessionCore::sweep(uint64_t nowMs, bool jsCaughtUp) {
  now_ = nowMs;
  if (watch_.empty()) return;
  sweeping_.swap(watch_);
  for (SessionId id : sweeping_) {
    CoreSession* s = find(id);
    if (!s) continue;
    s->watched = false;
    SessionSlab::Handle h = SessionSlab::handleOf(*s);
    checkDeadlines(*s, jsCaughtUp);
    CoreSession* still = slab_.at(h);
    if (still && !still->closed()) rewatch(*still);
  }
  sweeping_.clear();
}

void SessionCore::checkDeadlines(CoreSession& s, bool jsCaughtUp) {
  if (s.state == SessionState::kConnecting) {
    if (s.connectDeadlineMs && now_ >= s.connectDeadlineMs) {
      closeSession(s, CloseReason::kConnectTimeout, env_.timedOutErrno);
    }
    return;
  }
  if (cfg_.sendStallMs && s.pendingBytes > 0 && now_ - s.sendProgressMs >= cfg_.sendStallMs) {
    closeSession(s, CloseReason::kSendStalled, 0);
    return;
  }
  if (s.state == SessionState::kInputEnded) {
    // JS has seen every frame of the half-closed peer and what it answered went out: FIN, CLOSE.
    if (jsCaughtUp && s.pendingBytes == 0 && !s.dirty) endGracefully(s);
    return;
  }
  if (cfg_.frameTimeoutMs && s.wire.inputPending(s.parser) && s.wantsRead()) {
    uint64_t started = s.wire.inputStartedMs(s.parser);
    uint64_t since = started > s.resumedMs ? started : s.resumedMs;
    if (now_ - since >= cfg_.frameTimeoutMs) closeSession(s, CloseReason::kFrameTimeout, 0);
  }
}

void SessionCore::shutdown() {
  now_ = monotonicMs();
  std::vector<SessionId> ids;
  ids.reserve(byId_.size());
  for (auto& [id, h] : byId_) ids.push_back(id);
  for (SessionId id : ids) {
    CoreSession* s = find(id);
    if (!s) continue;
    uint8_t closeFrame[ws::kMaxCloseFrameBytes];
    if (size_t n = s->wire.closeFrame(CloseReason::kShutdown, closeFrame)) queueBytes(*s, closeFrame, n);
    if (!(s = find(id))) continue;
    if (s->state != SessionState::kConnecting && s->pendingBytes > 0) io_.sendNow(*s);  // best effort
    if ((s = find(id))) closeSession(*s, CloseReason::kShutdown, 0);
  }
}

}  // namespace fastport
