// io_uring engine: ring plumbing (set-up, poll / sweep, batched submission, reaping, dispatch) and the
// engine's entry points. The class and the map of its files: uring_engine.h.
#include "uring/uring_backend.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

#include "core/clock.h"
#include "uring/probe.h"
#include "uring/sqe_prep.h"
#include "uring/uring_engine.h"
#include "uring/uring_sys.h"

namespace fastport {
namespace uring {

UringBackend::~UringBackend() {
  shutdown();
  ring_.close();  // nothing is in flight after shutdown(); closing the ring drops its registrations
  bufs_.detach();
  slices_.detach();
  files_.detach();
  ::close(eventFd_);
  ::close(wakeFd_);
}

std::string UringBackend::init() {
  tuning_ = tuningFrom(cfg_);
  std::string err = ring_.open(tuning_.sqEntries, tuning_.cqEntries, true);
  if (!err.empty()) return err;
  waitInRing_ = cfg_.ioThreads > 0 && ring_.hasExtArg();
  if (!waitInRing_) {
    int rc = sysRegister(ring_.fd(), IORING_REGISTER_EVENTFD, &eventFd_, 1);
    if (rc < 0) return std::string("IORING_REGISTER_EVENTFD: ") + std::strerror(-rc);
  }
  err = bufs_.init(ring_.fd(), kBufferGroup, tuning_.bufferCount, tuning_.bufferSize);
  if (!err.empty()) return err;
  err = slices_.init(ring_.fd(), tuning_.sliceCount, tuning_.sliceBytes);
  if (!err.empty()) return err;
  // Fixed files are an optimisation: without a table (old kernel, low fd limit) plain fds are used.
  files_.init(ring_.fd(), cfg_.maxConnections < 65536 ? cfg_.maxConnections : 65536);
  return "";
}

void UringBackend::poll(int timeoutMs) {
  if (!ensureEnabled()) return;
  if (waitInRing_) {
    bool waited = false;
    if (timeoutMs != 0 && backlog_.empty() && ring_.ready() == 0 && !ring_.overflowed()) {
      ring_.wait(timeoutMs);  // -ETIME after the timeout: nothing to do
      waited = true;
    }
    core_.setNow(monotonicMs());
    processCompletions(!waited);  // a wait already ran the deferred completions
    afterPass();
    return;
  }
  if (timeoutMs != 0 && backlog_.empty()) {
    pollfd p[2] = {{eventFd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    int n = ::poll(p, 2, timeoutMs);
    c_.syscalls.add();
    if (n <= 0) return;
    if (p[1].revents) {
      drain(wakeFd_);
      // Commands first (the driver applies them when this returns), then the completions; alternating so
      // a stream of wake-ups cannot starve completions.
      wokenLast_ = !wokenLast_;
      if (wokenLast_) return;
    } else {
      wokenLast_ = false;
    }
  }
  drain(eventFd_);  // reset before reaping: later work signals it again
  core_.setNow(monotonicMs());
  processCompletions(true);
  afterPass();
}

void UringBackend::sweep(uint64_t nowMs, bool jsCaughtUp) {
  if (!ensureEnabled()) return;
  for (auto& [id, l] : listeners_) {
    if (l.pausedUntilMs && nowMs >= l.pausedUntilMs) {
      l.pausedUntilMs = 0;
      armAccept(id, l);
    }
  }
  core_.sweep(nowMs, jsCaughtUp);
  afterPass();
}

void UringBackend::signal(int fd) {
  uint64_t one = 1;
  ssize_t rc = ::write(fd, &one, sizeof one);
  (void)rc;  // EAGAIN: already signalled
}

void UringBackend::drain(int fd) {
  uint64_t value;
  ssize_t rc = ::read(fd, &value, sizeof value);
  (void)rc;
  c_.syscalls.add();
}

void UringBackend::cancelEverything() {
  if (!enabled_) return;
  io_uring_sqe* e = sqe();
  e->opcode = IORING_OP_ASYNC_CANCEL;
  e->fd = -1;
  e->cancel_flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
  e->user_data = tag(Op::kCancel, 0);
  submit();
  auto anyStored = [this] {
    bool any = false;
    core_.forEach([&](CoreSession*) { any = true; });
    return any;
  };
  for (int round = 0; round < 50 && anyStored(); ++round) {
    processCompletions(true);
    if (!anyStored()) break;
    if (waitInRing_) {
      ring_.wait(10);
    } else {
      pollfd p{eventFd_, POLLIN, 0};
      if (::poll(&p, 1, 10) > 0) drain(eventFd_);
    }
  }
  submit();
}

bool UringBackend::ensureEnabled() {
  if (enabled_) return true;
  if (enableError_) return false;
  int rc = ring_.enable();
  if (rc < 0) {
    enableError_ = -rc;
    return false;
  }
  ring_.registerRingFd();  // this thread makes every enter() from now on
  enabled_ = true;
  if (waitInRing_) armWakeRead();
  return true;
}

io_uring_sqe* UringBackend::sqe() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (io_uring_sqe* e = ring_.nextSqe()) return e;
    submit();
  }
  // The kernel refuses every submission (a broken ring): never hang the process, drop this one.
  std::memset(&lostSqe_, 0, sizeof lostSqe_);
  return &lostSqe_;
}

void UringBackend::submit() {
  for (int attempt = 0; ring_.unsubmitted() > 0; ++attempt) {
    int rc = ring_.enter(attempt > 0);
    if (rc >= 0) break;
    if (rc == -EINTR) continue;
    if (rc != -EBUSY && rc != -EAGAIN) break;
    stashCompletions();
  }
  syncCounters();
}

void UringBackend::stashCompletions() {
  io_uring_cqe batch[kReapBatch];
  unsigned n;
  while ((n = ring_.reap(batch, kReapBatch)) > 0) backlog_.insert(backlog_.end(), batch, batch + n);
  if (!waitInRing_) signal(eventFd_);  // make sure the stashed ones get a pass soon
}

void UringBackend::syncCounters() {
  c_.uringEnter.add(ring_.enterCalls - reported_.enters);
  c_.syscalls.add(ring_.enterCalls - reported_.enters);
  c_.uringSqes.add(ring_.sqesSubmitted - reported_.sqes);
  c_.uringCqes.add(ring_.cqesReaped - reported_.cqes);
  reported_.enters = ring_.enterCalls;
  reported_.sqes = ring_.sqesSubmitted;
  reported_.cqes = ring_.cqesReaped;
  unsigned inUse = slices_.inUse();
  if (inUse > reported_.slices) c_.uringSendSlicesInUse.add(inUse - reported_.slices);
  if (inUse < reported_.slices) c_.uringSendSlicesInUse.sub(reported_.slices - inUse);
  reported_.slices = inUse;
}

void UringBackend::processCompletions(bool enterFirst) {
  bool enter = enterFirst;
  unsigned sinceEnter = 0;  // CQEs reaped since the last enter (or the wait before this pass)
  for (unsigned round = 0; round < kMaxReapRounds; ++round) {
    if (!backlog_.empty()) {
      handling_.clear();
      handling_.swap(backlog_);
      if (!handleAll(handling_.data(), unsigned(handling_.size()))) return;
      continue;
    }
    if (enter) {
      ring_.enter(true);  // -EBUSY / -EAGAIN: submission refused, the reap below makes room
      sinceEnter = 0;
    }
    io_uring_cqe batch[kReapBatch];
    unsigned n = ring_.reap(batch, kReapBatch);
    sinceEnter += n;
    if (waitInRing_ && answerWakeFirst(batch, n)) return;
    if (!handleAll(batch, n)) return;
    if (ring_.ready() > 0) {
      enter = false;  // more already posted: reap them first
    } else if (ring_.overflowed() || kernelStoppedEarly(sinceEnter)) {
      enter = true;  // completions parked or not yet run in the kernel: enter moves / runs them
    } else {
      return;
    }
  }
  tasksLeft_ = ring_.workPending();  // rounds used up: come back soon (afterPass)
}

bool UringBackend::kernelStoppedEarly(unsigned reapedSinceEnter) const {
  // Deferred completions still wait, and the last enter ran as many as it may: the kernel stopped at its
  // limit. Fewer: they are newer than that enter, and their arrival signalled the eventfd (entering for
  // them here would chase every segment of a big frame as it arrives).
  return reapedSinceEnter >= kKernelTaskRunLimit && ring_.workPending();
}

bool UringBackend::handleAll(const io_uring_cqe* cqes, unsigned n) {
  for (unsigned i = 0; i < n; ++i) {
    if (core_.batchFull()) {
      backlog_.insert(backlog_.begin(), cqes + i, cqes + n);  // before any stashed while handling
      return false;
    }
    handle(cqes[i]);
  }
  return true;
}

bool UringBackend::answerWakeFirst(const io_uring_cqe* batch, unsigned n) {
  bool woken = false;
  for (unsigned i = 0; i < n && !woken; ++i) woken = opOf(batch[i].user_data) == Op::kWake;
  if (!woken || wokenLast_) {
    if (n > 0) wokenLast_ = false;
    return false;
  }
  wokenLast_ = true;
  for (unsigned i = 0; i < n; ++i) {
    if (opOf(batch[i].user_data) == Op::kWake) {
      handle(batch[i]);
    } else {
      backlog_.push_back(batch[i]);
    }
  }
  return true;
}

void UringBackend::armWakeRead() {
  io_uring_sqe* e = sqe();
  e->opcode = IORING_OP_READ;
  e->fd = wakeFd_;
  e->addr = reinterpret_cast<uint64_t>(&wakeValue_);
  e->len = sizeof wakeValue_;
  e->off = uint64_t(-1);
  e->user_data = tag(Op::kWake, 0);
  wakeArmed_ = true;
}

void UringBackend::afterPass() {
  core_.flush();  // also bytes the protocol step queued while reading (pong, close, HTTP reply)
  resendAfterFullSocket();
  if (!rearm_.empty()) {
    rearming_.swap(rearm_);
    for (SessionSlab::Handle h : rearming_) {
      UringSession* s = sessionAt(h);
      if (!s) continue;
      s->lists &= uint8_t(~kInRearm);
      if (s->wantsRead() && s->recv == RecvState::kIdle) armRecv(*s);
    }
    rearming_.clear();
  }
  if (waitInRing_ && !wakeArmed_ && !shutDown_) armWakeRead();
  submit();
  // Completions posted during that submit, or left over by the bounded reaping: come back soon (thread
  // mode checks for these before it waits).
  if (!waitInRing_ && (ring_.ready() > 0 || ring_.overflowed() || tasksLeft_ || !backlog_.empty())) {
    signal(eventFd_);
  }
  tasksLeft_ = false;
}

void UringBackend::handle(const io_uring_cqe& cqe) {
  switch (opOf(cqe.user_data)) {
    case Op::kAccept:
      onAccept(uint32_t(cqe.user_data), cqe.res, cqe.flags);
      break;
    case Op::kRecv:
      onRecv(sessionAt(cqe.user_data), cqe.res, cqe.flags);
      break;
    case Op::kRecvDirect:
      if (UringSession* s = sessionAt(cqe.user_data)) onDirectRecv(*s, cqe.res);
      break;
    case Op::kSend:
      if (UringSession* s = sessionAt(cqe.user_data)) onSend(*s, cqe.res);
      break;
    case Op::kConnect:
      if (UringSession* s = sessionAt(cqe.user_data)) onConnect(*s, cqe.res);
      break;
    case Op::kConnectTimeout:
      if (UringSession* s = sessionAt(cqe.user_data)) {
        s->inFlight &= uint8_t(~kTimeoutRunning);
        connectSettled(*s);
        maybeFree(*s);
      }
      break;
    case Op::kCancel:
      break;
    case Op::kWake:
      wakeArmed_ = false;  // the eventfd was read by this completion; re-armed at the end of the pass
      break;
  }
}

io_uring_sqe* UringBackend::onSocket(io_uring_sqe* e, const UringSession& s) {
  if (s.fileSlot >= 0) {
    e->fd = s.fileSlot;
    e->flags |= IOSQE_FIXED_FILE;
  }
  return e;
}

}  // namespace uring

std::unique_ptr<Backend> createUringBackend(const LoopContext& ctx, std::string* error) {
  int eventFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventFd < 0 || wakeFd < 0) {
    *error = std::string("eventfd: ") + std::strerror(errno);
    if (eventFd >= 0) ::close(eventFd);
    if (wakeFd >= 0) ::close(wakeFd);
    return nullptr;
  }
  auto backend = std::make_unique<uring::UringBackend>(ctx, eventFd, wakeFd);
  std::string err = backend->init();
  if (!err.empty()) {
    *error = "uring engine: " + err;
    return nullptr;
  }
  return backend;
}

std::string probeUring() {
  return uring::probeUring();
}

}  // namespace fastport
