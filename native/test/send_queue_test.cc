// SendQueue: gathered slices, partial writes (delayed consume), large frames, block recycling.
#include "core/send_queue.h"

#include <string>
#include <vector>

#include "check.h"

using fastport::BlockPool;
using fastport::ByteSlice;
using fastport::SendQueue;

namespace {

std::string gatherAll(const SendQueue& q, size_t maxSlices = 1024, size_t maxBytes = SIZE_MAX) {
  std::vector<ByteSlice> slices(maxSlices);
  size_t n = q.gather(slices.data(), maxSlices, maxBytes);
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(reinterpret_cast<const char*>(slices[i].data), slices[i].len);
  return out;
}

void append(SendQueue& q, BlockPool& pool, const std::string& s) {
  q.append(pool, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

TEST(send_queue_gathers_in_order) {
  BlockPool pool(64, 8);
  SendQueue q;
  append(q, pool, "abc");
  append(q, pool, std::string(100, 'x'));
  append(q, pool, "tail");
  CHECK_EQ(q.pending(), size_t(107));
  CHECK(gatherAll(q) == "abc" + std::string(100, 'x') + "tail");
  CHECK(gatherAll(q) == gatherAll(q));  // gather does not consume
}

TEST(send_queue_partial_writes_release_only_accepted_bytes) {
  BlockPool pool(16, 8);
  SendQueue q;
  std::string all;
  for (int i = 0; i < 20; ++i) {
    std::string piece(size_t(i + 1), char('a' + i));
    append(q, pool, piece);
    all += piece;
  }
  size_t sent = 0;
  size_t steps[] = {1, 5, 15, 16, 17, 33, 2};
  for (size_t step : steps) {
    CHECK(gatherAll(q) == all.substr(sent));
    q.consume(pool, step);
    sent += step;
    CHECK_EQ(q.pending(), all.size() - sent);
  }
  // New bytes queue behind the unsent rest.
  append(q, pool, "NEW");
  all += "NEW";
  CHECK(gatherAll(q) == all.substr(sent));
  q.consume(pool, q.pending());
  CHECK(q.empty());
  CHECK(gatherAll(q).empty());
}

TEST(send_queue_limits_slices_and_bytes) {
  BlockPool pool(8, 8);
  SendQueue q;
  append(q, pool, std::string(40, 'k'));  // 5 blocks
  std::vector<ByteSlice> slices(3);
  CHECK_EQ(q.gather(slices.data(), 3), size_t(3));
  CHECK(gatherAll(q, 3).size() == 24);
  CHECK(gatherAll(q, 1024, 10).size() == 10);
}

TEST(send_queue_large_frame_streams_through_partial_writes) {
  BlockPool pool;
  SendQueue q;
  std::string big(5 << 20, 0);
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 7 + 3);
  append(q, pool, "head");
  append(q, pool, big);
  std::string received;
  while (!q.empty()) {
    std::string chunk = gatherAll(q, 16, 300000);  // like a socket that takes at most 300 kB per write
    received += chunk;
    q.consume(pool, chunk.size());
  }
  CHECK(received == "head" + big);
  CHECK_EQ(q.pending(), size_t(0));
}

TEST(send_queue_returns_blocks_to_the_pool) {
  BlockPool pool(32, 4);
  {
    SendQueue q;
    append(q, pool, std::string(100, 'p'));  // 4 pooled blocks
    CHECK_EQ(pool.freeBlocks(), size_t(0));
    q.consume(pool, 40);
    CHECK_EQ(pool.freeBlocks(), size_t(1));
    q.clear(pool);
    CHECK_EQ(pool.freeBlocks(), size_t(4));
  }
  SendQueue q;
  append(q, pool, "x");
  CHECK_EQ(pool.freeBlocks(), size_t(3));  // reused
  q.consume(pool, 1);
  CHECK_EQ(pool.freeBlocks(), size_t(4));  // drained queue holds no block
}

TEST(send_queue_shared_payload_is_referenced_by_every_queue_and_freed_after_the_last_consume) {
  BlockPool pool(64, 8);
  const std::string body = "broadcast frames";
  auto* shared = fastport::SharedPayload::copyOf(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  SendQueue a, b;
  append(a, pool, "hdr:");
  a.appendShared(*shared);
  b.appendShared(*shared);
  append(b, pool, ":tail");  // goes into a block of its own behind the shared bytes
  shared->unref();           // the creator's reference: the queues hold the other two
  CHECK_EQ(shared->refs(), size_t(2));
  CHECK(gatherAll(a) == "hdr:" + body);
  CHECK(gatherAll(b) == body + ":tail");
  b.consume(pool, 3);  // part of the shared bytes: still referenced
  CHECK_EQ(shared->refs(), size_t(2));
  CHECK(gatherAll(b) == body.substr(3) + ":tail");
  b.consume(pool, body.size() - 3);
  CHECK_EQ(shared->refs(), size_t(1));
  CHECK(gatherAll(b) == ":tail");
  a.clear(pool);  // the last reference: freed (ASan reports a leak or a double free otherwise)
  CHECK_EQ(b.pending(), size_t(5));
}

TEST(send_queue_starts_an_empty_queue_in_a_small_block_of_its_own) {
  BlockPool pool;  // 16 KiB blocks: bigger than SendQueue::kSmallBytes
  SendQueue q;
  append(q, pool, "welcome");
  CHECK_EQ(pool.freeBlocks(), size_t(0));
  q.consume(pool, q.pending());
  CHECK_EQ(pool.freeBlocks(), size_t(0));  // the small block went back to the allocator, not the pool
  std::string more(SendQueue::kSmallBytes - 3, 'm');
  append(q, pool, "abc");
  append(q, pool, more);
  append(q, pool, "overflow");  // past the small block: a pooled block follows it
  CHECK(gatherAll(q) == "abc" + more + "overflow");
  q.consume(pool, 5);
  CHECK(gatherAll(q) == ("abc" + more + "overflow").substr(5));
  q.consume(pool, q.pending());
  CHECK_EQ(pool.freeBlocks(), size_t(1));
  append(q, pool, std::string(SendQueue::kSmallBytes + 1, 'b'));  // too big for a small block
  CHECK_EQ(pool.freeBlocks(), size_t(0));
  q.clear(pool);
  CHECK_EQ(pool.freeBlocks(), size_t(1));
}

TEST(send_queue_a_small_append_behind_a_shared_payload_takes_a_small_block) {
  BlockPool pool;  // 16 KiB blocks: bigger than SendQueue::kSmallBytes
  SendQueue q;
  std::string body(100, 's');
  auto* shared = fastport::SharedPayload::copyOf(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  for (int i = 0; i < 8; ++i) {  // a header or a unicast between broadcasts: no pooled block each time
    append(q, pool, "hdr");
    q.appendShared(*shared);
  }
  shared->unref();
  CHECK_EQ(pool.freeBlocks(), size_t(0));
  q.consume(pool, q.pending());
  CHECK_EQ(pool.freeBlocks(), size_t(0));  // none was taken from the pool
}

TEST(send_queue_borrowed_bytes_are_not_copied_until_adopted) {
  BlockPool pool(64, 8);
  SendQueue q;
  std::string caller(100, 'b');
  q.appendBorrowed(reinterpret_cast<const uint8_t*>(caller.data()), caller.size());
  append(q, pool, "tail");  // behind the borrowed bytes, in a block of the queue's own
  CHECK(q.borrowing());
  CHECK_EQ(q.pending(), size_t(104));
  ByteSlice first;
  CHECK_EQ(q.gather(&first, 1), size_t(1));
  CHECK(first.data == reinterpret_cast<const uint8_t*>(caller.data()));  // the caller's memory itself
  q.consume(pool, 30);  // the kernel took 30 bytes straight from it
  q.adoptBorrowed(pool);
  CHECK(!q.borrowing());
  caller.assign(caller.size(), 'X');  // the caller may reuse its bytes now
  CHECK(gatherAll(q) == std::string(70, 'b') + "tail");
  q.consume(pool, q.pending());
  CHECK(q.empty());
}

TEST(send_queue_adopts_a_big_borrowed_rest_into_one_block_and_releases_consumed_borrows) {
  BlockPool pool(64, 8);
  SendQueue q;
  std::string big(1000, 0);
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 13 + 1);
  q.appendBorrowed(reinterpret_cast<const uint8_t*>(big.data()), big.size());
  q.appendBorrowed(reinterpret_cast<const uint8_t*>(big.data()), 10);
  q.consume(pool, 1000);  // the first borrow went out whole: released, nothing freed
  CHECK(q.borrowing());
  q.adoptBorrowed(pool);
  CHECK(!q.borrowing());
  CHECK(gatherAll(q) == big.substr(0, 10));
  q.clear(pool);
  q.appendBorrowed(reinterpret_cast<const uint8_t*>(big.data()), big.size());
  q.adoptBorrowed(pool);  // larger than a pooled block: a block of its own
  std::vector<ByteSlice> slices(4);
  CHECK_EQ(q.gather(slices.data(), 4), size_t(1));
  CHECK(slices[0].data != reinterpret_cast<const uint8_t*>(big.data()));
  CHECK(gatherAll(q) == big);
}
