#include "send_slices.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "uring_sys.h"

namespace fastport::uring {

std::string SendSlices::init(int ringFd, unsigned count, unsigned sliceBytes) {
  release();
  if (count == 0 || count > 16384) return "send slice count must be 1..16384";
  if (sliceBytes == 0) return "send slice size must be > 0";
  memoryBytes_ = static_cast<size_t>(count) * sliceBytes;
  void* memory = mmap(nullptr, memoryBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return std::string("mmap send slices: ") + std::strerror(errno);
  memory_ = static_cast<uint8_t*>(memory);
  std::vector<iovec> iovs(count);
  for (unsigned i = 0; i < count; ++i)
    iovs[i] = iovec{memory_ + static_cast<size_t>(i) * sliceBytes, sliceBytes};
  int rc = sysRegister(ringFd, IORING_REGISTER_BUFFERS, iovs.data(), count);
  if (rc < 0) {
    release();
    return std::string("IORING_REGISTER_BUFFERS: ") + std::strerror(-rc);
  }
  ringFd_ = ringFd;
  count_ = count;
  sliceBytes_ = sliceBytes;
  free_.clear();
  for (unsigned i = count; i-- > 0;) free_.push_back(static_cast<uint16_t>(i));
  return "";
}

void SendSlices::release() {
  if (ringFd_ >= 0) sysRegister(ringFd_, IORING_UNREGISTER_BUFFERS, nullptr, 0);
  ringFd_ = -1;
  if (memory_) munmap(memory_, memoryBytes_);
  memory_ = nullptr;
  count_ = 0;
  free_.clear();
}

int SendSlices::acquire() {
  if (free_.empty()) return -1;
  int slice = free_.back();
  free_.pop_back();
  return slice;
}

}  // namespace fastport::uring
