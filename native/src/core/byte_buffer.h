// A growable byte buffer without zero-filling (the event batch and the command inbox use it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace fastport {

class ByteBuffer {
 public:
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

  // Makes room for n more bytes and returns where they go; commit(n) afterwards.
  uint8_t* reserve(size_t n) {
    if (capacity_ - size_ < n) grow(size_ + n);
    return data_.get() + size_;
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
      data_.reset();
      capacity_ = 0;
    }
  }
  void swap(ByteBuffer& other) noexcept {
    data_.swap(other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  void grow(size_t need) {
    size_t cap = capacity_ ? capacity_ : 4096;
    while (cap < need) cap *= 2;
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace fastport
