// SessionCore's outbound half: the SEND and BROADCAST commands, framing replies for the session's wire
// protocol, and the pending-bytes accounting that drives backpressure (docs/limits.md).
#include "core/clock.h"
#include "core/session_core.h"
#include "core/wire.h"

namespace fastport {

CoreSession* SessionCore::sendTarget(SessionId id, uint32_t frameCount) {
  CoreSession* s = find(id);
  if (!s || s->state == SessionState::kDraining || s->closed() || !s->wire.acceptsFrames()) {
    c_.sendsDropped.add();
    return nullptr;
  }
  c_.framesOut.add(frameCount);
  return s;
}

void SessionCore::send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) {
  CoreSession* s = sendTarget(id, frameCount);
  if (!s) return;
  if (s->protocol) {
    queueEncoded(*s, frames, length);
    return;
  }
  if (!queueMessageHeader(*s, length)) return;
  queueFrames(*s, frames, length);
}

void SessionCore::sendFrame(SessionId id, const uint8_t* wireHeader, const ByteSlice* parts, size_t count) {
  CoreSession* s = sendTarget(id, 1);
  if (!s) return;
  size_t length = kWireHeaderBytes;
  for (size_t i = 0; i < count; ++i) length += parts[i].len;
  if (s->protocol) {
    joined_.clear();  // the protocol step encodes whole frames
    joined_.append(wireHeader, kWireHeaderBytes);
    for (size_t i = 0; i < count; ++i) joined_.append(parts[i].data, parts[i].len);
    queueEncoded(*s, joined_.data(), joined_.size());
    joined_.clear();
    joined_.shrinkTo(64 * 1024);
    return;
  }
  if (!queueMessageHeader(*s, length)) return;
  SessionId sid = s->id;
  queueFrames(*s, wireHeader, kWireHeaderBytes);
  // Each part may cross the hard limit and close the session.
  for (size_t i = 0; i < count && (s = find(sid)); ++i) {
    if (parts[i].len) queueFrames(*s, parts[i].data, parts[i].len);
  }
}

void SessionCore::broadcast(const SessionId* ids, uint32_t count, const uint8_t* frames, size_t length,
                            uint32_t frameCount) {
  if (count < 2) {
    if (count == 1) send(ids[0], frames, length, frameCount);
    return;
  }
  SharedPayload* shared = nullptr;  // copied once, at the first member that takes the frames as they are
  for (uint32_t i = 0; i < count; ++i) {
    CoreSession* s = sendTarget(ids[i], frameCount);
    if (!s) continue;
    if (s->protocol) {
      queueEncoded(*s, frames, length);
      continue;
    }
    if (s->wire.addsMessageHeader()) {
      // A WebSocket member copies: its header and the frames share one block. A shared payload would
      // follow every few-byte header with a reference, so each header would start a block of its own.
      if (queueMessageHeader(*s, length)) queueBytes(*s, frames, length);
      continue;
    }
    if (!shared) shared = SharedPayload::copyOf(frames, length);
    s->queue.appendShared(*shared);
    queued(*s, length);
  }
  if (shared) shared->unref();  // the members' queues hold the rest of the references
}

void SessionCore::queueEncoded(CoreSession& s, const uint8_t* frames, size_t length) {
  encoded_.clear();
  s.protocol->outbound(frames, length, encoded_);
  queueBytes(s, encoded_.data(), encoded_.size());
}

bool SessionCore::queueMessageHeader(CoreSession& s, size_t length) {
  uint8_t header[ws::kMaxServerHeaderBytes];
  size_t n = s.wire.messageHeader(length, header);
  if (n == 0) return true;
  SessionId id = s.id;
  queueBytes(s, header, n);
  return find(id) != nullptr;  // the header alone may have crossed the hard limit
}

void SessionCore::queueBytes(CoreSession& s, const uint8_t* bytes, size_t length) {
  s.queue.append(pool_, bytes, length);
  queued(s, length);
}

void SessionCore::queueFrames(CoreSession& s, const uint8_t* frames, size_t length) {
  if (!io_.sendsSynchronously() || !(s.queue.empty() || s.queue.borrowing())) {
    queueBytes(s, frames, length);
    return;
  }
  if (!s.queue.borrowing()) borrowers_.push_back(SessionSlab::handleOf(s));
  s.queue.appendBorrowed(frames, length);
  queued(s, length);
}

void SessionCore::adoptBorrowed() {
  for (SessionSlab::Handle h : borrowers_) {
    CoreSession* s = at(h);
    if (!s) continue;
    if (s->closed()) {
      s->queue.clear(pool_);  // never sent: nothing to keep
    } else {
      s->queue.adoptBorrowed(pool_);
    }
  }
  borrowers_.clear();
}

void SessionCore::queued(CoreSession& s, size_t length) {
  if (s.pendingBytes == 0) s.sendProgressMs = now_ ? now_ : monotonicMs();
  s.pendingBytes += length;
  c_.sendBytesPending.add(length);
  if (!s.watermark.queued(s.pendingBytes, cfg_, ev_, s.id)) {
    closeSession(s, CloseReason::kBackpressure, 0);
    return;
  }
  if (!s.sendBacklogged && s.pendingBytes > cfg_.sendSoftLimit) {
    s.sendBacklogged = true;  // a peer that does not read gets no new requests taken
    io_.readInterestChanged(s);
  }
  markDirty(s);
  rewatch(s);
}

}  // namespace fastport
