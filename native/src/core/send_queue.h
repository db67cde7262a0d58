// One session's outgoing bytes: frames copied in from JS's command buffer (or borrowed from it while the
// engine writes synchronously, see appendBorrowed), gathered into slices for one writev / send, and released
// only after the kernel accepted them ("delayed consume"). Partial writes just consume fewer bytes; a large
// frame spans several blocks and goes out over several writes (streamed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/byte_slice.h"

namespace fastport {

// One copy of a broadcast's frames that many sessions' queues point at (reference-counted, one I/O loop:
// not thread-safe). The creator holds a reference while it hands the payload out; the last release frees it.
class SharedPayload {
 public:
  static SharedPayload* copyOf(const uint8_t* data, size_t len);
  const uint8_t* data() const { return bytes_; }
  size_t size() const { return len_; }
  void ref() { ++refs_; }
  void unref();  // frees at zero
  size_t refs() const { return refs_; }

 private:
  SharedPayload() = default;
  size_t refs_ = 1;
  size_t len_ = 0;
  uint8_t* bytes_ = nullptr;  // len_ bytes, allocated right behind the object
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
  // small block of kSmallBytes of its own when the bytes fit it (see kSmallBytes), as does an append behind
  // a shared or borrowed reference.
  void append(BlockPool& pool, const uint8_t* data, size_t len);
  // Queues the whole shared payload without copying it (takes a reference; released when consumed).
  void appendShared(SharedPayload& shared);
  // Queues len bytes without copying them: the caller keeps them valid and unchanged until it calls
  // adoptBorrowed() (what the kernel accepted before then was never copied in user space).
  void appendBorrowed(const uint8_t* data, size_t len);
  // Copies the unsent rest of every borrowed append into blocks of the queue's own, in place (order kept).
  void adoptBorrowed(BlockPool& pool);
  // Some queued bytes are still borrowed (adoptBorrowed() is due).
  bool borrowing() const { return borrowed_ > 0; }
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
    uint32_t begin;         // first unsent byte
    uint32_t end;           // one past the last written byte
    uint32_t capacity;      // bytes allocated (shared: its size, so nothing is appended behind it)
    bool pooled;            // from the BlockPool (else new[] of its own, shared or borrowed)
    SharedPayload* shared;  // non-null: data points into it, and the block holds one reference
    bool borrowed = false;  // data is the caller's (appendBorrowed): never freed here
  };
  void release(BlockPool* pool, Block& b);
  void clear();  // destructor path: blocks without a pool are deleted directly

  std::vector<Block> blocks_;
  size_t head_ = 0;  // index of the first live block
  size_t pending_ = 0;
  size_t borrowed_ = 0;  // live borrowed blocks
};

}  // namespace fastport
