#include "core/block_cache.h"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace fastport::block_cache {
namespace {

struct Kept {
  uint8_t* block;
  size_t size;
};

struct Cache {
  std::mutex lock;
  std::vector<Kept> blocks;  // most recently given last: its pages are the likeliest to be in cache
  size_t bytes = 0;
};

// Never destroyed: a finalizer may give a block back while the process exits.
Cache& cache() {
  static Cache* instance = new Cache();
  return *instance;
}

}  // namespace

uint8_t* take(size_t bytes, size_t* size) {
  if (bytes < kMinKeptBytes) return nullptr;
  Cache& c = cache();
  std::lock_guard<std::mutex> guard(c.lock);
  for (size_t i = c.blocks.size(); i-- > 0;) {
    Kept kept = c.blocks[i];
    if (kept.size < bytes || kept.size / 2 > bytes) continue;
    c.blocks.erase(c.blocks.begin() + std::ptrdiff_t(i));
    c.bytes -= kept.size;
    *size = kept.size;
    return kept.block;
  }
  return nullptr;
}

void give(uint8_t* block, size_t size) {
  if (block == nullptr) return;
  if (size >= kMinKeptBytes && size <= kMaxKeptBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> guard(c.lock);
    if (c.bytes + size <= kMaxKeptBytes) {
      c.blocks.push_back({block, size});
      c.bytes += size;
      return;
    }
  }
  std::free(block);
}

size_t keptBytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> guard(c.lock);
  return c.bytes;
}

}  // namespace fastport::block_cache
