// Splits one session's received byte stream into wire frames. Complete frames are handed out straight from
// the caller's buffer; only an incomplete frame's bytes are kept (header in place, payload on the heap, the
// heap part allocated only after the header's length passed the checks, and freed when the frame completes,
// unless the frame's consumer takes it with takeBody()). An engine may receive the rest of an incomplete
// frame straight into that heap part (bodyRoom(), bodyReceived()) instead of feeding it through its buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/payload_block.h"
#include "core/wire.h"

namespace fastport {

// Writable bytes: where an engine may receive the rest of a frame's payload.
struct BodyRoom {
  uint8_t* data = nullptr;
  size_t len = 0;
  size_t frameRest = 0;     // payload bytes the frame still needs (len <= frameRest)
  size_t framePayload = 0;  // the frame's whole payload
};

class FrameParser {
 public:
  enum class Status : uint8_t { kOk, kTooLarge, kInvalid };

  // Feeds received bytes; calls onFrame(uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t
  // payloadLen) for every completed frame, in order. Stops at the first bad header (length < 10 -> kInvalid,
  // length > maxFrameBytes -> kTooLarge); the session must then be closed. nowMs stamps a new partial frame.
  template <class OnFrame>
  Status feed(const uint8_t* data, size_t len, uint32_t maxFrameBytes, uint64_t nowMs, OnFrame&& onFrame);

  // True while bytes of an incomplete frame are kept.
  bool midFrame() const { return headHave_ > 0; }
  // The incomplete frame's payload length, and the bytes of it still needed; 0 between frames and while its
  // header is incomplete.
  uint32_t framePayload() const {
    return headHave_ < kWireHeaderBytes ? 0 : readBe32(head_) - kWireHeaderBytes;
  }
  size_t frameRest() const { return framePayload() - bodyHave_; }  // no payload is kept before the header
  // The first n bytes of `rest` are all the incomplete frame still needs (n == frameRest() > 0): calls
  // onSplitFrame(const uint8_t* header, const uint8_t* kept, uint32_t keptLen, const uint8_t* rest,
  // uint32_t n) with the frame in three pieces where they lie: its 10-byte wire header, the payload bytes
  // kept, and the rest (not copied after the kept bytes first); then frees the kept bytes.
  template <class OnSplitFrame>
  void finishFrame(const uint8_t* rest, size_t n, OnSplitFrame&& onSplitFrame) {
    onSplitFrame(static_cast<const uint8_t*>(head_), body_.get(), bodyHave_, rest, uint32_t(n));
    resetFrame();
  }
  // When the incomplete frame's first byte arrived (valid while midFrame()).
  uint64_t frameStartedMs() const { return startedMs_; }
  // Bytes of the incomplete frame kept right now, and the bytes allocated for its payload.
  size_t heldBytes() const { return headHave_ + bodyHave_; }
  size_t bodyCapacity() const { return bodyCap_; }
  // Frees any kept bytes (session closing).
  void reset() { resetFrame(); }
  // Where the incomplete frame's next payload bytes may be received directly: at most what the frame still
  // needs, in its payload block (grown as feed() grows it: at most 4x what arrived). Empty between frames
  // and while the header is incomplete.
  BodyRoom bodyRoom() {
    if (headHave_ < kWireHeaderBytes) return {};
    uint32_t payloadLen = readBe32(head_) - kWireHeaderBytes;
    reserveBody(bodyHave_ + 1, payloadLen, headHave_ + bodyHave_);
    uint32_t room = bodyCap_ - bodyHave_;
    uint32_t need = payloadLen - bodyHave_;
    return {body_.get() + bodyHave_, room < need ? room : need, need, payloadLen};
  }
  // n bytes (at most bodyRoom().len) were written at bodyRoom().data; the frame is handed to onFrame (as in
  // feed()) when that completed it.
  template <class OnFrame>
  void bodyReceived(size_t n, OnFrame&& onFrame) {
    bodyHave_ += uint32_t(n);
    uint32_t payloadLen = readBe32(head_) - kWireHeaderBytes;
    if (bodyHave_ == payloadLen) completeBody(payloadLen, onFrame);
  }
  // While the kernel receives into bodyRoom() on its own time (io_uring), the engine holds the payload block,
  // so that a session closing meanwhile (reset()) does not free memory still being written; it hands the
  // block back with returnBody() before bodyReceived(). Nothing may feed the parser while the block is lent.
  PayloadBlock lendBody() { return std::move(body_); }
  void returnBody(PayloadBlock body) { body_ = std::move(body); }
  // Only inside onFrame: the heap block holding this frame's payload (exactly payloadLen bytes), which the
  // caller then owns; empty when the payload lies in the caller's bytes (a frame complete within one feed).
  PayloadBlock takeBody() {
    if (!handingBody_) return {};
    bodyCap_ = 0;
    return std::move(body_);
  }

