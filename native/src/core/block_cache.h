// Freed detached-payload blocks kept for the next big frame (docs/limits.md "Memory"): a frame of 32 KiB+
// that JS owns lives in its own malloc'd block until V8 collects its ArrayBuffer; without reuse each frame
// gets fresh pages from the allocator (page faults and zeroing per 4 KiB: about 15 per 256 KiB echo).
// Process-wide and thread-safe: blocks are taken on a loop thread and given back by a JS finalizer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace fastport::block_cache {

// Blocks smaller than this are not kept (the allocator's small bins serve them well).
inline constexpr size_t kMinKeptBytes = 32 * 1024;
// Bytes of freed blocks kept at most; a block that would exceed it is freed.
inline constexpr size_t kMaxKeptBytes = 16 * 1024 * 1024;

namespace detail {

struct Kept {
  uint8_t* block;
  size_t size;
};

struct Cache {
  std::mutex lock;
  std::vector<Kept> blocks;  // most recently given last: its pages are the likeliest to be in cache
  size_t bytes = 0;
};

// One per process (an inline function's static); never destroyed: a finalizer may give a block back while
// the process exits.
inline Cache& cache() {
  static Cache* instance = new Cache();
  return *instance;
}

}  // namespace detail

// A kept block of at least `bytes` and at most twice that (nullptr when none); its size in *size.
inline uint8_t* take(size_t bytes, size_t* size) {
  if (bytes < kMinKeptBytes) return nullptr;
  detail::Cache& c = detail::cache();
  std::lock_guard<std::mutex> guard(c.lock);
  for (size_t i = c.blocks.size(); i-- > 0;) {
    detail::Kept kept = c.blocks[i];
    if (kept.size < bytes || kept.size / 2 > bytes) continue;
    c.blocks.erase(c.blocks.begin() + std::ptrdiff_t(i));
    c.bytes -= kept.size;
    *size = kept.size;
    return kept.block;
  }
  return nullptr;
}

// Keeps a malloc'd block of `size` bytes for a later take(), or frees it.
inline void give(uint8_t* block, size_t size) {
  if (block == nullptr) return;
  if (size >= kMinKeptBytes && size <= kMaxKeptBytes) {
    detail::Cache& c = detail::cache();
    std::lock_guard<std::mutex> guard(c.lock);
    if (c.bytes + size <= kMaxKeptBytes) {
      c.blocks.push_back({block, size});
      c.bytes += size;
      return;
    }
  }
  std::free(block);
}

// Bytes kept now (tests).
inline size_t keptBytes() {
  detail::Cache& c = detail::cache();
  std::lock_guard<std::mutex> guard(c.lock);
  return c.bytes;
}

}  // namespace fastport::block_cache
