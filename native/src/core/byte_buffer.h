// A growable byte buffer without zero-filling (the event batch and the command inbox use it). Its storage
// is one malloc'd block with a holder count ahead of the bytes, so another owner (the JS ArrayBuffer an
// event batch is lent as) can keep the bytes alive after the buffer let go of them (retainStorage()).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace fastport {

class ByteBuffer {
 public:
  // One storage block: the holder count, then the bytes. Freed by its last holder.
  struct alignas(16) Storage {
    std::atomic<uint32_t> holders{1};
  };

  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& other) noexcept { swap(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    ByteBuffer(std::move(other)).swap(*this);
    return *this;
  }
  ~ByteBuffer() { release(storage_); }

  uint8_t* data() { return storage_ ? bytesOf(storage_) : nullptr; }
  const uint8_t* data() const { return storage_ ? bytesOf(storage_) : nullptr; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

  // Makes room for n more bytes and returns where they go; commit(n) afterwards.
  uint8_t* reserve(size_t n) {
    if (capacity_ - size_ < n) grow(size_ + n);
    return data() + size_;
  }
  void commit(size_t n) { size_ += n; }
  void append(const void* src, size_t n) {
    if (n == 0) return;
    std::memcpy(reserve(n), src, n);
    size_ += n;
  }
  // Releases the memory when it grew beyond keepBytes (after a huge batch).
  void shrinkTo(size_t keepBytes) {
    if (capacity_ > keepBytes && size_ == 0) {
      release(storage_);
      storage_ = nullptr;
      capacity_ = 0;
    }
  }
  void swap(ByteBuffer& other) noexcept {
    std::swap(storage_, other.storage_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  // One more holder of the current storage (nullptr when none is allocated): data() and capacity() of
  // now stay valid until that holder calls release(), whatever this buffer does meanwhile. Bytes written
  // into the storage later (while this buffer still uses it) are seen by that holder too.
  Storage* retainStorage() {
    if (storage_) storage_->holders.fetch_add(1, std::memory_order_relaxed);
    return storage_;
  }
  static void release(Storage* s) {
    if (s && s->holders.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      s->~Storage();
      std::free(s);
    }
  }

 private:
  static uint8_t* bytesOf(Storage* s) { return reinterpret_cast<uint8_t*>(s) + sizeof(Storage); }
  static const uint8_t* bytesOf(const Storage* s) {
    return reinterpret_cast<const uint8_t*>(s) + sizeof(Storage);
  }
  void grow(size_t need) {
    size_t cap = capacity_ ? capacity_ : 4096;
    while (cap < need) cap *= 2;
    void* block = std::malloc(sizeof(Storage) + cap);
    if (!block) throw std::bad_alloc();
    Storage* bigger = new (block) Storage();
    if (size_) std::memcpy(bytesOf(bigger), bytesOf(storage_), size_);
    release(storage_);
    storage_ = bigger;
    capacity_ = cap;
  }

  Storage* storage_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace fastport
