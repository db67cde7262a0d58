// Appends event records (native -> JS, docs/boundary.md "Events") to one growable batch buffer:
// u8 type, u8 reason, u16 msgId, u32 session, u32 aux, u32 length, payload, padded to 4 bytes. Little-endian.
// A writer may detach big frame payloads: their FRAME record carries reason kDetachedPayload and no bytes,
// the payload block travels beside the batch (detached()) so the batch never copies it.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/byte_buffer.h"
#include "core/close_reason.h"
#include "core/payload_block.h"
#include "core/session_id.h"

namespace fastport {

enum class EventType : uint8_t { kOpen = 1, kFrame = 2, kWritable = 3, kBlocked = 4, kClose = 5, kHttp = 6 };

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
  void frameDetached(SessionId s, uint16_t msgId, uint32_t seq, PayloadBlock block, uint32_t len) {
    detached_.push_back(DetachedPayload{std::move(block), len});
    detachedBytes_ += len;
    put(EventType::kFrame, kDetachedPayload, msgId, s, seq, nullptr, 0);
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
  // The batch's bytes with its detached payloads: what it holds for JS (pass budget, read-ahead).
  size_t heldBytes() const { return buf_.size() + detachedBytes_; }
  const uint8_t* data() const { return buf_.data(); }
  void clear() {
    buf_.clear();
    detached_.clear();
    detachedBytes_ = 0;
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
    p[0] = uint8_t(type);
    p[1] = reason;
    std::memcpy(p + 2, &msgId, 2);
    std::memcpy(p + 4, &s, 4);
    std::memcpy(p + 8, &aux, 4);
    uint32_t len32 = uint32_t(len);
    std::memcpy(p + 12, &len32, 4);
    if (len) std::memcpy(p + kEventHeaderBytes, payload, len);
    // Zero the padding so the batch never shows stale bytes.
    for (size_t i = kEventHeaderBytes + len; i < total; ++i) p[i] = 0;
    buf_.commit(total);
  }

  ByteBuffer buf_;
  DetachedPayloads detached_;
  size_t detachedBytes_ = 0;
  uint32_t detachFrom_ = 0;
};

static_assert(std::endian::native == std::endian::little, "records are little-endian host order");

}  // namespace fastport
