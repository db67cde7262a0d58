// Splits a client's WebSocket byte stream into frames (RFC 6455 5.2) and checks every rule a server must:
// client frames masked, no RSV bits (no extension is ever negotiated), known opcodes, control frames final
// and at most 125 bytes, continuation only inside a fragmented message, a message at most maxMessageBytes.
// Binary payload is unmasked in place and handed out as it arrives (no copy). A control payload that
// arrives whole is handed out from the caller's bytes too; only one split across reads is kept (<= 125
// bytes, allocated when the split happens and freed when its frame completes: idle sessions keep nothing).
// Text messages are refused (FastPort frames are binary).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "ws/ws_codec.h"

namespace fastport::ws {

class FrameParser {
 public:
  // Feeds received bytes (modified: unmasked in place). The sink gets, in order:
  //   bool payload(uint8_t* data, size_t len)   binary message bytes (any split)
  //   bool messageEnd()                          the final fragment of a binary message ended
  //   bool control(Opcode op, uint8_t* data, size_t len)   a whole ping / pong / close frame
  // Any of them returns false to stop (the session is closing). Returns 0 while all is well (or the sink
  // stopped), else the close code of the first violation (1002 / 1003 / 1009); nothing is fed after it.
  template <class Sink>
  uint16_t feed(uint8_t* data, size_t len, uint32_t maxMessageBytes, Sink& sink);

  // True while a frame header or payload is incomplete, or a fragmented message is open.
  bool midMessage() const { return headHave_ > 0 || inFrame_ || inMessage_; }

 private:
  // Checks the first two header bytes; returns 0 or a close code.
  uint16_t checkStart(uint8_t b0, uint8_t b1) const;
  static size_t headerBytes(uint8_t b1) {
    uint8_t len7 = b1 & 0x7f;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
  }
  // The header in head_ is complete: starts its frame. Returns 0 or a close code.
  uint16_t startFrame(uint32_t maxMessageBytes);
  template <class Sink>
  bool finishFrame(Sink& sink);
  // A control frame's payload is complete (data: the caller's bytes or control_).
  template <class Sink>
  bool finishControl(Sink& sink, uint8_t* data, size_t len);
  // Keeps part of a control payload split across reads.
  void keepControl(const uint8_t* data, size_t len) {
    if (!control_) control_.reset(new uint8_t[kMaxControlPayload]);
    std::memcpy(control_.get() + controlHave_, data, len);
    controlHave_ = uint8_t(controlHave_ + len);
  }

  uint8_t head_[14];
  uint8_t headHave_ = 0;
  uint8_t mask_[4] = {0, 0, 0, 0};
  uint8_t maskPhase_ = 0;
  Opcode opcode_ = Opcode::kBinary;
  bool fin_ = false;
  bool inFrame_ = false;    // header done, payload (remaining_) being read
  bool inMessage_ = false;  // a binary message started and its final fragment has not ended
  uint8_t controlHave_ = 0;
  // 32 bits: a frame and its message are checked against maxMessageBytes (a uint32_t) before they start.
  uint32_t remaining_ = 0;
  uint32_t messageBytes_ = 0;
  std::unique_ptr<uint8_t[]> control_;  // only while a split control payload is being read
};

template <class Sink>
uint16_t FrameParser::feed(uint8_t* data, size_t len, uint32_t maxMessageBytes, Sink& sink) {
  size_t off = 0;
  while (off < len) {
    if (!inFrame_) {
      size_t want = headHave_ < 2 ? 2 : headerBytes(head_[1]);
      size_t take = want - headHave_;
      if (take > len - off) take = len - off;
      std::memcpy(head_ + headHave_, data + off, take);
      headHave_ = uint8_t(headHave_ + take);
      off += take;
      if (headHave_ < want) break;
      if (want == 2) {
        if (uint16_t code = checkStart(head_[0], head_[1])) return code;
        continue;  // now read the extended length and mask
      }
      if (uint16_t code = startFrame(maxMessageBytes)) return code;
      if (remaining_ == 0 && !finishFrame(sink)) return 0;
      continue;
    }
    size_t avail = len - off;
    size_t take = remaining_ < avail ? size_t(remaining_) : avail;
    uint8_t* p = data + off;
    unmask(p, take, mask_, maskPhase_);
    maskPhase_ = uint8_t((maskPhase_ + take) & 3);
    off += take;
    remaining_ -= uint32_t(take);
    if (opcode_ >= Opcode::kClose && remaining_ == 0 && controlHave_ == 0) {
      if (!finishControl(sink, p, take)) return 0;  // whole in this read: no copy
      continue;
    }
    if (opcode_ >= Opcode::kClose) {
      keepControl(p, take);
    } else if (!sink.payload(p, take)) {
      return 0;
    }
    if (remaining_ == 0 && !finishFrame(sink)) return 0;
  }
  return 0;
}

template <class Sink>
bool FrameParser::finishFrame(Sink& sink) {
  inFrame_ = false;
  if (opcode_ >= Opcode::kClose) return finishControl(sink, control_.get(), controlHave_);
  if (!fin_) return true;
  inMessage_ = false;
  messageBytes_ = 0;
  return sink.messageEnd();
}

template <class Sink>
bool FrameParser::finishControl(Sink& sink, uint8_t* data, size_t len) {
  inFrame_ = false;
  bool goOn = sink.control(opcode_, data, len);
  control_.reset();
  controlHave_ = 0;
  return goOn;
}

}  // namespace fastport::ws
