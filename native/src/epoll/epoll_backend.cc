// epoll engine: level-triggered epoll, non-blocking sockets, reads into one per-loop scratch buffer, one
// gathered sendmsg per session per turn, EPOLLOUT armed only while bytes are pending.
#include "epoll/epoll_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/frame_delivery.h"
#include "core/frame_parser.h"
#include "core/send_queue.h"
#include "core/send_watermark.h"
#include "posix/listen_socket.h"
#include "ws/wire_protocol.h"

namespace fastport {
namespace {

constexpr size_t kScratchBytes = 64 * 1024;
constexpr int kMaxEvents = 512;
constexpr int kReadsPerTurn = 16;         // per socket per pass (fairness); level-triggered epoll re-reports
constexpr int kAcceptsPerTurn = 128;      // per listener per pass
constexpr size_t kMaxIov = 1024;          // IOV_MAX on Linux
constexpr uint64_t kAcceptPauseMs = 250;  // after EMFILE / ENFILE
// A pass stops reading once the event batch holds this much; the other ready sockets stay ready
// (level-triggered) and are read on the next pass, after JS took this batch. Bounds batch memory.
constexpr size_t kBatchBudgetBytes = 8u << 20;
constexpr uint64_t kTagSession = 0;  // epoll data: (tag << 32) | id
constexpr uint64_t kTagListener = 1;
constexpr uint64_t kTagWake = 2;

uint64_t tagged(uint64_t tag, uint32_t id) {
  return (tag << 32) | id;
}

struct Session {
  enum class State : uint8_t { kConnecting, kOpen, kClosing };
  SessionId id = 0;
  int fd = -1;
  State state = State::kConnecting;
  bool readPaused = false;
  SendWatermark watermark;  // BLOCKED / WRITABLE / backpressure
  bool dirty = false;       // in dirty_ (bytes queued since the last flush)
  bool watched = false;     // in watch_ (may have a deadline)
  bool wantWrite = false;   // bytes pending the kernel did not take: EPOLLOUT wanted
  bool registered = false;  // added to the epoll set
  uint32_t mask = 0;        // events registered with epoll
  CloseReason closeReason = CloseReason::kNone;
  uint64_t connectDeadlineMs = 0;  // 0 = none
  uint64_t sendProgressMs = 0;     // last time the kernel took bytes (or the queue became non-empty)
  uint64_t resumedMs = 0;          // frame deadline counts from max(frame start, last resume)
  std::string remote;              // outbound: the target, reported in OPEN
  FrameParser parser;
  WireProtocol protocol;  // FastPort TCP, or the HTTP upgrade / WebSocket step
  SendQueue queue;
};

struct Listener {
  int fd = -1;
  uint64_t pausedUntilMs = 0;  // 0 = accepting
};

class EpollBackend final : public Backend {
 public:
  EpollBackend(const LoopContext& ctx, int epfd, int wakeFd)
      : ctx_(ctx),
        cfg_(*ctx.config),
        ev_(*ctx.events),
        c_(*ctx.counters),
        epfd_(epfd),
        wakeFd_(wakeFd),
        scratch_(new uint8_t[kScratchBytes]) {}

  ~EpollBackend() override {
    shutdown();
    ::close(wakeFd_);
    ::close(epfd_);
  }

  int pollFd() const override { return epfd_; }

  void wake() override {
    uint64_t one = 1;
    ssize_t rc = ::write(wakeFd_, &one, sizeof one);
    (void)rc;  // EAGAIN: the counter is already non-zero, a wake-up is pending anyway
  }

  void poll(int timeoutMs) override {
    epoll_event events[kMaxEvents];
    int n = epoll_wait(epfd_, events, kMaxEvents, timeoutMs);
    c_.syscalls.add();
    if (n <= 0) return;
    now_ = monotonicMs();
    for (int i = 0; i < n; ++i) {
      uint64_t data = events[i].data.u64;
      uint32_t id = uint32_t(data);
      switch (data >> 32) {
        case kTagWake: {
          uint64_t value;
          ssize_t rc = ::read(wakeFd_, &value, sizeof value);
          (void)rc;
          break;
        }
        case kTagListener:
          acceptAll(id);
          break;
        default:
          onSessionEvent(id, events[i].events);
          break;
      }
    }
    flush();  // bytes the protocol step queued while reading (pong, close, HTTP reply)
  }

