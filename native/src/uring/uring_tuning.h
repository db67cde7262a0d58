// io_uring tuning (NativeEngineOptions uring*, core/config.h; 0 = the default below). Per I/O loop:
//   uringEntries        SQ ring entries (CQ ring = 8x)        default 1024   (power of two, 2..32768)
//   uringBufferCount    provided receive buffers               default 128    (rounded up to a power of two)
//   uringBufferSize     bytes per receive buffer               default 68 KiB (kDefaultBufferBytes)
//   uringSendSliceCount registered send slices                 default 512    (1..16384)
//   uringSendSliceSize  bytes per send slice                   default 16 KiB
// Memory per loop with the defaults: 8.5 MiB receive buffers (mapped, resident only where the kernel wrote:
// a buffer's first KiB with small frames) + 8 MiB registered (locked) send slices.
// A whole frame costs one copy (into the event batch); a frame split across two buffers its start once more
// (kept by the parser, then copied into the batch with the rest: SessionCore::arrivedInBuffer). 128 buffers:
// 64 ran dry (ENOBUFS) at 4 in 10 64 KiB frames (each session's multishot recv pulls 4 frames through the
// buffers in a pass), 128 not once in the same run.
#pragma once

#include <cstdint>

#include "core/config.h"

namespace fastport::uring {

// 4 x 16 KiB frames in flight with their 10-byte headers (65,576 bytes) fit one buffer, rounded up to whole
// 4 KiB pages: with 64 KiB every 4th such frame was split across two buffers (measured, raw echo at 16 KiB:
// 9.3 against 8.5 us of server CPU per message; 128 KiB buffers 8.6).
inline constexpr unsigned kDefaultBufferBytes = 68 * 1024;

struct Tuning {
  unsigned sqEntries;
  unsigned cqEntries;
  unsigned bufferCount;
  unsigned bufferSize;
  unsigned sliceCount;
  unsigned sliceBytes;
};

inline unsigned roundUpPow2(unsigned v) {
  unsigned p = 1;
  while (p < v && p < (1u << 15)) p <<= 1;
  return p;
}

inline Tuning tuningFrom(const EngineConfig& c) {
  Tuning t;
  t.sqEntries = roundUpPow2(c.uringEntries ? c.uringEntries : 1024);
  if (t.sqEntries < 2) t.sqEntries = 2;
  t.cqEntries = t.sqEntries * 8;
  t.bufferCount = roundUpPow2(c.uringBufferCount ? c.uringBufferCount : 128);
  t.bufferSize = c.uringBufferSize ? c.uringBufferSize : kDefaultBufferBytes;
  t.sliceCount = c.uringSendSliceCount ? c.uringSendSliceCount : 512;
  if (t.sliceCount > 16384) t.sliceCount = 16384;
  t.sliceBytes = c.uringSendSliceSize ? c.uringSendSliceSize : 16 * 1024;
  return t;
}

}  // namespace fastport::uring
