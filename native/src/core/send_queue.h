// One session's outgoing bytes: frames copied in from JS's command buffer, gathered into slices for one
// writev / send, and released only after the kernel accepted them ("delayed consume"). Partial writes just
// consume fewer bytes; a large frame spans several blocks and goes out over several writes (streamed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastport {

struct ByteSlice {
  const uint8_t* data;
  size_t len;
};

// Recycles fixed-size send blocks for one I/O loop (not thread-safe: one pool per loop thread).
class BlockPool {
 public:
  explicit BlockPool(size_t blockSize = 16 * 1024, size_t maxFree = 1024);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  size_t blockSize() const { return blockSize_; }
  uint8_t* get();
  void put(uint8_t* block);
  size_t freeBlocks() const { return free_.size(); }

 private:
  size_t blockSize_;
  size_t maxFree_;
  std::vector<uint8_t*> free_;
};

class SendQueue {
 public:
  SendQueue() = default;
  ~SendQueue() { clear(); }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;
  SendQueue(SendQueue&& other) noexcept;
  SendQueue& operator=(SendQueue&& other) noexcept;

  // Copies len bytes to the end of the queue. Appends at or above kDedicatedBytes get a block of their own
  // (fewer slices for big frames); smaller ones fill pooled blocks, except that an empty queue starts with a
  // small block of kSmallBytes of its own when the bytes fit it (see kSmallBytes).
  void append(BlockPool& pool, const uint8_t* data, size_t len);
  // Fills out[0..n) with the oldest pending bytes, at most maxSlices slices and maxBytes bytes; returns n.
  // Does not consume: call consume() with what the kernel accepted.
  size_t gather(ByteSlice* out, size_t maxSlices, size_t maxBytes = SIZE_MAX) const;
  // Releases the first `bytes` pending bytes (bytes <= pending()).
  void consume(BlockPool& pool, size_t bytes);
  // Drops everything (session closing).
  void clear(BlockPool& pool);

  size_t pending() const { return pending_; }
  bool empty() const { return pending_ == 0; }

  static constexpr size_t kDedicatedBytes = 256 * 1024;
  // A few small frames (a Welcome, a 101, a reply) start an empty queue in a block of this size from the
  // allocator instead of a pooled one (when the pool's blocks are bigger): a burst of connects that each get
  // one small frame then touches 1 KiB per session instead of a 16 KiB block's first pages, which stayed
  // resident after the burst (about 250 B per idle session measured at 10,000 sessions).
  static constexpr size_t kSmallBytes = 1024;

 private:
  struct Block {
    uint8_t* data;
    uint32_t begin;     // first unsent byte
    uint32_t end;       // one past the last written byte
    uint32_t capacity;  // bytes allocated
    bool pooled;        // from the BlockPool (else new[] of its own)
  };
  void release(BlockPool* pool, Block& b);
  void clear();  // destructor path: blocks without a pool are deleted directly

  std::vector<Block> blocks_;
  size_t head_ = 0;  // index of the first live block
  size_t pending_ = 0;
};

}  // namespace fastport