  void sweep(uint64_t nowMs) override {
    now_ = nowMs;
    for (auto& [id, l] : listeners_) {
      if (l.pausedUntilMs && nowMs >= l.pausedUntilMs) {
        l.pausedUntilMs = 0;
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = tagged(kTagListener, id);
        epoll_ctl(epfd_, EPOLL_CTL_MOD, l.fd, &e);
        c_.syscalls.add();
      }
    }
    if (watch_.empty()) return;
    std::vector<SessionId>& watching = sweeping_;
    watching.swap(watch_);
    for (SessionId id : watching) {
      Session* s = find(id);
      if (!s) continue;
      s->watched = false;
      checkDeadlines(s);
      if (find(id)) rewatch(s);
    }
    watching.clear();
  }

  int listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
             uint16_t* boundPort) override {
    int fd = -1;
    if (int err = openListenSocket(addr, backlog, reusePort, &fd, boundPort)) return err;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = tagged(kTagListener, listenerId);
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &e) != 0) {
      int err = errno;
      ::close(fd);
      return err;
    }
    listeners_[listenerId] = Listener{fd, 0};
    return 0;
  }

  void unlisten(uint32_t listenerId) override {
    auto it = listeners_.find(listenerId);
    if (it == listeners_.end()) return;
    ::close(it->second.fd);  // also leaves the epoll set
    listeners_.erase(it);
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
    if (fd < 0) {
      ctx_.budget->release();
      ev_.close(id, CloseReason::kConnectFailed, uint32_t(errno));
      c_.closed.add();
      return;
    }
    Session* s = addSession(id, fd);
    s->remote = formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length);
    c_.syscalls.add();
    if (rc == 0) {
      opened(s, 0);
      return;
    }
    if (errno != EINPROGRESS) {
      closeSession(s, CloseReason::kConnectFailed, uint32_t(errno));
      return;
    }
    s->state = Session::State::kConnecting;
    s->connectDeadlineMs = timeoutMs ? now_ + timeoutMs : 0;
    updateMask(s);
    rewatch(s);
  }

  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) override {
    Session* s = find(id);
    if (!s || s->state == Session::State::kClosing || !s->protocol.acceptsFrames()) {
      c_.sendsDropped.add();
      return;
    }
    if (s->queue.empty()) s->sendProgressMs = now_ ? now_ : monotonicMs();
    uint8_t header[ws::kMaxServerHeaderBytes];
    if (size_t n = s->protocol.messageHeader(length, header)) {
      s->queue.append(pool_, header, n);
      c_.sendBytesPending.add(n);
    }
    s->queue.append(pool_, frames, length);
    c_.sendBytesPending.add(length);
    c_.framesOut.add(frameCount);
    if (!s->watermark.queued(s->queue.pending(), cfg_, ev_, id)) {
      closeSession(s, CloseReason::kBackpressure, 0);
      return;
    }
    markDirty(s);
  }

  void close(SessionId id, CloseReason reason) override {
    Session* s = find(id);
    if (!s || s->state == Session::State::kClosing) return;
    uint8_t closeFrame[ws::kMaxCloseFrameBytes];
    if (size_t n = s->protocol.closeFrame(reason, closeFrame)) queueRaw(s, closeFrame, n);
    if (s->state == Session::State::kConnecting || s->queue.empty()) {
      closeSession(s, reason, 0);
      return;
    }
    s->state = Session::State::kClosing;
    s->closeReason = reason;
    updateMask(s);  // stop reading
    markDirty(s);
    rewatch(s);
  }

  void abort(SessionId id, CloseReason reason) override {
    if (Session* s = find(id)) closeSession(s, reason, 0);
  }

  void pauseRead(SessionId id) override {
    Session* s = find(id);
    if (!s || s->readPaused) return;
    s->readPaused = true;
    updateMask(s);
  }

  void resumeRead(SessionId id) override {
    Session* s = find(id);
    if (!s || !s->readPaused) return;
    s->readPaused = false;
    s->resumedMs = monotonicMs();
    updateMask(s);
  }

  void httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) override {
    Session* s = find(id);
    if (!s || s->state != Session::State::kOpen || !s->protocol.awaitingReply()) return;
    now_ = monotonicMs();
    queueRaw(s, reply, length);
    if (after != CloseReason::kNone) {
      close(id, after);
      return;
    }
    InputVerdict v = s->protocol.upgrade(s->parser, s->id, cfg_, now_, ev_, c_, rawSink(s));
    afterInput(s, v, s->parser.midFrame());
  }

  void flush() override {
    if (dirty_.empty()) return;
    now_ = monotonicMs();
    std::vector<SessionId> dirty;
    dirty.swap(dirty_);
    for (SessionId id : dirty) {
      Session* s = find(id);
      if (!s) continue;
      s->dirty = false;
      // EPOLLOUT armed = a send is in flight (the socket buffer is full): wait for it.
      if (s->state == Session::State::kConnecting || (s->mask & EPOLLOUT)) continue;
      writeSome(s);
    }
    if (dirty_.empty() && dirty_.capacity() < dirty.capacity()) {
      dirty.clear();
      dirty_.swap(dirty);  // keep the larger buffer for the next turn
    }
  }

  void shutdown() override {
    for (auto& [id, l] : listeners_) ::close(l.fd);
    listeners_.clear();
    now_ = monotonicMs();
    std::vector<SessionId> ids;
    ids.reserve(sessions_.size());
    for (auto& [id, s] : sessions_) ids.push_back(id);
    for (SessionId id : ids) {
      Session* s = find(id);
      if (!s) continue;
      uint8_t closeFrame[ws::kMaxCloseFrameBytes];
      if (size_t n = s->protocol.closeFrame(CloseReason::kShutdown, closeFrame)) queueRaw(s, closeFrame, n);
      if (s->state != Session::State::kConnecting && !s->queue.empty()) writeSome(s);  // best effort
      if ((s = find(id))) closeSession(s, CloseReason::kShutdown, 0);
    }
  }

  size_t sessionCount() const override { return sessions_.size(); }

 private:
  Session* find(SessionId id) {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.get();
  }

  Session* addSession(SessionId id, int fd) {
    auto owned = std::make_unique<Session>();
    Session* s = owned.get();
    s->id = id;
    s->fd = fd;
    sessions_.emplace(id, std::move(owned));
    c_.sessions.add();
    return s;
  }

  void opened(Session* s, uint32_t listenerId) {
    s->state = Session::State::kOpen;
    s->connectDeadlineMs = 0;
    ev_.open(s->id, listenerId, s->remote);
    if (listenerId) {
      c_.accepted.add();
    } else {
      c_.connected.add();
    }
    updateMask(s);
    if (!s->queue.empty()) writeSome(s);
  }

  void acceptAll(uint32_t listenerId) {
    auto it = listeners_.find(listenerId);
    if (it == listeners_.end()) return;
    Listener& l = it->second;
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      int fd = accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      c_.syscalls.add();
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop accepting for a while instead of spinning on the ready listener.
          l.pausedUntilMs = now_ + kAcceptPauseMs;
          epoll_event e{};
          e.data.u64 = tagged(kTagListener, listenerId);
          epoll_ctl(epfd_, EPOLL_CTL_MOD, l.fd, &e);
          c_.acceptPaused.add();
        }
        return;  // EAGAIN or a pause
      }
      if (!ctx_.budget->tryAcquire()) {
        ::close(fd);
        c_.refused.add();
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Session* s = addSession(ctx_.ids->next(), fd);
      if (cfg_.websocket) s->protocol.sniff();
      s->remote = formatAddress(reinterpret_cast<sockaddr*>(&peer));
      opened(s, listenerId);
      s->remote.clear();
      s->remote.shrink_to_fit();
    }
  }

  void onSessionEvent(SessionId id, uint32_t events) {
    Session* s = find(id);
    if (!s) return;  // closed earlier in this pass
    if (s->state == Session::State::kConnecting) {
      finishConnect(s);
      return;
    }
    bool readable = (events & EPOLLIN) ||
                    ((events & (EPOLLERR | EPOLLHUP)) && s->state == Session::State::kOpen && !s->readPaused);
    if (readable && ev_.size() < kBatchBudgetBytes) {
      if (!readAll(s)) return;
    }
    if (events & EPOLLOUT) {
      writeSome(s);
      if (!(s = find(id))) return;
    }
    bool readsReport = s->state == Session::State::kOpen && !s->readPaused;
    if ((events & (EPOLLERR | EPOLLHUP)) && !readsReport) {
      // Error or hang-up that no read will see (reading paused or closing): report it now.
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      closeSession(s, err ? reasonFor(err) : CloseReason::kPeerClosed, uint32_t(err));
    }
  }

  void finishConnect(Session* s) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    c_.syscalls.add();
    if (err != 0) {
      closeSession(s, CloseReason::kConnectFailed, uint32_t(err));
      return;
    }
    opened(s, 0);
  }

  static CloseReason reasonFor(int err) {
    return (err == ECONNRESET || err == EPIPE) ? CloseReason::kReset : CloseReason::kIoError;
  }

  // Reads until EAGAIN or the per-pass budget. Returns false when the session was closed.
  bool readAll(Session* s) {
    for (int i = 0; i < kReadsPerTurn; ++i) {
      ssize_t n = ::read(s->fd, scratch_.get(), kScratchBytes);
      c_.syscalls.add();
      if (n > 0) {
        c_.bytesIn.add(uint64_t(n));
        if (!deliver(s, scratch_.get(), size_t(n))) return false;
        if (size_t(n) < kScratchBytes) return true;  // drained (level-triggered epoll tells us otherwise)
        if (ev_.size() >= kBatchBudgetBytes) return true;  // the rest on the next pass
        continue;
      }
      if (n == 0) {
        closeSession(s, CloseReason::kPeerClosed, 0);
        return false;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      closeSession(s, reasonFor(errno), uint32_t(errno));
      return false;
    }
    return true;
  }

  bool deliver(Session* s, uint8_t* data, size_t len) {
    bool held = s->parser.midFrame();
    InputVerdict v = s->protocol.receive(s->parser, s->id, data, len, cfg_, now_, ev_, c_, rawSink(s));
    return afterInput(s, v, held);
  }

  // Applies the protocol step's verdict; keeps recvBuffersHeld and the deadline watch. False: closed.
  bool afterInput(Session* s, InputVerdict v, bool held) {
    bool holds = s->parser.midFrame();
    if (holds != held) {
      if (holds) {
        c_.recvBuffersHeld.add();
      } else {
        c_.recvBuffersHeld.sub();
      }
    }
    if (v.close != CloseReason::kNone) {
      if (v.drain) {
        close(s->id, v.close);  // after the queued Close frame / HTTP reply
      } else {
        closeSession(s, v.close, 0);
      }
      return false;
    }
    rewatch(s);
    return true;
  }

  // Queues bytes of the protocol step (WebSocket control frames, HTTP replies) as they are.
  void queueRaw(Session* s, const uint8_t* data, size_t len) {
    if (s->queue.empty()) s->sendProgressMs = now_ ? now_ : monotonicMs();
    s->queue.append(pool_, data, len);
    c_.sendBytesPending.add(len);
    markDirty(s);
  }
  struct RawSink {
    EpollBackend* self;
    Session* s;
    void operator()(const uint8_t* data, size_t len) const { self->queueRaw(s, data, len); }
  };
  RawSink rawSink(Session* s) { return RawSink{this, s}; }

  // One gathered send of what is queued. Arms EPOLLOUT while bytes stay pending.
  void writeSome(Session* s) {
    if (s->queue.empty()) {
      if (s->state == Session::State::kClosing) finishClose(s);
      return;
    }
    ByteSlice slices[kMaxIov];
    iovec iov[kMaxIov];
    size_t n = s->queue.gather(slices, kMaxIov);
    for (size_t i = 0; i < n; ++i) iov[i] = iovec{const_cast<uint8_t*>(slices[i].data), slices[i].len};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    ssize_t sent = ::sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    c_.syscalls.add();
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        armWrite(s, true);
        return;
      }
      closeSession(s, reasonFor(errno), uint32_t(errno));
      return;
    }
    s->queue.consume(pool_, size_t(sent));
    c_.bytesOut.add(uint64_t(sent));
    c_.sendBytesPending.sub(uint64_t(sent));
    s->sendProgressMs = now_;
    s->watermark.sent(s->queue.pending(), cfg_, ev_, s->id);
    if (s->queue.empty()) {
      armWrite(s, false);
      if (s->state == Session::State::kClosing) finishClose(s);
      return;
    }
    armWrite(s, true);
    rewatch(s);
  }

  void armWrite(Session* s, bool on) {
    bool armed = s->mask & EPOLLOUT;
    if (armed == on) return;
    s->wantWrite = on;
    updateMask(s);
  }

  // Closing session whose queue drained: FIN after the last byte, then close.
  void finishClose(Session* s) {
    ::shutdown(s->fd, SHUT_WR);
    // Discard unread input so close() sends FIN, not RST (an RST could destroy the bytes just sent).
    for (int i = 0; i < 4; ++i) {
      ssize_t n = ::read(s->fd, scratch_.get(), kScratchBytes);
      if (n <= 0) break;
    }
    closeSession(s, s->closeReason, 0);
  }

  void updateMask(Session* s) {
    uint32_t want = 0;
    switch (s->state) {
      case Session::State::kConnecting:
        want = uint32_t(EPOLLOUT);
        break;
      case Session::State::kOpen:
        want = (s->readPaused ? 0u : uint32_t(EPOLLIN)) | (s->wantWrite ? uint32_t(EPOLLOUT) : 0u);
        break;
      case Session::State::kClosing:
        want = s->wantWrite ? uint32_t(EPOLLOUT) : 0u;
        break;
    }
    if (want == s->mask && s->registered) return;
    epoll_event e{};
    e.events = want;
    e.data.u64 = tagged(kTagSession, s->id);
    epoll_ctl(epfd_, s->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &e);
    c_.syscalls.add();
    s->registered = true;
    s->mask = want;
  }

  void markDirty(Session* s) {
    if (s->dirty) return;
    s->dirty = true;
    dirty_.push_back(s->id);
  }

  bool needsWatch(const Session* s) const {
    if (s->state != Session::State::kOpen) return true;  // connect deadline / close drain
    if (cfg_.frameTimeoutMs && s->protocol.inputPending(s->parser)) return true;
    if (cfg_.sendStallMs && !s->queue.empty()) return true;
    return false;
  }

  void rewatch(Session* s) {
    if (s->watched || !needsWatch(s)) return;
    s->watched = true;
    watch_.push_back(s->id);
  }

  void checkDeadlines(Session* s) {
    if (s->state == Session::State::kConnecting) {
      if (s->connectDeadlineMs && now_ >= s->connectDeadlineMs) {
        closeSession(s, CloseReason::kConnectTimeout, ETIMEDOUT);
      }
      return;
    }
    if (cfg_.sendStallMs && !s->queue.empty() && now_ - s->sendProgressMs >= cfg_.sendStallMs) {
      closeSession(s, CloseReason::kSendStalled, 0);
      return;
    }
    if (cfg_.frameTimeoutMs && s->protocol.inputPending(s->parser) && !s->readPaused &&
        s->state == Session::State::kOpen) {
      uint64_t started = s->protocol.inputStartedMs(s->parser);
      uint64_t since = started > s->resumedMs ? started : s->resumedMs;
      if (now_ - since >= cfg_.frameTimeoutMs) closeSession(s, CloseReason::kFrameTimeout, 0);
    }
  }

  // The one way a session ends: exactly one CLOSE record, fd closed, buffers released, counters updated.
  void closeSession(Session* s, CloseReason reason, uint32_t err) {
    ::close(s->fd);  // also removes it from the epoll set
    c_.syscalls.add();
    if (s->parser.midFrame()) c_.recvBuffersHeld.sub();
    s->parser.reset();
    s->protocol.reset();
    c_.sendBytesPending.sub(s->queue.pending());
    s->queue.clear(pool_);
    ev_.close(s->id, reason, err);
    c_.closed.add();
    c_.sessions.sub();
    ctx_.budget->release();
    sessions_.erase(s->id);  // s is gone from here on
  }

  LoopContext ctx_;
  const EngineConfig& cfg_;
  EventWriter& ev_;
  Counters& c_;
  int epfd_;
  int wakeFd_;
  std::unique_ptr<uint8_t[]> scratch_;
  BlockPool pool_;
  uint64_t now_ = 0;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<uint32_t, Listener> listeners_;
  std::vector<SessionId> dirty_;
  std::vector<SessionId> watch_;
  std::vector<SessionId> sweeping_;
};

}  // namespace

std::unique_ptr<Backend> createEpollBackend(const LoopContext& ctx, std::string* error) {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    *error = std::string("epoll_create1: ") + strerror(errno);
    return nullptr;
  }
  int wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd < 0) {
    *error = std::string("eventfd: ") + strerror(errno);
    ::close(epfd);
    return nullptr;
  }
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = tagged(kTagWake, 0);
  epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFd, &e);
  return std::make_unique<EpollBackend>(ctx, epfd, wakeFd);
}

}  // namespace fastport
