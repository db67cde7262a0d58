// Provided-buffer ring (IORING_REGISTER_PBUF_RING): `count` receive buffers of `size` bytes the kernel
// picks from only when data arrives, so idle sockets hold none. A buffer picked by a recv completion is
// the caller's until give() hands it back; publish() makes given-back buffers visible to the kernel.
#pragma once

#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/non_copyable.h"

namespace fastport::uring {

class BufferRing : NonCopyable {
 public:
  ~BufferRing() { release(); }

  // `count` must be a power of two (1..32768). Registers group `group` on ring `ringFd`; every buffer
  // starts in the ring. Returns '' or the reason.
  std::string init(int ringFd, uint16_t group, unsigned count, unsigned size);
  void release();
  // The ring was closed (which dropped the registration): release() then only frees the memory.
  void detach() { ringFd_ = -1; }

  uint16_t group() const { return group_; }
  unsigned size() const { return size_; }
  unsigned count() const { return count_; }
  uint8_t* data(uint16_t bufferId) { return memory_ + static_cast<size_t>(bufferId) * size_; }

  // Queues buffer `bufferId` for the kernel again (visible after publish()).
  void give(uint16_t bufferId);
  void publish();
  // Buffers the kernel may still pick (given back and published, not yet consumed by a recv).
  unsigned outstanding() const { return outstanding_; }
  void consumed() { --outstanding_; }

 private:
  int ringFd_ = -1;
  uint16_t group_ = 0;
  unsigned count_ = 0;
  unsigned size_ = 0;
  io_uring_buf_ring* ring_ = nullptr;
  size_t ringBytes_ = 0;
  uint8_t* memory_ = nullptr;
  size_t memoryBytes_ = 0;
  uint16_t tail_ = 0;
  unsigned unpublished_ = 0;
  unsigned outstanding_ = 0;
};

}  // namespace fastport::uring
