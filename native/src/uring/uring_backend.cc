// io_uring engine: multishot accept, multishot recv into a provided-buffer ring (idle sessions hold no
// buffer), sends copied into registered send slices (WRITE_FIXED, one in flight per session, released on
// completion), connect with a linked timeout, batched submission (one io_uring_enter per pass) and reaping.
// Inline mode: completions signal an eventfd registered with the ring (pollFd(), watched by libuv).
// Thread mode: poll() blocks in io_uring_enter itself (with a timeout); wake() writes a second eventfd that
// a READ in the ring is waiting on, so a wake-up is just another completion. A wake-up is answered first
// (the driver applies the commands, then the other completions are handled) so a PAUSE_READ sent before
// the peer's bytes holds them back.
#include "uring/uring_backend.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "uring/buffer_ring.h"
#include "uring/file_table.h"
#include "uring/probe.h"
#include "uring/ring.h"
#include "uring/send_slices.h"
#include "uring/sqe_prep.h"
#include "uring/uring_session.h"
#include "uring/uring_sys.h"
#include "uring/uring_tuning.h"

namespace fastport {
namespace uring {
namespace {

constexpr uint16_t kBufferGroup = 0;
constexpr unsigned kReapBatch = 256;
constexpr unsigned kMaxReapRounds = 64;   // per poll(): bounded, the eventfd re-fires if work is left
constexpr uint64_t kAcceptPauseMs = 250;  // after EMFILE / ENFILE
constexpr size_t kGatherSlices = 64;

CloseReason reasonFor(int err) {
  return (err == ECONNRESET || err == EPIPE) ? CloseReason::kReset : CloseReason::kIoError;
}

class UringBackend final : public Backend {
 public:
  UringBackend(const LoopContext& ctx, int eventFd, int wakeFd)
      : ctx_(ctx),
        cfg_(*ctx.config),
        ev_(*ctx.events),
        c_(*ctx.counters),
        eventFd_(eventFd),
        wakeFd_(wakeFd) {}

  ~UringBackend() override {
    shutdown();
    ring_.close();  // nothing is in flight after shutdown(); closing the ring drops its registrations
    bufs_.detach();
    slices_.detach();
    files_.detach();
    ::close(eventFd_);
    ::close(wakeFd_);
  }

  // Opens the ring disabled (the loop thread enables it on first use) and registers buffers + eventfd.
  std::string init() {
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
    if (!err.empty()) {
      return err +
             " (registered send slices are locked memory: raise `ulimit -l` or lower uringSendSliceCount)";
    }
    // Fixed files are an optimisation: without a table (old kernel, low fd limit) plain fds are used.
    files_.init(ring_.fd(), cfg_.maxConnections < 65536 ? cfg_.maxConnections : 65536);
    return "";
  }

  int pollFd() const override { return eventFd_; }

  void wake() override { signal(wakeFd_); }

  void poll(int timeoutMs) override {
    if (!ensureEnabled()) return;
    if (waitInRing_) {
      bool waited = false;
      if (timeoutMs != 0 && backlog_.empty() && ring_.ready() == 0 && !ring_.overflowed()) {
        ring_.wait(timeoutMs);  // -ETIME after the timeout: nothing to do
        waited = true;
      }
      now_ = monotonicMs();
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
    now_ = monotonicMs();
    processCompletions(true);
    afterPass();
  }

  void sweep(uint64_t nowMs) override {
    if (!ensureEnabled()) return;
    now_ = nowMs;
    for (auto& [id, l] : listeners_) {
      if (l.pausedUntilMs && nowMs >= l.pausedUntilMs) {
        l.pausedUntilMs = 0;
        armAccept(id, l);
      }
    }
    if (!watch_.empty()) {
      sweeping_.swap(watch_);
      for (SessionId id : sweeping_) {
        Session* s = findOpen(id);
        if (!s) continue;
        s->watched = false;
        checkDeadlines(s);
        if ((s = findOpen(id))) rewatch(s);
      }
      sweeping_.clear();
    }
    afterPass();
  }

  int listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
             uint16_t* boundPort) override {
    if (!ensureEnabled()) return enableError_;
    int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reusePort) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0 ||
        ::listen(fd, backlog) != 0) {
      int err = errno;
      ::close(fd);
      return err;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    *boundPort = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                             : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    Listener& l = listeners_[listenerId];
    l.fd = fd;
    armAccept(listenerId, l);
    submit();
    return 0;
  }

