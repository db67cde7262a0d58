// Send buffer pool registered with the ring (IORING_REGISTER_BUFFERS, one registered buffer: index 0),
// carved into `count` fixed slices of `sliceBytes`. A session takes a run of adjacent free slices (one for
// small frames, several while streaming a large backlog, so one WRITE_FIXED carries up to run x sliceBytes)
// and gives it back only when the kernel reports its write complete (delayed consume).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/non_copyable.h"

namespace fastport::uring {

struct SliceRun {
  int first = -1;  // -1 = none
  unsigned count = 0;
};

class SendSlices : NonCopyable {
 public:
  ~SendSlices() { release(); }

  // Returns '' or the reason. count <= 16384. Where the kernel refuses to register the pool (no locked
  // memory left), the pool still works unregistered: registered() is false and registerError() says why.
  std::string init(int ringFd, unsigned count, unsigned sliceBytes);
  void release();
  // The ring was closed (which dropped the registration): release() then only frees the memory.
  void detach() { ringFd_ = -1; }

  unsigned sliceBytes() const { return sliceBytes_; }
  bool registered() const { return ringFd_ >= 0; }
  const std::string& registerError() const { return registerError_; }
  unsigned inUse() const { return count_ - free_; }
  bool anyFree() const { return free_ > 0; }
  // A run of 1..maxCount adjacent free slices (as long as the neighbours are free), or first = -1.
  SliceRun acquire(unsigned maxCount);
  void giveBack(SliceRun run);
  uint8_t* data(int slice) { return memory_ + static_cast<size_t>(slice) * sliceBytes_; }
  static constexpr uint16_t kBufferIndex = 0;

 private:
  int ringFd_ = -1;
  unsigned count_ = 0;
  unsigned sliceBytes_ = 0;
  unsigned free_ = 0;
  unsigned cursor_ = 0;  // where the next search starts: the last run given back, else after the last taken
  uint8_t* memory_ = nullptr;
  size_t memoryBytes_ = 0;
  std::vector<bool> used_;
  std::string registerError_;
};

}  // namespace fastport::uring
