// Freed detached-payload blocks kept for the next big frame (docs/limits.md "Memory"): a frame of 32 KiB+
// that JS owns lives in its own malloc'd block until V8 collects its ArrayBuffer; without reuse each frame
// gets fresh pages from the allocator (page faults and zeroing per 4 KiB: about 15 per 256 KiB echo).
// Process-wide and thread-safe: blocks are taken on a loop thread and given back by a JS finalizer.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastport::block_cache {

// Blocks smaller than this are not kept (the allocator's small bins serve them well).
inline constexpr size_t kMinKeptBytes = 32 * 1024;
// Bytes of freed blocks kept at most; a block that would exceed it is freed.
inline constexpr size_t kMaxKeptBytes = 16 * 1024 * 1024;

// A kept block of at least `bytes` and at most twice that (nullptr when none); its size in *size.
uint8_t* take(size_t bytes, size_t* size);
// Keeps a malloc'd block of `size` bytes for a later take(), or frees it.
void give(uint8_t* block, size_t size);
// Bytes kept now (tests).
size_t keptBytes();

}  // namespace fastport::block_cache
