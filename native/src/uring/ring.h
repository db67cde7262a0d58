// One io_uring instance: SQ/CQ rings and the SQE array mapped into this process, talked to with raw
// syscalls. Owned and used by exactly one thread (the engine's loop thread); not thread-safe.
#pragma once

#include <linux/io_uring.h>

#include <cstdint>
#include <string>

#include "core/non_copyable.h"

namespace fastport::uring {

class Ring : NonCopyable {
 public:
  ~Ring() { close(); }

  // Creates the ring with `sqEntries` SQEs and `cqEntries` CQEs (both rounded up to powers of two by the
  // kernel). Prefers single-issuer + deferred task running, falling back flag by flag on EINVAL.
  // startDisabled: IORING_SETUP_R_DISABLED, so registrations can happen on this thread and the loop thread
  // becomes the single issuer with enable(). Returns '' on success, else the reason (errno text).
  std::string open(unsigned sqEntries, unsigned cqEntries, bool startDisabled = false);
  // IORING_REGISTER_ENABLE_RINGS from the thread that will submit. Returns 0 or -errno.
  int enable();
  // Registers the ring fd with the calling thread (IORING_REGISTER_RING_FDS), so its enter() calls skip the
  // fd lookup. Only for the thread that makes every enter(); silently stays unregistered when unsupported.
  void registerRingFd();
  // Undoes registerRingFd() (same thread). Needed before close(): the registration keeps the ring alive.
  void unregisterRingFd();
  void close();

  int fd() const { return fd_; }
  unsigned setupFlags() const { return setupFlags_; }
  unsigned features() const { return features_; }
  unsigned sqEntries() const { return sqEntries_; }
  bool deferTaskrun() const { return (setupFlags_ & IORING_SETUP_DEFER_TASKRUN) != 0; }

  // A zeroed SQE to fill, or nullptr when the SQ is full (submit with enter() and retry).
  io_uring_sqe* nextSqe();
  // SQEs written but not yet consumed by the kernel.
  unsigned unsubmitted() const;
  // Submits every unsubmitted SQE; with getEvents (or waitFor > 0) also runs deferred completions and
  // waits for `waitFor` CQEs. Returns SQEs consumed or -errno (-EBUSY / -EAGAIN: reap CQEs, retry).
  int enter(bool getEvents, unsigned waitFor = 0);
  // Submits, then waits up to timeoutMs (< 0: no limit) for at least one CQE (IORING_ENTER_EXT_ARG; needs
  // hasExtArg()).
  // Returns SQEs consumed or -errno (-ETIME: nothing arrived in time).
  int wait(int timeoutMs);
  bool hasExtArg() const { return (features_ & IORING_FEAT_EXT_ARG) != 0; }
  // Copies up to `max` ready CQEs into `out` and frees their ring slots. Returns how many.
  unsigned reap(io_uring_cqe* out, unsigned max);
  // CQEs ready in the ring now.
  unsigned ready() const;
  // The CQ overflowed: completions wait in the kernel until an enter() with getEvents moves them over.
  bool overflowed() const {
    return (__atomic_load_n(sqFlags_, __ATOMIC_ACQUIRE) & IORING_SQ_CQ_OVERFLOW) != 0;
  }

  // Deferred completions (DEFER_TASKRUN task work) still wait in the kernel: an enter() with getEvents runs
  // them. One enter runs at most 20 of them (Linux 6.13+, IO_LOCAL_TW_DEFAULT_MAX), and a rest left over
  // does not signal the registered eventfd again. Always false without IORING_SETUP_TASKRUN_FLAG.
  bool workPending() const { return (__atomic_load_n(sqFlags_, __ATOMIC_ACQUIRE) & IORING_SQ_TASKRUN) != 0; }

  // Counters for stats(): io_uring_enter calls, SQEs handed to the kernel, CQEs reaped.
  uint64_t enterCalls = 0;
  uint64_t sqesSubmitted = 0;
  uint64_t cqesReaped = 0;

 private:
  int fd_ = -1;
  int enterFd_ = -1;         // fd_, or its registered index
  unsigned enterFlags_ = 0;  // IORING_ENTER_REGISTERED_RING when enterFd_ is an index
  unsigned setupFlags_ = 0;
  unsigned features_ = 0;
  unsigned sqEntries_ = 0;

  void* sqMap_ = nullptr;
  size_t sqMapBytes_ = 0;
  void* cqMap_ = nullptr;  // == sqMap_ with IORING_FEAT_SINGLE_MMAP
  size_t cqMapBytes_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqesBytes_ = 0;

  unsigned* sqHead_ = nullptr;  // written by the kernel
  unsigned* sqTail_ = nullptr;  // written by us
  unsigned* sqFlags_ = nullptr;
  unsigned sqMask_ = 0;
  unsigned sqeTail_ = 0;  // our local tail, published on enter()

  unsigned* cqHead_ = nullptr;  // written by us
  unsigned* cqTail_ = nullptr;  // written by the kernel
  unsigned cqMask_ = 0;
  io_uring_cqe* cqes_ = nullptr;

  std::string mapRings(const io_uring_params& params);
};

}  // namespace fastport::uring
