#include "ws/ws_frame_parser.h"

namespace fastport::ws {

uint16_t FrameParser::checkStart(uint8_t b0, uint8_t b1) const {
  if (b0 & 0x70) return kCloseProtocolError;  // RSV1-3: no extension was negotiated
  uint8_t op = b0 & 0x0f;
  bool fin = b0 & 0x80;
  if (!(b1 & 0x80)) return kCloseProtocolError;  // client frames must be masked
  uint8_t len7 = b1 & 0x7f;
  switch (Opcode(op)) {
    case Opcode::kClose:
    case Opcode::kPing:
    case Opcode::kPong:
      if (!fin || len7 > kMaxControlPayload) return kCloseProtocolError;
      return 0;
    case Opcode::kText:
      return inMessage_ ? kCloseProtocolError : kCloseUnsupportedData;
    case Opcode::kBinary:
      return inMessage_ ? kCloseProtocolError : 0;
    case Opcode::kContinuation:
      return inMessage_ ? 0 : kCloseProtocolError;
  }
  return kCloseProtocolError;  // reserved opcode
}

uint16_t FrameParser::startFrame(uint32_t maxMessageBytes) {
  uint8_t b0 = head_[0];
  uint8_t b1 = head_[1];
  uint8_t len7 = b1 & 0x7f;
  uint64_t length = len7;
  size_t at = 2;
  if (len7 == 126) {
    length = (uint64_t(head_[2]) << 8) | head_[3];
    at = 4;
  } else if (len7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | head_[2 + i];
    if (length >> 63) return kCloseProtocolError;  // the most significant bit must be 0
    at = 10;
  }
  std::memcpy(mask_, head_ + at, 4);
  headHave_ = 0;
  maskPhase_ = 0;
  opcode_ = Opcode(b0 & 0x0f);
  fin_ = b0 & 0x80;
  inFrame_ = true;
  if (opcode_ >= Opcode::kClose) {
    remaining_ = uint32_t(length);  // at most 125 (checkStart)
    controlHave_ = 0;
    return 0;
  }
  if (length > maxMessageBytes - messageBytes_) return kCloseTooBig;  // checked before any byte is kept
  remaining_ = uint32_t(length);
  messageBytes_ += uint32_t(length);
  inMessage_ = true;
  return 0;
}

}  // namespace fastport::ws
