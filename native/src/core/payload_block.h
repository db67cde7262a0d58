// Frame payloads that leave the event batch (docs/boundary.md "Detached payloads"): one malloc'd block per
// frame, grown with realloc by the frame parser and handed on without a copy; whoever holds the block last
// frees it with std::free (JS: the external ArrayBuffer's finalizer).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace fastport {

struct FreeBytes {
  void operator()(uint8_t* p) const { std::free(p); }
};
using PayloadBlock = std::unique_ptr<uint8_t, FreeBytes>;

// Grows (or first allocates) block to cap bytes, keeping its contents; throws std::bad_alloc like new.
inline void resizeBlock(PayloadBlock& block, size_t cap) {
  auto* bigger = static_cast<uint8_t*>(std::realloc(block.get(), cap));
  if (!bigger) throw std::bad_alloc();
  (void)block.release();  // realloc freed or moved the old block
  block.reset(bigger);
}

// A new block holding a copy of len bytes.
inline PayloadBlock copyToBlock(const uint8_t* data, size_t len) {
  PayloadBlock block;
  resizeBlock(block, len);
  std::memcpy(block.get(), data, len);
  return block;
}

struct DetachedPayload {
  PayloadBlock block;
  uint32_t len = 0;
};

// The detached payloads of one batch, in record order (the k-th detached FRAME record owns entry k).
using DetachedPayloads = std::vector<DetachedPayload>;

}  // namespace fastport