 private:
  static Status check(uint32_t frameLen, uint32_t maxFrameBytes) {
    if (frameLen < kWireHeaderBytes) return Status::kInvalid;
    if (frameLen > maxFrameBytes) return Status::kTooLarge;
    return Status::kOk;
  }
  void resetFrame() {
    headHave_ = 0;
    bodyHave_ = 0;
    bodyCap_ = 0;
    body_.reset();
    handingBody_ = false;
  }
  template <class OnFrame>
  void completeBody(uint32_t payloadLen, OnFrame& onFrame) {
    handingBody_ = true;
    onFrame(readBe16(head_ + 4), readBe32(head_ + 6), body_.get(), payloadLen);
    handingBody_ = false;
    resetFrame();
  }
  // Grows the body with realloc, which copies what arrived when it cannot grow the block in place. Sizes
  // are payloadLen / 4^k: the largest within 4x the frame's bytes that arrived (header included), but at
  // least `need` and 4 KiB. So a slow sender costs at most 4x what it sent, not what it announced; the last
  // step lands on the frame exactly (never once more by a few bytes for its tail); a frame read in pieces
  // regrows at most log4(payload / first piece) times (1 MiB in 32 KiB pieces: 64 KiB, 256 KiB, 1 MiB; in
  // epoll's 256 KiB reads: its final size at once).
  void reserveBody(uint32_t need, uint32_t payloadLen, uint64_t arrived) {
    if (bodyCap_ >= need) return;
    uint64_t allowed = 4 * arrived;
    uint32_t cap = payloadLen;
    while (cap > allowed && (cap >> 2) >= need && (cap >> 2) >= kMinBodyBytes) cap >>= 2;
    resizeBlock(body_, cap);
    bodyCap_ = cap;
  }
  static constexpr uint32_t kMinBodyBytes = 4096;

  // Ordered for size: the flag sits in the header's padding (40 B, not 48, in every session).
  uint8_t head_[kWireHeaderBytes];
  bool handingBody_ = false;  // inside onFrame with the payload in body_
  uint32_t headHave_ = 0;     // header bytes kept (0 = between frames)
  uint32_t bodyHave_ = 0;     // payload bytes kept
  uint32_t bodyCap_ = 0;
  PayloadBlock body_;
  uint64_t startedMs_ = 0;
};

template <class OnFrame>
FrameParser::Status FrameParser::feed(const uint8_t* data, size_t len, uint32_t maxFrameBytes, uint64_t nowMs,
                                      OnFrame&& onFrame) {
  size_t off = 0;
  while (off < len) {
    size_t avail = len - off;
    if (headHave_ == 0) {
      // Between frames: hand out whole frames straight from the caller's bytes.
      if (avail >= 4) {
        uint32_t frameLen = readBe32(data + off);
        Status s = check(frameLen, maxFrameBytes);
        if (s != Status::kOk) return s;
        if (avail >= frameLen) {
          const uint8_t* f = data + off;
          onFrame(readBe16(f + 4), readBe32(f + 6), f + kWireHeaderBytes, frameLen - kWireHeaderBytes);
          off += frameLen;
          continue;
        }
      }
      startedMs_ = nowMs;
    }
    if (headHave_ < kWireHeaderBytes) {
      size_t take = kWireHeaderBytes - headHave_;
      if (take > avail) take = avail;
      uint32_t before = headHave_;
      std::memcpy(head_ + headHave_, data + off, take);
      headHave_ += uint32_t(take);
      off += take;
      avail -= take;
      if (before < 4 && headHave_ >= 4) {
        Status s = check(readBe32(head_), maxFrameBytes);
        if (s != Status::kOk) {
          resetFrame();
          return s;
        }
      }
      if (headHave_ < kWireHeaderBytes) continue;  // off == len here
    }
    uint32_t payloadLen = readBe32(head_) - kWireHeaderBytes;
    uint32_t need = payloadLen - bodyHave_;
    uint32_t take = avail < need ? uint32_t(avail) : need;
    if (bodyHave_ == 0 && take == need) {
      // The whole payload is in this read: no copy.
      onFrame(readBe16(head_ + 4), readBe32(head_ + 6), data + off, payloadLen);
      off += take;
      resetFrame();
      continue;
    }
    if (take == 0) break;  // header complete, payload not yet here
    reserveBody(bodyHave_ + take, payloadLen, headHave_ + bodyHave_ + take);
    std::memcpy(body_.get() + bodyHave_, data + off, take);
    bodyHave_ += take;
    off += take;
    if (bodyHave_ == payloadLen) completeBody(payloadLen, onFrame);
  }
  return Status::kOk;
}

}  // namespace fastport
