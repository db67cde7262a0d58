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
  if (memoryBytes_ > (size_t(1) << 30)) return "send slices exceed 1 GiB (count x size)";
  void* memory = mmap(nullptr, memoryBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return std::string("mmap send slices: ") + std::strerror(errno);
  memory_ = static_cast<uint8_t*>(memory);
  iovec whole{memory_, memoryBytes_};
  int rc = sysRegister(ringFd, IORING_REGISTER_BUFFERS, &whole, 1);
  // Registered buffers are locked memory, counted per user against RLIMIT_MEMLOCK (8 MiB or 64 KiB for
  // most users): without room the same slices are written with plain WRITE, the kernel pinning per call.
  if (rc == -ENOMEM || rc == -EPERM) {
    registerError_ = std::string("IORING_REGISTER_BUFFERS: ") + std::strerror(-rc);
  } else if (rc < 0) {
    release();
    return std::string("IORING_REGISTER_BUFFERS: ") + std::strerror(-rc);
  } else {
    ringFd_ = ringFd;
  }
  count_ = count;
  sliceBytes_ = sliceBytes;
  free_ = count;
  cursor_ = 0;
  used_.assign(count, false);
  return "";
}

void SendSlices::release() {
  if (ringFd_ >= 0) sysRegister(ringFd_, IORING_UNREGISTER_BUFFERS, nullptr, 0);
  ringFd_ = -1;
  registerError_.clear();
  if (memory_) munmap(memory_, memoryBytes_);
  memory_ = nullptr;
  count_ = free_ = 0;
  used_.clear();
}

SliceRun SendSlices::acquire(unsigned maxCount) {
  SliceRun run;
  if (free_ == 0) return run;
  unsigned at = cursor_;
  while (used_[at]) at = (at + 1) % count_;  // free_ > 0: ends
  unsigned n = 1;
  while (n < maxCount && at + n < count_ && !used_[at + n]) ++n;
  for (unsigned i = 0; i < n; ++i) used_[at + i] = true;
  free_ -= n;
  cursor_ = (at + n) % count_;
  run.first = int(at);
  run.count = n;
  return run;
}

void SendSlices::giveBack(SliceRun run) {
  if (run.first < 0) return;
  for (unsigned i = 0; i < run.count; ++i) used_[unsigned(run.first) + i] = false;
  free_ += run.count;
  cursor_ =
      unsigned(run.first);  // the next acquire starts here: the slice still warm in cache, not the coldest
}

}  // namespace fastport::uring
