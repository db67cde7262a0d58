// Frame payloads that leave the event batch (docs/boundary.md "Detached payloads"): one malloc'd block per
// frame, grown with realloc by the frame parser and handed on without a copy; whoever holds the block last
// frees it with std::free (JS: the external ArrayBuffer's finalizer gives it to block_cache.h instead).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "core/block_cache.h"

namespace fastport {

struct FreeBytes {
  void operator()(uint8_t* p) const { std::free(p); }
};
using PayloadBlock = std::unique_ptr<uint8_t, FreeBytes>;

// Grows (or first allocates) block to cap bytes, keeping its contents; throws std::bad_alloc like new. A
// first allocation of a big block takes a kept one (block_cache.h) where there is one: it may be larger.
inline void resizeBlock(PayloadBlock& block, size_t cap) {
  size_t keptSize = 0;
  if (!block) {
    if (uint8_t* kept = block_cache::take(cap, &keptSize)) {
      block.reset(kept);
      return;
    }
  }
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
