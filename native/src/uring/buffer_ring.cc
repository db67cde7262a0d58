#include "buffer_ring.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "uring_sys.h"

namespace fastport::uring {

std::string BufferRing::init(int ringFd, uint16_t group, unsigned count, unsigned size) {
  release();
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0)
    return "provided buffer count must be a power of two";
  ringBytes_ = count * sizeof(io_uring_buf);
  void* ring = mmap(nullptr, ringBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring == MAP_FAILED) return std::string("mmap buffer ring: ") + std::strerror(errno);
  ring_ = static_cast<io_uring_buf_ring*>(ring);
  memoryBytes_ = static_cast<size_t>(count) * size;
  void* memory = mmap(nullptr, memoryBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    release();
    return std::string("mmap receive buffers: ") + std::strerror(errno);
  }
  memory_ = static_cast<uint8_t*>(memory);

  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof reg);
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = group;
  int rc = sysRegister(ringFd, IORING_REGISTER_PBUF_RING, &reg, 1);
  if (rc < 0) {
    release();
    return std::string("IORING_REGISTER_PBUF_RING: ") + std::strerror(-rc);
  }
  ringFd_ = ringFd;
  group_ = group;
  count_ = count;
  size_ = size;
  tail_ = 0;
  for (unsigned i = 0; i < count; ++i) give(static_cast<uint16_t>(i));
  publish();
  return "";
}

void BufferRing::release() {
  if (ringFd_ >= 0) {
    io_uring_buf_reg reg;
    std::memset(&reg, 0, sizeof reg);
    reg.bgid = group_;
    sysRegister(ringFd_, IORING_UNREGISTER_PBUF_RING, &reg, 1);
    ringFd_ = -1;
  }
  if (ring_) munmap(ring_, ringBytes_);
  if (memory_) munmap(memory_, memoryBytes_);
  ring_ = nullptr;
  memory_ = nullptr;
  unpublished_ = outstanding_ = 0;
}

void BufferRing::give(uint16_t bufferId) {
  // Index the entries from the ring's start: in C++ the header's flexible-array wrapper has a 1-byte empty
  // member, which would shift `ring_->bufs` by 8 bytes.
  io_uring_buf* entries = reinterpret_cast<io_uring_buf*>(ring_);
  io_uring_buf& slot = entries[(tail_ + unpublished_) & (count_ - 1)];
  slot.addr = reinterpret_cast<uint64_t>(data(bufferId));
  slot.len = size_;
  slot.bid = bufferId;
  ++unpublished_;
}

void BufferRing::publish() {
  if (unpublished_ == 0) return;
  tail_ = static_cast<uint16_t>(tail_ + unpublished_);
  outstanding_ += unpublished_;
  unpublished_ = 0;
  __atomic_store_n(&ring_->tail, tail_, __ATOMIC_RELEASE);
}

}  // namespace fastport::uring
