// Send buffer pool registered with the ring (IORING_REGISTER_BUFFERS): `count` fixed slices of
// `sliceBytes`, slice i = registered buffer index i. A slice is acquired to copy outgoing bytes into and
// released only when the kernel reports its write complete (delayed consume).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fastport::uring {

class SendSlices {
 public:
  SendSlices() = default;
  SendSlices(const SendSlices&) = delete;
  SendSlices& operator=(const SendSlices&) = delete;
  ~SendSlices() { release(); }

  // Returns '' or the reason. count <= 16384 (the kernel's registered buffer limit).
  std::string init(int ringFd, unsigned count, unsigned sliceBytes);
  void release();
  // The ring was closed (which dropped the registration): release() then only frees the memory.
  void detach() { ringFd_ = -1; }

  unsigned sliceBytes() const { return sliceBytes_; }
  unsigned inUse() const { return count_ - static_cast<unsigned>(free_.size()); }
  // A free slice index, or -1 when all are in flight.
  int acquire();
  void giveBack(int slice) { free_.push_back(static_cast<uint16_t>(slice)); }
  uint8_t* data(int slice) { return memory_ + static_cast<size_t>(slice) * sliceBytes_; }

 private:
  int ringFd_ = -1;
  unsigned count_ = 0;
  unsigned sliceBytes_ = 0;
  uint8_t* memory_ = nullptr;
  size_t memoryBytes_ = 0;
  std::vector<uint16_t> free_;
};

}  // namespace fastport::uring
