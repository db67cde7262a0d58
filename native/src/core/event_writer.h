// Appends event records (native -> JS, docs/boundary.md "Events") to one growable batch buffer:
// u8 type, u8 reason, u16 msgId, u32 session, u32 aux, u32 length, payload, padded to 4 bytes. Little-endian.
// FRAMES records carry whole wire frames a read brought, received in place. A writer may detach big frame
// payloads: their FRAME record carries reason kDetachedPayload and no bytes, the payload block travels beside
// the batch (detached()) so the batch never copies it.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/byte_buffer.h"
#include "core/close_reason.h"
#include "core/payload_block.h"
#include "core/session_id.h"
#include "core/wire.h"

namespace fastport {

// kFrames: whole wire frames of one session as they arrived (received in place: framesRoom()).
enum class EventType : uint8_t { kOpen = 1, kFrame, kWritable, kBlocked, kClose, kHttp, kFrames };

inline constexpr size_t kEventHeaderBytes = 16;
// FRAME record reason: the payload is the batch's next detached payload, not in the record.
inline constexpr uint8_t kDetachedPayload = 1;

inline size_t align4(size_t n) {
  return (n + 3) & ~size_t(3);
}

class EventWriter {
 public:
  // listenerId 0 = outbound connect; remote is "ip:port".
  void open(SessionId s, uint32_t listenerId, std::string_view remote) {
    put(EventType::kOpen, 0, 0, s, listenerId, remote.data(), remote.size());
  }
  void frame(SessionId s, uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t len) {
    put(EventType::kFrame, 0, msgId, s, seq, payload, len);
  }
  // Payloads of at least minBytes are detached (0 = never, the default: only a driver that hands
  // detached() to JS turns it on).
  void detachFramesFrom(uint32_t minBytes) { detachFrom_ = minBytes; }
  bool detaches(uint32_t len) const { return detachFrom_ != 0 && len >= detachFrom_; }
  uint32_t detachesFrom() const { return detachFrom_; }
  void frameDetached(SessionId s, uint16_t msgId, uint32_t seq, PayloadBlock block, uint32_t len) {
    detached_.push_back(DetachedPayload{std::move(block), len});
    detachedBytes_ += len;
    put(EventType::kFrame, kDetachedPayload, msgId, s, seq, nullptr, 0);
  }
  // Where an engine may receive up to len bytes of one session straight into the batch: they become one
  // FRAMES record in place (commitFrames), no copy. Valid until the next record is written.
  uint8_t* framesRoom(size_t len) {
    return buf_.reserve(kEventHeaderBytes + align4(len)) + kEventHeaderBytes;
  }
  // The first `bytes` bytes received at framesRoom() are `count` whole wire frames of session s: the FRAMES
  // record over them (aux = count). Bytes after them are overwritten by the padding and the next record.
  void commitFrames(SessionId s, uint32_t count, size_t bytes) {
    uint8_t* p = buf_.data() + buf_.size();
    writeRecord(p, EventType::kFrames, 0, 0, s, count, bytes);
    buf_.commit(align4(kEventHeaderBytes + bytes));
    framesOverhead_ += size_t(count) * kFrameRecordOverhead;
  }
  void writable(SessionId s) { put(EventType::kWritable, 0, 0, s, 0, nullptr, 0); }
  void blocked(SessionId s) { put(EventType::kBlocked, 0, 0, s, 0, nullptr, 0); }
  // The head of an HTTP request (WebSocket upgrade or plain GET) on a WebSocket-enabled listener.
  void http(SessionId s, const uint8_t* head, size_t len) { put(EventType::kHttp, 0, 0, s, 0, head, len); }
  void close(SessionId s, CloseReason reason, uint32_t err) {
    put(EventType::kClose, uint8_t(reason), 0, s, err, nullptr, 0);
  }

  bool empty() const { return buf_.empty(); }
  size_t size() const { return buf_.size(); }
  // What the batch holds for JS (pass budget, read-ahead): its bytes, its detached payloads, and for each
  // frame of a FRAMES record what a FRAME record of its own would have added, so that a pass takes no more
  // frames than with a record per frame (a flood of tiny frames keeps JS's turns as short as before).
  size_t heldBytes() const { return buf_.size() + detachedBytes_ + framesOverhead_; }
  const uint8_t* data() const { return buf_.data(); }
  void clear() {
    buf_.clear();
    detached_.clear();
    detachedBytes_ = 0;
    framesOverhead_ = 0;
  }
  // The batch storage itself (the driver swaps it out to hand a batch to another thread).
  ByteBuffer& buffer() { return buf_; }
  // The batch's detached payloads (swapped out together with buffer(), then clear() this writer).
  DetachedPayloads& detached() { return detached_; }

 private:
  void put(EventType type, uint8_t reason, uint16_t msgId, SessionId s, uint32_t aux, const void* payload,
           size_t len) {
    size_t total = align4(kEventHeaderBytes + len);
    uint8_t* p = buf_.reserve(total);
    if (len) std::memcpy(p + kEventHeaderBytes, payload, len);
    writeRecord(p, type, reason, msgId, s, aux, len);
    buf_.commit(total);
  }
  // The record header at p, and zeros in the padding after its len payload bytes (the batch never shows
  // stale bytes).
  static void writeRecord(uint8_t* p, EventType type, uint8_t reason, uint16_t msgId, SessionId s,
                          uint32_t aux, size_t len) {
    p[0] = uint8_t(type);
    p[1] = reason;
    std::memcpy(p + 2, &msgId, 2);
    std::memcpy(p + 4, &s, 4);
    std::memcpy(p + 8, &aux, 4);
    uint32_t len32 = uint32_t(len);
    std::memcpy(p + 12, &len32, 4);
    for (size_t i = kEventHeaderBytes + len, end = align4(i); i < end; ++i) p[i] = 0;
  }

  ByteBuffer buf_;
  DetachedPayloads detached_;
  // A FRAME record's 16-byte header and padding (up to 3 bytes) against the frame's own 10-byte header.
  static constexpr size_t kFrameRecordOverhead = kEventHeaderBytes - kWireHeaderBytes + 3;
  size_t detachedBytes_ = 0;
  size_t framesOverhead_ = 0;
  uint32_t detachFrom_ = 0;
};

static_assert(std::endian::native == std::endian::little, "records are little-endian host order");

}  // namespace fastport