  void unlisten(uint32_t listenerId) override {
    auto it = listeners_.find(listenerId);
    if (it == listeners_.end()) return;
    if (it->second.armed && ensureEnabled()) {
      prepCancelUserData(sqe(), tag(Op::kAccept, listenerId), tag(Op::kCancel, 0));
      submit();
    }
    ::close(it->second.fd);  // the ring keeps its own reference until the accept is cancelled
    c_.syscalls.add();
    listeners_.erase(it);  // a late accept CQE finds no listener and closes its fd
  }

  void connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) override {
    now_ = monotonicMs();
    if (!ctx_.budget->tryAcquire()) {
      ev_.close(id, CloseReason::kConnectionLimit, 0);
      c_.closed.add();
      c_.refused.add();
      return;
    }
    int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c_.syscalls.add();
    if (fd < 0 || !ensureEnabled()) {
      int err = fd < 0 ? errno : enableError_;
      if (fd >= 0) ::close(fd);
      ctx_.budget->release();
      ev_.close(id, CloseReason::kConnectFailed, uint32_t(err));
      c_.closed.add();
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Session* s = addSession(id, fd);
    s->target = addr;
    s->remote = formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage));
    // connect + its linked timeout must sit next to each other in the SQ: make room for both first.
    if (ring_.sqEntries() - ring_.unsubmitted() < 2) submit();
    io_uring_sqe* c = sqe();
    prepConnect(c, fd, reinterpret_cast<const sockaddr*>(&s->target.storage), s->target.length,
                tag(Op::kConnect, id));
    s->connectInFlight = true;
    if (timeoutMs > 0) {
      s->connectTimeout.tv_sec = timeoutMs / 1000;
      s->connectTimeout.tv_nsec = (timeoutMs % 1000) * 1000000LL;
      c->flags |= IOSQE_IO_LINK;
      prepLinkTimeout(sqe(), &s->connectTimeout, tag(Op::kConnectTimeout, id));
      s->timeoutInFlight = true;
    }
    submit();
  }

  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) override {
    Session* s = findOpen(id);
    if (!s || s->state == Session::State::kDraining) {
      c_.sendsDropped.add();
      return;
    }
    if (s->pending() == 0) s->sendProgressMs = now_ ? now_ : monotonicMs();
    c_.sendBytesPending.add(length);
    c_.framesOut.add(frameCount);
    if (!appendToSlice(s, frames, length)) s->queue.append(pool_, frames, length);
    size_t pending = s->pending();
    if (pending > cfg_.sendHardLimit) {
      closeSession(s, CloseReason::kBackpressure, 0);
      return;
    }
    if (!s->blocked && pending > cfg_.sendSoftLimit) {
      s->blocked = true;
      ev_.blocked(id);
    }
    markDirty(s);
    rewatch(s);
  }

  void close(SessionId id, CloseReason reason) override {
    Session* s = findOpen(id);
    if (!s || s->state == Session::State::kDraining) return;
    if (s->state == Session::State::kConnecting || s->pending() == 0) {
      closeSession(s, reason, 0);
      return;
    }
    s->state = Session::State::kDraining;
    s->drainReason = reason;
    cancelRecv(s);  // reading stops now
    markDirty(s);
    rewatch(s);
  }

  void abort(SessionId id, CloseReason reason) override {
    if (Session* s = findOpen(id)) closeSession(s, reason, 0);
  }

  void pauseRead(SessionId id) override {
    Session* s = findOpen(id);
    if (!s || s->readPaused) return;
    s->readPaused = true;
    cancelRecv(s);
  }

  void resumeRead(SessionId id) override {
    Session* s = findOpen(id);
    if (!s || !s->readPaused) return;
    s->readPaused = false;
    s->resumedMs = monotonicMs();
    now_ = s->resumedMs;
    if (!deliverHeld(s)) return;  // a bad frame among them closed the session
    if (s->state == Session::State::kOpen && !s->recvArmed) armRecv(s);
  }

  void flush() override {
    if (!ensureEnabled()) return;
    if (!dirty_.empty()) {
      now_ = monotonicMs();
      flushing_.swap(dirty_);
      for (SessionId id : flushing_) {
        Session* s = findOpen(id);
        if (!s) continue;
        s->dirty = false;
        startSend(s);
      }
      flushing_.clear();
    }
    afterPass();
  }

  void shutdown() override {
    if (shutDown_) return;
    shutDown_ = true;
    for (auto& [id, l] : listeners_) ::close(l.fd);
    listeners_.clear();
    now_ = monotonicMs();
    std::vector<SessionId> ids;
    ids.reserve(sessions_.size());
    for (auto& [id, s] : sessions_) {
      if (s->state != Session::State::kClosed) ids.push_back(id);
    }
    for (SessionId id : ids) {
      Session* s = findOpen(id);
      if (!s) continue;
      if (s->state != Session::State::kConnecting && !s->sendInFlight) writeDirect(s);  // best effort
      closeSession(s, CloseReason::kShutdown, 0);
    }
    cancelEverything();
    // Whatever the kernel did not give back in time: its sockets live on until the ring is closed.
    for (auto& [id, s] : sessions_) {
      files_.remove(s->slot);  // the slot would keep the socket open
      if (s->fd >= 0) ::close(s->fd);
      s->fd = -1;
      releaseSlice(s.get());
    }
    sessions_.clear();
    syncCounters();
    if (enabled_) ring_.unregisterRingFd();  // on the loop thread, which registered it
  }

  size_t sessionCount() const override { return openSessions_; }

 private:
  // --- ring plumbing ---

  static void signal(int fd) {
    uint64_t one = 1;
    ssize_t rc = ::write(fd, &one, sizeof one);
    (void)rc;  // EAGAIN: already signalled
  }

  void drain(int fd) {
    uint64_t value;
    ssize_t rc = ::read(fd, &value, sizeof value);
    (void)rc;
    c_.syscalls.add();
  }

  // Cancels every request and waits (bounded, ~0.5 s) for their completions, so no receive buffer or send
  // slice is still in the kernel's hands when the memory goes away.
  void cancelEverything() {
    if (!enabled_) return;
    io_uring_sqe* e = sqe();
    e->opcode = IORING_OP_ASYNC_CANCEL;
    e->fd = -1;
    e->cancel_flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
    e->user_data = tag(Op::kCancel, 0);
    submit();
    for (int round = 0; round < 50 && !sessions_.empty(); ++round) {
      processCompletions(true);
      if (sessions_.empty()) break;
      if (waitInRing_) {
        ring_.wait(10);
      } else {
        pollfd p{eventFd_, POLLIN, 0};
        if (::poll(&p, 1, 10) > 0) drain(eventFd_);
      }
    }
    submit();
  }

  bool ensureEnabled() {
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

  // A free SQE; when the SQ is full, submits what is queued and retries (never drops an operation).
  io_uring_sqe* sqe() {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (io_uring_sqe* e = ring_.nextSqe()) return e;
      submit();
    }
    // The kernel refuses every submission (a broken ring): never hang the process, drop this one.
    std::memset(&lostSqe_, 0, sizeof lostSqe_);
    return &lostSqe_;
  }

  // Hands every queued SQE to the kernel in one io_uring_enter. -EBUSY / -EAGAIN (completions must be
  // reaped first): move the ready CQEs aside (handled in order on the next pass) and retry.
  void submit() {
    for (int attempt = 0; ring_.unsubmitted() > 0; ++attempt) {
      int rc = ring_.enter(attempt > 0);
      if (rc >= 0) break;
      if (rc == -EINTR) continue;
      if (rc != -EBUSY && rc != -EAGAIN) break;
      stashCompletions();
    }
    syncCounters();
  }

  void stashCompletions() {
    io_uring_cqe batch[kReapBatch];
    unsigned n;
    while ((n = ring_.reap(batch, kReapBatch)) > 0) backlog_.insert(backlog_.end(), batch, batch + n);
    if (!waitInRing_) signal(eventFd_);  // make sure the stashed ones get a pass soon
  }

  void syncCounters() {
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

  // Runs deferred completions and handles them: earlier stashed ones first, so each session's CQEs stay in
  // kernel order. One enter per pass unless the CQ is still full or overflowed (then enter again).
  void processCompletions(bool enterFirst) {
    bool enter = enterFirst;
    for (unsigned round = 0; round < kMaxReapRounds; ++round) {
      if (!backlog_.empty()) {
        handling_.clear();
        handling_.swap(backlog_);
        for (const io_uring_cqe& cqe : handling_) handle(cqe);
        continue;
      }
      if (enter) ring_.enter(true);  // -EBUSY / -EAGAIN: submission refused, the reap below makes room
      io_uring_cqe batch[kReapBatch];
      unsigned n = ring_.reap(batch, kReapBatch);
      if (waitInRing_ && answerWakeFirst(batch, n)) return;
      for (unsigned i = 0; i < n; ++i) handle(batch[i]);
      if (ring_.ready() > 0) {
        enter = false;  // more already posted: reap them first
      } else if (ring_.overflowed()) {
        enter = true;  // completions parked in the kernel: enter moves them into the CQ
      } else {
        break;
      }
    }
  }

  // Thread mode: a wake-up among the completions is handled alone and the rest kept for the next pass, so
  // the commands behind the wake-up are applied first. Alternates, so wake-ups cannot starve completions.
  bool answerWakeFirst(const io_uring_cqe* batch, unsigned n) {
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

  void armWakeRead() {
    io_uring_sqe* e = sqe();
    e->opcode = IORING_OP_READ;
    e->fd = wakeFd_;
    e->addr = reinterpret_cast<uint64_t>(&wakeValue_);
    e->len = sizeof wakeValue_;
    e->off = uint64_t(-1);
    e->user_data = tag(Op::kWake, 0);
    wakeArmed_ = true;
  }

  // End of a pass: re-arm receives that ran dry, hand free slices to waiting sessions, submit once.
  void afterPass() {
    if (!rearm_.empty()) {
      rearming_.swap(rearm_);
      for (SessionId id : rearming_) {
        Session* s = findOpen(id);
        if (!s) continue;
        s->rearmQueued = false;
        if (wantsRead(s) && !s->recvArmed) armRecv(s);
      }
      rearming_.clear();
    }
    serveSliceWaiters();
    if (waitInRing_ && !wakeArmed_ && !shutDown_) armWakeRead();
    submit();
    // Completions posted during that submit, or left over by the bounded reaping: come back soon (thread
    // mode checks for these before it waits).
    if (!waitInRing_ && (ring_.ready() > 0 || ring_.overflowed() || !backlog_.empty())) signal(eventFd_);
  }

  void handle(const io_uring_cqe& cqe) {
    uint32_t id = idOf(cqe.user_data);
    switch (opOf(cqe.user_data)) {
      case Op::kAccept:
        onAccept(id, cqe.res, cqe.flags);
        break;
      case Op::kRecv:
        onRecv(id, cqe.res, cqe.flags);
        break;
      case Op::kSend:
        onSend(id, cqe.res);
        break;
      case Op::kConnect:
        onConnect(id, cqe.res);
        break;
      case Op::kConnectTimeout:
        if (Session* s = findAny(id)) {
          s->timeoutInFlight = false;
          maybeFree(s);
        }
        break;
      case Op::kCancel:
        break;
      case Op::kWake:
        wakeArmed_ = false;  // the eventfd was read by this completion; re-armed at the end of the pass
        break;
    }
  }

  // --- accept ---

  void armAccept(uint32_t listenerId, Listener& l) {
    prepMultishotAccept(sqe(), l.fd, tag(Op::kAccept, listenerId));
    l.armed = true;
  }

  void onAccept(uint32_t listenerId, int res, uint32_t flags) {
    auto it = listeners_.find(listenerId);
    if (res >= 0) {
      if (it == listeners_.end() || shutDown_) {
        ::close(res);
      } else {
        admit(res, listenerId);
      }
    }
    if (flags & IORING_CQE_F_MORE) return;
    if (it == listeners_.end()) return;
    Listener& l = it->second;
    l.armed = false;
    if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
      // Out of descriptors: stop accepting for a while instead of spinning.
      l.pausedUntilMs = now_ + kAcceptPauseMs;
      c_.acceptPaused.add();
      return;
    }
    armAccept(listenerId, l);
  }

  void admit(int fd, uint32_t listenerId) {
    if (!ctx_.budget->tryAcquire()) {
      ::close(fd);
      c_.syscalls.add();
      c_.refused.add();
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len);
    c_.syscalls.add(2);
    Session* s = addSession(ctx_.ids->next(), fd);
    s->state = Session::State::kOpen;
    ev_.open(s->id, listenerId, formatAddress(reinterpret_cast<sockaddr*>(&peer)));
    c_.accepted.add();
    useFileSlot(s);
    armRecv(s);
  }

  // --- connect ---

  void onConnect(SessionId id, int res) {
    Session* s = findAny(id);
    if (!s) return;
    s->connectInFlight = false;
    if (s->state == Session::State::kClosed) {
      maybeFree(s);
      return;
    }
    if (res == 0) {
      s->state = Session::State::kOpen;
      ev_.open(id, 0, s->remote);
      s->remote.clear();
      s->remote.shrink_to_fit();
      c_.connected.add();
      useFileSlot(s);
      if (!s->readPaused) armRecv(s);
      startSend(s);
      return;
    }
    if (res == -ECANCELED) {
      closeSession(s, CloseReason::kConnectTimeout, ETIMEDOUT);
    } else {
      closeSession(s, CloseReason::kConnectFailed, uint32_t(-res));
    }
  }

  // --- receive ---

  bool wantsRead(const Session* s) const { return s->state == Session::State::kOpen && !s->readPaused; }

  // Gives an open session's socket a registered file slot (when the table has one).
  void useFileSlot(Session* s) {
    if (!files_.enabled()) return;
    s->slot = files_.add(s->fd);
    c_.syscalls.add();
  }

  // Points a request at the session's socket: its fixed file slot when it has one.
  static io_uring_sqe* onSocket(io_uring_sqe* e, const Session* s) {
    if (s->slot >= 0) {
      e->fd = s->slot;
      e->flags |= IOSQE_FIXED_FILE;
    }
    return e;
  }

  void armRecv(Session* s) {
    io_uring_sqe* e = sqe();
    prepMultishotRecv(e, s->fd, kBufferGroup, tag(Op::kRecv, s->id));
    onSocket(e, s);
    s->recvArmed = true;
    s->recvCancelling = false;
  }

  void cancelRecv(Session* s) {
    if (!s->recvArmed || s->recvCancelling) return;
    prepCancelUserData(sqe(), tag(Op::kRecv, s->id), tag(Op::kCancel, s->id));
    s->recvCancelling = true;
  }

  void queueRearm(Session* s) {
    if (s->rearmQueued) return;
    s->rearmQueued = true;
    rearm_.push_back(s->id);
  }

  void onRecv(SessionId id, int res, uint32_t flags) {
    Session* s = findAny(id);
    if (flags & IORING_CQE_F_BUFFER) {
      uint16_t bufferId = uint16_t(flags >> IORING_CQE_BUFFER_SHIFT);
      if (s && res > 0 && s->state == Session::State::kOpen) {
        if (s->readPaused) {
          hold(s, bufs_.data(bufferId), size_t(res));  // landed after PAUSE_READ: kept until RESUME_READ
        } else {
          deliver(s, bufs_.data(bufferId), size_t(res));
        }
      }
      bufs_.give(bufferId);  // its bytes are parsed (frames copied out, a partial frame kept by the parser)
      bufs_.publish();
    }
    if (!s) return;
    if (flags & IORING_CQE_F_MORE) return;
    s->recvArmed = false;
    s->recvCancelling = false;
    if (s->state == Session::State::kClosed) {
      maybeFree(s);
      return;
    }
    if (res == -ENOBUFS) {
      c_.uringBufRingEmpty.add();  // bytes stay in the socket; re-armed after this pass returned buffers
      if (wantsRead(s)) queueRearm(s);
      return;
    }
    if (res == 0 && s->state != Session::State::kDraining) {
      closeSession(s, CloseReason::kPeerClosed, 0);
      return;
    }
    if (res < 0 && res != -ECANCELED) {
      closeSession(s, reasonFor(-res), uint32_t(-res));
      return;
    }
    if (wantsRead(s)) queueRearm(s);  // multishot ended (or a pause was undone before the cancel landed)
  }

  void hold(Session* s, const uint8_t* data, size_t len) {
    c_.bytesIn.add(len);
    if (s->held.empty()) c_.recvBuffersHeld.add();
    s->held.insert(s->held.end(), data, data + len);
  }

  // RESUME_READ: the bytes that landed while paused go first. Returns false when that closed the session.
  bool deliverHeld(Session* s) {
    if (s->held.empty()) return true;
    SessionId id = s->id;
    std::vector<uint8_t> bytes;
    bytes.swap(s->held);
    c_.recvBuffersHeld.sub();
    c_.bytesIn.sub(bytes.size());  // counted when held
    deliver(s, bytes.data(), bytes.size());
    return findOpen(id) != nullptr;  // s may be gone
  }

  void deliver(Session* s, const uint8_t* data, size_t len) {
    c_.bytesIn.add(len);
    bool held = s->parser.midFrame();
    uint64_t frames = 0;
    auto status = s->parser.feed(data, len, cfg_.maxFrameBytes, now_,
                                 [&](uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t plen) {
                                   ev_.frame(s->id, msgId, seq, payload, plen);
                                   ++frames;
                                 });
    c_.framesIn.add(frames);
    if (status != FrameParser::Status::kOk) {
      if (held) c_.recvBuffersHeld.sub();
      closeSession(
          s,
          status == FrameParser::Status::kTooLarge ? CloseReason::kFrameTooLarge : CloseReason::kFrameInvalid,
          0);
      return;
    }
    bool holds = s->parser.midFrame();
    if (holds == held) return;
    if (holds) {
      c_.recvBuffersHeld.add();
      rewatch(s);
    } else {
      c_.recvBuffersHeld.sub();
    }
  }

  // --- send ---

  // Fast path: a session with nothing in flight or queued copies the frames straight into its slice.
  bool appendToSlice(Session* s, const uint8_t* data, size_t len) {
    if (s->sendInFlight || !s->queue.empty()) return false;
    if (s->slice < 0) {
      if (!sliceWaiters_.empty() || len > slices_.sliceBytes()) return false;
      s->slice = slices_.acquire();
      if (s->slice < 0) return false;
    }
    if (s->sliceLen + len > slices_.sliceBytes()) return false;
    std::memcpy(slices_.data(s->slice) + s->sliceLen, data, len);
    s->sliceLen += uint32_t(len);
    return true;
  }

  // One WRITE_FIXED of the slice's unsent bytes, refilled from the queue first. Waits for a free slice when
  // the pool is exhausted.
  void startSend(Session* s) {
    if (s->sendInFlight || s->state == Session::State::kConnecting || s->state == Session::State::kClosed) {
      return;
    }
    if (s->slice < 0) {
      if (s->queue.empty()) {
        if (s->state == Session::State::kDraining) finishDrain(s);
        return;
      }
      // Behind sessions already waiting for a slice (unless this is one of them being served).
      s->slice = (sliceWaiters_.empty() || servingWaiters_) ? slices_.acquire() : -1;
      if (s->slice < 0) {
        if (!s->waitingSlice) {
          s->waitingSlice = true;
          sliceWaiters_.push_back(s->id);
        }
        return;
      }
    }
    if (s->sliceSent == s->sliceLen) {
      s->sliceSent = s->sliceLen = 0;
    }
    size_t room = slices_.sliceBytes() - s->sliceLen;
    while (room > 0 && !s->queue.empty()) {
      ByteSlice parts[kGatherSlices];
      size_t n = s->queue.gather(parts, kGatherSlices, room);
      size_t copied = 0;
      uint8_t* dst = slices_.data(s->slice) + s->sliceLen;
      for (size_t i = 0; i < n; ++i) {
        std::memcpy(dst + copied, parts[i].data, parts[i].len);
        copied += parts[i].len;
      }
      s->queue.consume(pool_, copied);  // the bytes now live in the slice until the kernel takes them
      s->sliceLen += uint32_t(copied);
      room -= copied;
      if (copied == 0) break;
    }
    if (s->sliceLen == s->sliceSent) {
      releaseSlice(s);
      if (s->state == Session::State::kDraining) finishDrain(s);
      return;
    }
    submitSliceWrite(s);
  }

  void submitSliceWrite(Session* s) {
    io_uring_sqe* e = sqe();
    prepWriteFixed(e, s->fd, slices_.data(s->slice) + s->sliceSent, s->sliceLen - s->sliceSent,
                   uint16_t(s->slice), tag(Op::kSend, s->id));
    onSocket(e, s);
    s->sendInFlight = true;
  }

  void onSend(SessionId id, int res) {
    Session* s = findAny(id);
    if (!s) return;
    s->sendInFlight = false;
    if (s->state == Session::State::kClosed) {
      releaseSlice(s);
      maybeFree(s);
      return;
    }
    if (res < 0) {
      if (res == -EINTR || res == -EAGAIN) {
        submitSliceWrite(s);
        return;
      }
      closeSession(s, reasonFor(-res), uint32_t(-res));
      return;
    }
    s->sliceSent += uint32_t(res);
    c_.bytesOut.add(uint64_t(res));
    c_.sendBytesPending.sub(uint64_t(res));
    if (res > 0) s->sendProgressMs = now_;
    if (s->blocked && s->pending() <= cfg_.sendSoftLimit / 2) {
      s->blocked = false;
      ev_.writable(id);
    }
    if (s->sliceSent < s->sliceLen) {
      submitSliceWrite(s);  // short send: the rest of the slice goes next
      return;
    }
    s->sliceSent = s->sliceLen = 0;
    if (s->queue.empty() || !sliceWaiters_.empty()) {
      // Done, or give others their turn: the slice goes back and this session queues behind them.
      releaseSlice(s);
    }
    startSend(s);
  }

  void releaseSlice(Session* s) {
    if (s->slice < 0) return;
    slices_.giveBack(s->slice);
    s->slice = -1;
    s->sliceLen = s->sliceSent = 0;
  }

  void serveSliceWaiters() {
    servingWaiters_ = true;
    size_t i = 0;
    for (; i < sliceWaiters_.size() && slices_.inUse() < tuning_.sliceCount; ++i) {
      Session* s = findOpen(sliceWaiters_[i]);
      if (!s || !s->waitingSlice) continue;
      s->waitingSlice = false;
      startSend(s);
    }
    if (i > 0) sliceWaiters_.erase(sliceWaiters_.begin(), sliceWaiters_.begin() + long(i));
    servingWaiters_ = false;
  }

  // Closing session whose bytes all went out: FIN after the last byte, then close.
  void finishDrain(Session* s) {
    ::shutdown(s->fd, SHUT_WR);
    c_.syscalls.add();
    // Discard unread input (until EAGAIN, bounded) so close() sends FIN, not RST: an RST would make the
    // kernel drop the bytes just sent that the peer has not received yet.
    static thread_local uint8_t scratch[64 * 1024];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::read(s->fd, scratch, sizeof scratch);
      c_.syscalls.add();
      if (n < ssize_t(sizeof scratch)) break;
    }
    closeSession(s, s->drainReason, 0);
  }

  // Shutdown's best effort: one non-blocking write of what is pending, straight from the slice / queue.
  void writeDirect(Session* s) {
    if (s->slice >= 0 && s->sliceLen > s->sliceSent) {
      ssize_t n = ::send(s->fd, slices_.data(s->slice) + s->sliceSent, s->sliceLen - s->sliceSent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      c_.syscalls.add();
      if (n <= 0 || uint32_t(n) < s->sliceLen - s->sliceSent) return;
    }
    while (!s->queue.empty()) {
      ByteSlice part;
      if (s->queue.gather(&part, 1) == 0) break;
      ssize_t n = ::send(s->fd, part.data, part.len, MSG_NOSIGNAL | MSG_DONTWAIT);
      c_.syscalls.add();
      if (n <= 0) break;
      s->queue.consume(pool_, size_t(n));
      if (size_t(n) < part.len) break;
    }
  }

  // --- sessions ---

  Session* addSession(SessionId id, int fd) {
    auto owned = std::make_unique<Session>();
    Session* s = owned.get();
    s->id = id;
    s->fd = fd;
    sessions_.emplace(id, std::move(owned));
    c_.sessions.add();
    ++openSessions_;
    return s;
  }

  Session* findAny(SessionId id) {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.get();
  }

  Session* findOpen(SessionId id) {
    Session* s = findAny(id);
    return (s && s->state != Session::State::kClosed) ? s : nullptr;
  }

  void markDirty(Session* s) {
    if (s->dirty) return;
    s->dirty = true;
    dirty_.push_back(s->id);
  }

  bool needsWatch(const Session* s) const {
    if (s->state == Session::State::kDraining) return true;
    if (cfg_.frameTimeoutMs && s->parser.midFrame()) return true;
    return cfg_.sendStallMs && s->pending() > 0;
  }

  void rewatch(Session* s) {
    if (s->watched || !needsWatch(s)) return;
    s->watched = true;
    watch_.push_back(s->id);
  }

  // Connect deadlines are the kernel's (linked timeout); these are the rest.
  void checkDeadlines(Session* s) {
    if (s->state == Session::State::kConnecting) return;
    if (cfg_.sendStallMs && s->pending() > 0 && now_ - s->sendProgressMs >= cfg_.sendStallMs) {
      closeSession(s, CloseReason::kSendStalled, 0);
      return;
    }
    if (cfg_.frameTimeoutMs && s->parser.midFrame() && !s->readPaused && s->state == Session::State::kOpen) {
      uint64_t since = s->parser.frameStartedMs() > s->resumedMs ? s->parser.frameStartedMs() : s->resumedMs;
      if (now_ - since >= cfg_.frameTimeoutMs) closeSession(s, CloseReason::kFrameTimeout, 0);
    }
  }

  // The one way a session ends for JS: exactly one CLOSE record and the counters now; the fd and the slice
  // are released once the kernel has finished every request on them (maybeFree).
  void closeSession(Session* s, CloseReason reason, uint32_t err) {
    if (s->state == Session::State::kClosed) return;
    s->state = Session::State::kClosed;
    if (s->parser.midFrame()) c_.recvBuffersHeld.sub();
    s->parser.reset();
    if (!s->held.empty()) c_.recvBuffersHeld.sub();
    std::vector<uint8_t>().swap(s->held);
    c_.sendBytesPending.sub(s->pending());
    s->queue.clear(pool_);
    if (!s->sendInFlight) releaseSlice(s);
    ev_.close(s->id, reason, err);
    c_.closed.add();
    c_.sessions.sub();
    --openSessions_;
    ctx_.budget->release();
    if (s->inFlight() && s->fd >= 0 && enabled_ && !shutDown_) {
      io_uring_sqe* e = sqe();
      prepCancelFd(e, s->fd, tag(Op::kCancel, s->id));
      if (s->slot >= 0) {
        e->fd = s->slot;  // requests on a fixed file are found by their slot
        e->cancel_flags |= IORING_ASYNC_CANCEL_FD_FIXED;
      }
    }
    maybeFree(s);
  }

  void maybeFree(Session* s) {
    if (s->state != Session::State::kClosed || s->inFlight()) return;
    if (s->slot >= 0) {
      files_.remove(s->slot);
      c_.syscalls.add();
    }
    if (s->fd >= 0) {
      ::close(s->fd);
      c_.syscalls.add();
    }
    releaseSlice(s);
    sessions_.erase(s->id);  // s is gone from here on
  }

  LoopContext ctx_;
  const EngineConfig& cfg_;
  EventWriter& ev_;
  Counters& c_;
  int eventFd_;
  int wakeFd_;
  bool wokenLast_ = false;
  bool waitInRing_ =
      false;  // thread mode: poll() waits in io_uring_enter, wake-ups arrive as READ completions
  bool wakeArmed_ = false;
  uint64_t wakeValue_ = 0;
  io_uring_sqe lostSqe_{};
  Tuning tuning_{};
  Ring ring_;  // declared before the buffers: they unregister from it when destroyed
  BufferRing bufs_;
  SendSlices slices_;
  FileTable files_;
  BlockPool pool_;
  bool enabled_ = false;
  int enableError_ = 0;
  bool shutDown_ = false;
  bool servingWaiters_ = false;
  uint64_t now_ = 0;
  size_t openSessions_ = 0;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<uint32_t, Listener> listeners_;
  std::vector<SessionId> dirty_, flushing_, watch_, sweeping_, rearm_, rearming_, sliceWaiters_;
  std::vector<io_uring_cqe> backlog_, handling_;
  struct {
    uint64_t enters = 0, sqes = 0, cqes = 0;
    unsigned slices = 0;
  } reported_;
};

}  // namespace
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
