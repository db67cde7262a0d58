// Wire frame header (big-endian): u32 length (whole frame, >= 10), u16 msgId, u32 seq.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastport {

inline constexpr uint32_t kWireHeaderBytes = 10;

inline uint32_t readBe32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline uint16_t readBe16(const uint8_t* p) {
  return uint16_t((p[0] << 8) | p[1]);
}

// Counts the complete wire frames in [data, data+len) (a SEND payload). Returns -1 when the bytes are not a
// sequence of whole frames, each 10 .. maxFrameBytes long.
inline int64_t countWireFrames(const uint8_t* data, size_t len, uint32_t maxFrameBytes) {
  int64_t frames = 0;
  size_t off = 0;
  while (off < len) {
    if (len - off < kWireHeaderBytes) return -1;
    uint32_t frameLen = readBe32(data + off);
    if (frameLen < kWireHeaderBytes || frameLen > maxFrameBytes || frameLen > len - off) return -1;
    off += frameLen;
    ++frames;
  }
  return frames;
}

// The whole frames at the start of received bytes: how many, and their bytes.
struct WireRun {
  size_t bytes = 0;
  uint32_t frames = 0;
};

// Stops before the first frame that is incomplete or whose header is bad (length below 10 or above
// maxFrameBytes): that one is the caller's (the frame parser keeps it or rejects it).
inline WireRun leadingWireFrames(const uint8_t* data, size_t len, uint32_t maxFrameBytes) {
  WireRun run;
  while (len - run.bytes >= 4) {
    uint32_t frameLen = readBe32(data + run.bytes);
    if (frameLen < kWireHeaderBytes || frameLen > maxFrameBytes || frameLen > len - run.bytes) break;
    run.bytes += frameLen;
    ++run.frames;
  }
  return run;
}

}  // namespace fastport
