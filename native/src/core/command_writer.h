// Writes command records (the format CommandReader reads). Used to route commands to I/O threads' inboxes
// and by tests.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/byte_buffer.h"
#include "core/command_reader.h"

namespace fastport {

class CommandWriter {
 public:
  explicit CommandWriter(ByteBuffer& out) : out_(out) {}

  void send(SessionId s, const uint8_t* frames, uint32_t len) { put(CommandOp::kSend, 0, s, frames, len); }
  // A SEND of one frame given as its 10-byte wire header and its payload's parts (copied back to back).
  void sendFrame(SessionId s, const uint8_t* wireHeader, const ByteSlice* parts, size_t count) {
    uint32_t frame = kWireHeaderBytes;
    for (size_t i = 0; i < count; ++i) frame += uint32_t(parts[i].len);
    uint8_t* p = header(CommandOp::kSend, 0, s, frame);
    std::memcpy(p, wireHeader, kWireHeaderBytes);
    p += kWireHeaderBytes;
    for (size_t i = 0; i < count; ++i) {
      if (parts[i].len) std::memcpy(p, parts[i].data, parts[i].len);
      p += parts[i].len;
    }
    finish(frame);
  }
  // A SEND_PAYLOAD record: the frame's wire header, its payload handed-over payloads[index .. index + count).
  void sendPayload(SessionId s, uint32_t index, const uint8_t* wireHeader, uint16_t count = 1) {
    uint8_t* p = header(CommandOp::kSendPayload, 0, s, kSendPayloadBytes);
    std::memcpy(p, &index, 4);
    std::memcpy(p + 4, wireHeader, kWireHeaderBytes);
    std::memcpy(p + 4 + kWireHeaderBytes, &count, 2);
    finish(kSendPayloadBytes);
  }
  // A SEND_SPAN record: bytes [offset, offset + length) of handed-over payload `index` (whole wire frames).
  void sendSpan(SessionId s, uint32_t index, uint32_t offset, uint32_t length) {
    uint8_t* p = header(CommandOp::kSendSpan, 0, s, kSendSpanBytes);
    std::memcpy(p, &index, 4);
    std::memcpy(p + 4, &offset, 4);
    std::memcpy(p + 8, &length, 4);
    finish(kSendSpanBytes);
  }
  void control(CommandOp op, SessionId s, uint8_t reason = 0) { put(op, reason, s, nullptr, 0); }
  // BROADCAST of frames to ids[0..count).
  void broadcast(const SessionId* ids, uint32_t count, const uint8_t* frames, uint32_t len) {
    uint32_t payload = count * 4 + len;
    uint8_t* p = header(CommandOp::kBroadcast, 0, count, payload);
    if (count) std::memcpy(p, ids, size_t(count) * 4);
    if (len) std::memcpy(p + size_t(count) * 4, frames, len);
    finish(payload);
  }

 private:
  void put(CommandOp op, uint8_t reason, uint32_t s, const uint8_t* payload, uint32_t len) {
    uint8_t* p = header(op, reason, s, len);
    if (len) std::memcpy(p, payload, len);
    finish(len);
  }
  uint8_t* header(CommandOp op, uint8_t reason, uint32_t s, uint32_t len) {
    uint8_t* p = out_.reserve((kCommandHeaderBytes + len + 3) & ~size_t(3));
    p[0] = uint8_t(op);
    p[1] = reason;
    p[2] = p[3] = 0;
    std::memcpy(p + 4, &s, 4);
    std::memcpy(p + 8, &len, 4);
    return p + kCommandHeaderBytes;
  }
  void finish(uint32_t len) {
    size_t total = (kCommandHeaderBytes + len + 3) & ~size_t(3);
    uint8_t* p = out_.data() + out_.size();
    for (size_t i = kCommandHeaderBytes + len; i < total; ++i) p[i] = 0;
    out_.commit(total);
  }

  ByteBuffer& out_;
};

}  // namespace fastport
