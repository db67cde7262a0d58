// Appends event records (native -> JS, docs/boundary.md "Events") to one growable batch buffer:
// u8 type, u8 reason, u16 msgId, u32 session, u32 aux, u32 length, payload, padded to 4 bytes. Little-endian.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/byte_buffer.h"
#include "core/close_reason.h"
#include "core/session_id.h"

namespace fastport {

enum class EventType : uint8_t { kOpen = 1, kFrame = 2, kWritable = 3, kBlocked = 4, kClose = 5, kHttp = 6 };

inline constexpr size_t kEventHeaderBytes = 16;

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
  void writable(SessionId s) { put(EventType::kWritable, 0, 0, s, 0, nullptr, 0); }
  void blocked(SessionId s) { put(EventType::kBlocked, 0, 0, s, 0, nullptr, 0); }
  // The head of an HTTP request (WebSocket upgrade or plain GET) on a WebSocket-enabled listener.
  void http(SessionId s, const uint8_t* head, size_t len) { put(EventType::kHttp, 0, 0, s, 0, head, len); }
  void close(SessionId s, CloseReason reason, uint32_t err) {
    put(EventType::kClose, uint8_t(reason), 0, s, err, nullptr, 0);
  }

  bool empty() const { return buf_.empty(); }
  size_t size() const { return buf_.size(); }
  const uint8_t* data() const { return buf_.data(); }
  void clear() { buf_.clear(); }
  // The batch storage itself (the driver swaps it out to hand a batch to another thread).
  ByteBuffer& buffer() { return buf_; }

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
};

static_assert(std::endian::native == std::endian::little, "records are little-endian host order");

}  // namespace fastport
