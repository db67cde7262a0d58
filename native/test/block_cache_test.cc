// The process-wide cache of freed detached-payload blocks (core/block_cache.h) and resizeBlock's use of it.
#include "core/block_cache.h"

#include <cstdlib>

#include "check.h"
#include "core/payload_block.h"

using namespace fastport;

namespace {

uint8_t* mallocBlock(size_t size) {
  return static_cast<uint8_t*>(std::malloc(size));
}

}  // namespace

TEST(block_cache_gives_back_a_block_of_at_least_the_size_and_at_most_twice) {
  size_t before = block_cache::keptBytes();
  uint8_t* block = mallocBlock(256 * 1024);
  block_cache::give(block, 256 * 1024);
  CHECK_EQ(block_cache::keptBytes(), before + 256 * 1024);
  size_t size = 0;
  CHECK(block_cache::take(300 * 1024, &size) == nullptr);  // too small
  CHECK(block_cache::take(100 * 1024, &size) == nullptr);  // more than twice the need
  CHECK(block_cache::take(200 * 1024, &size) == block);
  CHECK_EQ(size, size_t(256 * 1024));
  CHECK_EQ(block_cache::keptBytes(), before);
  std::free(block);
}

TEST(block_cache_frees_small_blocks_and_what_exceeds_its_bound) {
  size_t before = block_cache::keptBytes();
  block_cache::give(mallocBlock(1024), 1024);  // freed (ASan would report a leak otherwise)
  CHECK_EQ(block_cache::keptBytes(), before);
  size_t room = block_cache::kMaxKeptBytes - before;
  block_cache::give(mallocBlock(room), room);
  CHECK_EQ(block_cache::keptBytes(), block_cache::kMaxKeptBytes);
  block_cache::give(mallocBlock(64 * 1024), 64 * 1024);  // over the bound: freed
  CHECK_EQ(block_cache::keptBytes(), block_cache::kMaxKeptBytes);
  size_t size = 0;
  uint8_t* kept = block_cache::take(room, &size);
  CHECK(kept != nullptr);
  CHECK_EQ(size, room);
  std::free(kept);
  CHECK_EQ(block_cache::keptBytes(), before);
}

TEST(resize_block_takes_a_kept_block_first_and_regrows_it_with_realloc) {
  uint8_t* given = mallocBlock(64 * 1024);
  block_cache::give(given, 64 * 1024);
  PayloadBlock block;
  resizeBlock(block, 40 * 1024);
  CHECK(block.get() == given);
  block.get()[0] = 7;
  resizeBlock(block, 1024 * 1024);  // grows past the kept size: realloc keeps the contents
  CHECK_EQ(int(block.get()[0]), 7);
  PayloadBlock copy = copyToBlock(block.get(), 1024 * 1024);  // nothing kept: a fresh block
  CHECK(copy.get() != block.get());
  CHECK_EQ(int(copy.get()[0]), 7);
}
