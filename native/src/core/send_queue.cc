#include "core/send_queue.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace fastport {

SharedPayload* SharedPayload::copyOf(const uint8_t* data, size_t len) {
  void* mem = std::malloc(sizeof(SharedPayload) + len);
  if (!mem) throw std::bad_alloc();
  auto* p = new (mem) SharedPayload();
  p->len_ = len;
  p->bytes_ = reinterpret_cast<uint8_t*>(p + 1);
  std::memcpy(p->bytes_, data, len);
  return p;
}

void SharedPayload::unref() {
  if (--refs_ > 0) return;
  this->~SharedPayload();
  std::free(this);
}

BlockPool::BlockPool(size_t blockSize, size_t maxFree) : blockSize_(blockSize), maxFree_(maxFree) {}

BlockPool::~BlockPool() {
  for (uint8_t* b : free_) delete[] b;
}

uint8_t* BlockPool::get() {
  if (free_.empty()) return new uint8_t[blockSize_];
  uint8_t* b = free_.back();
  free_.pop_back();
  return b;
}

void BlockPool::put(uint8_t* block) {
  if (free_.size() < maxFree_) {
    free_.push_back(block);
  } else {
    delete[] block;
  }
}

SendQueue::SendQueue(SendQueue&& other) noexcept
    : blocks_(std::move(other.blocks_)),
      head_(other.head_),
      pending_(other.pending_),
      borrowed_(other.borrowed_) {
  other.blocks_.clear();
  other.head_ = 0;
  other.pending_ = 0;
  other.borrowed_ = 0;
}

SendQueue& SendQueue::operator=(SendQueue&& other) noexcept {
  if (this != &other) {
    clear();
    blocks_ = std::move(other.blocks_);
    head_ = other.head_;
    pending_ = other.pending_;
    borrowed_ = other.borrowed_;
    other.blocks_.clear();
    other.head_ = 0;
    other.pending_ = 0;
    other.borrowed_ = 0;
  }
  return *this;
}

void SendQueue::append(BlockPool& pool, const uint8_t* data, size_t len) {
  if (len == 0) return;
  pending_ += len;
  if (len >= kDedicatedBytes) {
    uint8_t* mem = new uint8_t[len];
    std::memcpy(mem, data, len);
    blocks_.push_back(Block{mem, 0, uint32_t(len), uint32_t(len), false, nullptr});
    return;
  }
  // A small append that would start the queue or follow a shared or borrowed reference gets a small block:
  // a pooled one there would hold a block's size for a few bytes (a unicast between two broadcasts).
  bool afterReference = blocks_.size() > head_ && (blocks_.back().shared || blocks_.back().borrowed);
  if ((blocks_.size() == head_ || afterReference) && len <= kSmallBytes && kSmallBytes < pool.blockSize()) {
    blocks_.push_back(Block{new uint8_t[kSmallBytes], 0, 0, uint32_t(kSmallBytes), false, nullptr});
  }
  while (len > 0) {
    if (blocks_.size() == head_ || blocks_.back().end == blocks_.back().capacity) {
      blocks_.push_back(Block{pool.get(), 0, 0, uint32_t(pool.blockSize()), true, nullptr});
    }
    Block& tail = blocks_.back();
    size_t room = tail.capacity - tail.end;
    size_t take = len < room ? len : room;
    std::memcpy(tail.data + tail.end, data, take);
    tail.end += uint32_t(take);
    data += take;
    len -= take;
  }
}

void SendQueue::appendShared(SharedPayload& shared) {
  size_t len = shared.size();
  if (len == 0) return;
  shared.ref();
  pending_ += len;
  // The payload's bytes are const: data is only read through gather().
  auto* data = const_cast<uint8_t*>(shared.data());
  blocks_.push_back(Block{data, 0, uint32_t(len), uint32_t(len), false, &shared});
}

void SendQueue::appendBorrowed(const uint8_t* data, size_t len) {
  if (len == 0) return;
  pending_ += len;
  ++borrowed_;
  // Only read through gather(); capacity == end, so nothing is appended behind it.
  auto* bytes = const_cast<uint8_t*>(data);
  blocks_.push_back(Block{bytes, 0, uint32_t(len), uint32_t(len), false, nullptr, true});
}

void SendQueue::adoptBorrowed(BlockPool& pool) {
  for (size_t i = head_; i < blocks_.size() && borrowed_ > 0; ++i) {
    Block& b = blocks_[i];
    if (!b.borrowed) continue;
    size_t len = b.end - b.begin;
    // As append() stores them: a small rest in a small block (see kSmallBytes), up to a pooled block's
    // size in one (later appends fill it), a bigger one in a block of its own.
    bool small = len <= kSmallBytes && kSmallBytes < pool.blockSize();
    bool pooled = !small && len <= pool.blockSize();
    size_t capacity = small ? kSmallBytes : pooled ? pool.blockSize() : len;
    uint8_t* own = pooled ? pool.get() : new uint8_t[capacity];
    std::memcpy(own, b.data + b.begin, len);
    b = Block{own, 0, uint32_t(len), uint32_t(capacity), pooled, nullptr};
    --borrowed_;
  }
}

size_t SendQueue::gather(ByteSlice* out, size_t maxSlices, size_t maxBytes) const {
  size_t n = 0;
  for (size_t i = head_; i < blocks_.size() && n < maxSlices && maxBytes > 0; ++i) {
    const Block& b = blocks_[i];
    size_t len = b.end - b.begin;
    if (len == 0) continue;
    if (len > maxBytes) len = maxBytes;
    out[n++] = ByteSlice{b.data + b.begin, len};
    maxBytes -= len;
  }
  return n;
}

void SendQueue::consume(BlockPool& pool, size_t bytes) {
  pending_ -= bytes;
  while (bytes > 0 && head_ < blocks_.size()) {
    Block& b = blocks_[head_];
    size_t len = b.end - b.begin;
    if (bytes < len) {
      b.begin += uint32_t(bytes);
      return;
    }
    bytes -= len;
    release(&pool, b);
    ++head_;
  }
  if (head_ == blocks_.size()) {
    blocks_.clear();
    head_ = 0;
  } else if (head_ > 32 && head_ * 2 > blocks_.size()) {
    blocks_.erase(blocks_.begin(), blocks_.begin() + head_);
    head_ = 0;
  }
  if (pending_ == 0) clear(pool);  // idle sessions hold no send block
}

void SendQueue::clear(BlockPool& pool) {
  for (size_t i = head_; i < blocks_.size(); ++i) release(&pool, blocks_[i]);
  blocks_.clear();  // keeps the vector's few bytes of capacity for the next burst
  head_ = 0;
  pending_ = 0;
  borrowed_ = 0;
}

void SendQueue::clear() {
  for (size_t i = head_; i < blocks_.size(); ++i) release(nullptr, blocks_[i]);
  blocks_.clear();
  head_ = 0;
  pending_ = 0;
  borrowed_ = 0;
}

void SendQueue::release(BlockPool* pool, Block& b) {
  if (b.borrowed) {
    --borrowed_;  // the caller's bytes: nothing to free
  } else if (b.shared) {
    b.shared->unref();
  } else if (b.pooled && pool) {
    pool->put(b.data);
  } else {
    delete[] b.data;
  }
  b.data = nullptr;
}

}  // namespace fastport
