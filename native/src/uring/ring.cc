#include "ring.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "uring_sys.h"

namespace fastport::uring {

namespace {

template <typename T>
T* at(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

unsigned loadAcquire(const unsigned* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void storeRelease(unsigned* p, unsigned v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

// Flag sets tried in order: each later one drops a feature an older kernel rejects with EINVAL.
// TASKRUN_FLAG: the kernel flags IORING_SQ_TASKRUN while deferred completions wait to be run (workPending()).
constexpr unsigned kFlagChoices[] = {
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
        IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER,
    IORING_SETUP_SUBMIT_ALL,
    0,
};

}  // namespace

std::string Ring::open(unsigned sqEntries, unsigned cqEntries, bool startDisabled) {
  close();
  int fd = -EINVAL;
  io_uring_params params;
  for (unsigned flags : kFlagChoices) {
    std::memset(&params, 0, sizeof params);
    params.flags =
        flags | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | (startDisabled ? IORING_SETUP_R_DISABLED : 0);
    params.cq_entries = cqEntries < sqEntries ? sqEntries : cqEntries;
    fd = sysSetup(sqEntries, &params);
    if (fd != -EINVAL) break;
  }
  if (fd < 0) return std::string("io_uring_setup: ") + std::strerror(-fd);
  fd_ = fd;
  enterFd_ = fd;
  enterFlags_ = 0;
  setupFlags_ = params.flags;
  features_ = params.features;
  sqEntries_ = params.sq_entries;
  std::string err = mapRings(params);
  if (!err.empty()) close();
  return err;
}

std::string Ring::mapRings(const io_uring_params& p) {
  sqMapBytes_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cqMapBytes_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cqMapBytes_ > sqMapBytes_) sqMapBytes_ = cqMapBytes_;
  sqMap_ =
      mmap(nullptr, sqMapBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
  if (sqMap_ == MAP_FAILED) {
    sqMap_ = nullptr;
    return std::string("mmap SQ ring: ") + std::strerror(errno);
  }
  if (single) {
    cqMap_ = sqMap_;
  } else {
    cqMap_ = mmap(nullptr, cqMapBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                  IORING_OFF_CQ_RING);
    if (cqMap_ == MAP_FAILED) {
      cqMap_ = nullptr;
      return std::string("mmap CQ ring: ") + std::strerror(errno);
    }
  }
  sqesBytes_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes =
      mmap(nullptr, sqesBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return std::string("mmap SQEs: ") + std::strerror(errno);
  sqes_ = static_cast<io_uring_sqe*>(sqes);

  sqHead_ = at<unsigned>(sqMap_, p.sq_off.head);
  sqTail_ = at<unsigned>(sqMap_, p.sq_off.tail);
  sqFlags_ = at<unsigned>(sqMap_, p.sq_off.flags);
  sqMask_ = *at<unsigned>(sqMap_, p.sq_off.ring_mask);
  unsigned* array = at<unsigned>(sqMap_, p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; ++i) array[i] = i;  // identity: SQE i sits in slot i
  sqeTail_ = *sqTail_;

  cqHead_ = at<unsigned>(cqMap_, p.cq_off.head);
  cqTail_ = at<unsigned>(cqMap_, p.cq_off.tail);
  cqMask_ = *at<unsigned>(cqMap_, p.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(cqMap_, p.cq_off.cqes);
  return "";
}

int Ring::enable() {
  return sysRegister(fd_, IORING_REGISTER_ENABLE_RINGS, nullptr, 0);
}

void Ring::registerRingFd() {
  io_uring_rsrc_update update;
  std::memset(&update, 0, sizeof update);
  update.offset = ~0u;  // any free slot
  update.data = static_cast<uint64_t>(fd_);
  if (sysRegister(fd_, IORING_REGISTER_RING_FDS, &update, 1) == 1) {
    enterFd_ = static_cast<int>(update.offset);
    enterFlags_ = IORING_ENTER_REGISTERED_RING;
  }
}

void Ring::unregisterRingFd() {
  if (!(enterFlags_ & IORING_ENTER_REGISTERED_RING)) return;
  io_uring_rsrc_update update;
  std::memset(&update, 0, sizeof update);
  update.offset = static_cast<unsigned>(enterFd_);
  sysRegister(fd_, IORING_UNREGISTER_RING_FDS, &update, 1);
  enterFd_ = fd_;
  enterFlags_ = 0;
}

void Ring::close() {
  if (sqes_) munmap(sqes_, sqesBytes_);
  if (cqMap_ && cqMap_ != sqMap_) munmap(cqMap_, cqMapBytes_);
  if (sqMap_) munmap(sqMap_, sqMapBytes_);
  if (fd_ >= 0) ::close(fd_);
  sqes_ = nullptr;
  cqMap_ = sqMap_ = nullptr;
  fd_ = enterFd_ = -1;
  enterFlags_ = 0;
}

io_uring_sqe* Ring::nextSqe() {
  if (sqeTail_ - loadAcquire(sqHead_) >= sqEntries_) return nullptr;
  io_uring_sqe* sqe = &sqes_[sqeTail_ & sqMask_];
  std::memset(sqe, 0, sizeof *sqe);
  ++sqeTail_;
  return sqe;
}

unsigned Ring::unsubmitted() const {
  return sqeTail_ - loadAcquire(sqHead_);
}

int Ring::enter(bool getEvents, unsigned waitFor) {
  storeRelease(sqTail_, sqeTail_);
  const unsigned toSubmit = unsubmitted();
  unsigned flags = enterFlags_;
  if (getEvents || waitFor > 0) flags |= IORING_ENTER_GETEVENTS;
  if (toSubmit == 0 && !(flags & IORING_ENTER_GETEVENTS)) return 0;
  ++enterCalls;
  int rc = sysEnter(enterFd_, toSubmit, waitFor, flags);
  if (rc > 0) sqesSubmitted += static_cast<unsigned>(rc);
  return rc;
}

int Ring::wait(int timeoutMs) {
  storeRelease(sqTail_, sqeTail_);
  __kernel_timespec ts{timeoutMs > 0 ? timeoutMs / 1000 : 0,
                       timeoutMs > 0 ? (timeoutMs % 1000) * 1000000LL : 0};
  io_uring_getevents_arg arg;
  std::memset(&arg, 0, sizeof arg);
  arg.sigmask_sz = _NSIG / 8;
  arg.ts = timeoutMs < 0 ? 0 : reinterpret_cast<uint64_t>(&ts);  // < 0: no timeout
  const unsigned toSubmit = unsubmitted();
  ++enterCalls;
  int rc = sysEnterArg(enterFd_, toSubmit, 1, enterFlags_ | IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                       &arg, sizeof arg);
  if (rc > 0) sqesSubmitted += static_cast<unsigned>(rc);
  return rc;
}

unsigned Ring::ready() const {
  return loadAcquire(cqTail_) - *cqHead_;
}

unsigned Ring::reap(io_uring_cqe* out, unsigned max) {
  unsigned head = *cqHead_;
  const unsigned tail = loadAcquire(cqTail_);
  unsigned n = 0;
  while (head != tail && n < max) out[n++] = cqes_[head++ & cqMask_];
  if (n > 0) {
    storeRelease(cqHead_, head);
    cqesReaped += n;
  }
  return n;
}

}  // namespace fastport::uring
