#include "win/session_backend.h"

#include "core/clock.h"
#include "core/frame_delivery.h"
#include "win/loop_group.h"

namespace fastport::win {
namespace {

constexpr ULONG kEntriesPerPoll = 128;
constexpr uint64_t kAcceptPauseMs = 250;  // after running out of sockets
constexpr uint64_t kDrainLimitMs = 2000;  // destructor: how long to wait for cancelled operations
constexpr DWORD kAddressBytes = sizeof(sockaddr_storage) + 16;

}  // namespace

SessionBackend::SessionBackend(const LoopContext& ctx, HANDLE port, const ExtensionFns& fns)
    : ctx_(ctx),
      cfg_(*ctx.config),
      ev_(*ctx.events),
      c_(*ctx.counters),
      port_(port),
      fns_(fns),
      scratch_(new uint8_t[kScratchBytes]) {
  loop_group::join(ctx_, this);
}

SessionBackend::~SessionBackend() {
  // Engines call shutdown() + drain() first; sockets handed over after that are closed here.
  std::lock_guard<std::mutex> lock(handoffMutex_);
  for (Accepted& a : handoff_) closesocket(a.sock);
  handoff_.clear();
  CloseHandle(port_);
}

void SessionBackend::wake() {
  PostQueuedCompletionStatus(port_, 0, kWakeKey, nullptr);
}

void SessionBackend::poll(int timeoutMs) {
  OVERLAPPED_ENTRY entries[kEntriesPerPoll];
  ULONG n = 0;
  DWORD wait = timeoutMs < 0 ? INFINITE : DWORD(timeoutMs);
  BOOL ok = GetQueuedCompletionStatusEx(port_, entries, kEntriesPerPoll, &n, wait, FALSE);
  c_.syscalls.add();
  if (!ok || n == 0) return;
  now_ = monotonicMs();
  for (ULONG i = 0; i < n; ++i) dispatch(entries[i]);
}

void SessionBackend::dispatch(const OVERLAPPED_ENTRY& e) {
  if (e.lpCompletionKey == kWakeKey && !e.lpOverlapped) return;
  if (e.lpCompletionKey == kHandoffKey && !e.lpOverlapped) {
    now_ = monotonicMs();
    takeHandedOver();
    return;
  }
  if (handlePortEntry(e)) return;
  if (!e.lpOverlapped) return;
  Op* op = reinterpret_cast<Op*>(e.lpOverlapped);
  uint32_t err = wsaErrorFromStatus(e.Internal);
  DWORD bytes = e.dwNumberOfBytesTransferred;
  switch (op->kind) {
    case OpKind::kAccept:
      onAccept(op, err);
      return;
    case OpKind::kConnect: {
      Session* s = op->session;
      if (opDone(s)) return;
      connectDone(s, err);
      return;
    }
    case OpKind::kRecv:
    case OpKind::kSend:
      completed(op, err, bytes);
      return;
  }
}

// --- listeners ---

int SessionBackend::listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
                           uint16_t* boundPortOut) {
  int family = addr.storage.ss_family;
  SOCKET sock = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, socketFlags());
  if (sock == INVALID_SOCKET) return WSAGetLastError();
  // No other socket may bind this port while we listen (Windows lets SO_REUSEADDR sockets take it over).
  BOOL exclusive = TRUE;
  setsockopt(sock, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive),
             sizeof exclusive);
  // Windows has no SO_REUSEPORT: the Windows driver listens on one loop only (reusePort is ignored).
  if (bind(sock, reinterpret_cast<const sockaddr*>(&addr.storage), int(addr.length)) != 0 ||
      ::listen(sock, backlog) != 0 || !CreateIoCompletionPort(reinterpret_cast<HANDLE>(sock), port_, 0, 0)) {
    int err = WSAGetLastError();
    closesocket(sock);
    return err ? err : WSAEINVAL;
  }
  *boundPortOut = boundPort(sock);
  auto l = std::make_unique<Listener>();
  l->id = listenerId;
  l->sock = sock;
  l->family = family;
  for (int i = 0; i < kAcceptsPosted; ++i) {
    auto op = std::make_unique<Op>();
    op->kind = OpKind::kAccept;
    op->listener = l.get();
    l->idle.push_back(op.get());
    l->ops.push_back(std::move(op));
  }
  Listener* raw = l.get();
  listeners_[listenerId] = std::move(l);
  std::vector<Op*> idle;
  idle.swap(raw->idle);
  for (Op* op : idle) postAccept(raw, op);
  return 0;
}

void SessionBackend::postAccept(Listener* l, Op* op) {
  if (l->closed || l->pausedUntilMs) {
    l->idle.push_back(op);
    return;
  }
  SOCKET s = WSASocketW(l->family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, socketFlags());
  c_.syscalls.add();
  if (s == INVALID_SOCKET) {
    // Out of sockets / buffers: stop accepting for a while instead of failing in a loop.
    l->pausedUntilMs = now_ ? now_ + kAcceptPauseMs : monotonicMs() + kAcceptPauseMs;
    c_.acceptPaused.add();
    l->idle.push_back(op);
    return;
  }
  op->acceptSocket = s;
  op->ov = OVERLAPPED{};
  DWORD bytes = 0;
  ++l->pending;
  c_.syscalls.add();
  if (!fns_.acceptEx(l->sock, s, op->addresses, 0, kAddressBytes, kAddressBytes, &bytes, &op->ov)) {
    int err = WSAGetLastError();
    if (err != ERROR_IO_PENDING) {
      --l->pending;
      closesocket(s);
      op->acceptSocket = INVALID_SOCKET;
      l->idle.push_back(op);  // retried by sweep()
    }
  }
  // Success or pending: the completion arrives through the port either way.
}

void SessionBackend::onAccept(Op* op, uint32_t err) {
  Listener* l = op->listener;
  --l->pending;
  SOCKET s = op->acceptSocket;
  op->acceptSocket = INVALID_SOCKET;
  if (l->closed) {
    if (s != INVALID_SOCKET) closesocket(s);
    freeListenerIfDone(l);
    return;
  }
  if (err != 0) {
    closesocket(s);  // the client gave up before the accept finished: not an engine error
    postAccept(l, op);
    return;
  }
  setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&l->sock),
             sizeof l->sock);
  sockaddr* local = nullptr;
  sockaddr* remote = nullptr;
  int localLen = 0, remoteLen = 0;
  fns_.getAcceptExSockaddrs(op->addresses, 0, kAddressBytes, kAddressBytes, &local, &localLen, &remote,
                            &remoteLen);
  std::string peer = remote ? formatAddress(remote) : std::string("unknown");
  postAccept(l, op);  // keep kAcceptsPosted outstanding
  SessionBackend* owner = loop_group::next(ctx_, this);
  if (owner == this) {
    admit(s, l->id, std::move(peer));
  } else {
    owner->handOver(Accepted{s, l->id, std::move(peer)});
  }
}

void SessionBackend::admit(SOCKET s, uint32_t listenerId, std::string peer) {
  if (shutDown_ || !ctx_.budget->tryAcquire()) {
    closesocket(s);
    c_.refused.add();
    return;
  }
  setNoDelay(s);
  Session* sess = addSession(ctx_.ids->next(), s);
  sess->remote = std::move(peer);
  if (uint32_t aerr = attach(sess)) {
    // Report it like any session that failed at once: OPEN first, then CLOSE.
    ev_.open(sess->id, listenerId, sess->remote);
    c_.accepted.add();
    closeSession(sess, CloseReason::kIoError, aerr);
    return;
  }
  opened(sess, listenerId);
}

void SessionBackend::handOver(Accepted a) {
  {
    std::lock_guard<std::mutex> lock(handoffMutex_);
    handoff_.push_back(std::move(a));
  }
  PostQueuedCompletionStatus(port_, 0, kHandoffKey, nullptr);
}

void SessionBackend::takeHandedOver() {
  std::vector<Accepted> taken;
  {
    std::lock_guard<std::mutex> lock(handoffMutex_);
    taken.swap(handoff_);
  }
  for (Accepted& a : taken) admit(a.sock, a.listenerId, std::move(a.remote));
}

void SessionBackend::unlisten(uint32_t listenerId) {
  auto it = listeners_.find(listenerId);
  if (it == listeners_.end()) return;
  Listener* l = it->second.get();
  l->closed = true;
  closesocket(l->sock);  // aborts the outstanding AcceptEx calls: they complete with an error
  l->sock = INVALID_SOCKET;
  closedListeners_[l] = std::move(it->second);
  listeners_.erase(it);
  freeListenerIfDone(l);
}

void SessionBackend::freeListenerIfDone(Listener* l) {
  if (!l->closed || l->pending > 0) return;
  closedListeners_.erase(l);
}

// --- sessions ---

Session* SessionBackend::find(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

Session* SessionBackend::addSession(SessionId id, SOCKET sock) {
  auto owned = std::make_unique<Session>();
  Session* s = owned.get();
  s->id = id;
  s->sock = sock;
  s->recvOp.kind = OpKind::kRecv;
  s->sendOp.kind = OpKind::kSend;
  s->connectOp.kind = OpKind::kConnect;
  s->recvOp.session = s->sendOp.session = s->connectOp.session = s;
  sessions_.emplace(id, std::move(owned));
  c_.sessions.add();
  return s;
}

void SessionBackend::connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) {
  now_ = monotonicMs();
  if (!ctx_.budget->tryAcquire()) {
    ev_.close(id, CloseReason::kConnectionLimit, 0);
    c_.closed.add();
    c_.refused.add();
    return;
  }
  SOCKET sock = WSASocketW(addr.storage.ss_family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, socketFlags());
  c_.syscalls.add();
  if (sock == INVALID_SOCKET) {
    ctx_.budget->release();
    ev_.close(id, CloseReason::kConnectFailed, uint32_t(WSAGetLastError()));
    c_.closed.add();
    return;
  }
  Session* s = addSession(id, sock);
  s->outbound = true;
  s->remote = formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage));
  s->connectDeadlineMs = timeoutMs ? now_ + timeoutMs : 0;
  setNoDelay(sock);
  rewatch(s);
  startConnect(s, addr);
}

void SessionBackend::connectDone(Session* s, uint32_t err) {
  if (err != 0) {
    closeSession(s, CloseReason::kConnectFailed, err);
    return;
  }
  setsockopt(s->sock, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
  if (uint32_t aerr = attach(s)) {
    closeSession(s, CloseReason::kConnectFailed, aerr);
    return;
  }
  opened(s, 0);
}

void SessionBackend::opened(Session* s, uint32_t listenerId) {
  s->state = Session::State::kOpen;
  s->connectDeadlineMs = 0;
  ev_.open(s->id, listenerId, s->remote);
  if (listenerId) {
    c_.accepted.add();
  } else {
    c_.connected.add();
  }
  s->remote.clear();
  s->remote.shrink_to_fit();
  SessionId id = s->id;
  if (!s->readPaused) startReceive(s);
  if (!(s = find(id))) return;
  if (!s->queue.empty() && !s->sending) startSend(s);
}

void SessionBackend::send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) {
  Session* s = find(id);
  if (!s || s->state == Session::State::kClosing) {
    c_.sendsDropped.add();
    return;
  }
  if (s->queue.empty()) s->sendProgressMs = now_ ? now_ : monotonicMs();
  s->queue.append(pool_, frames, length);
  c_.sendBytesPending.add(length);
  c_.framesOut.add(frameCount);
  if (!s->watermark.queued(s->queue.pending(), cfg_, ev_, id)) {
    closeSession(s, CloseReason::kBackpressure, 0);
    return;
  }
  markDirty(s);
}

void SessionBackend::close(SessionId id, CloseReason reason) {
  Session* s = find(id);
  if (!s || s->state == Session::State::kClosing) return;
  if (s->state == Session::State::kConnecting || (s->queue.empty() && !s->sending)) {
    closeSession(s, reason, 0);
    return;
  }
  s->state = Session::State::kClosing;  // reading stops: no new receive is started
  s->closeReason = reason;
  markDirty(s);
  rewatch(s);
}

void SessionBackend::abort(SessionId id, CloseReason reason) {
  if (Session* s = find(id)) closeSession(s, reason, 0);
}

void SessionBackend::pauseRead(SessionId id) {
  Session* s = find(id);
  if (s) s->readPaused = true;  // the outstanding receive (if any) finishes; no new one starts
}

void SessionBackend::resumeRead(SessionId id) {
  Session* s = find(id);
  if (!s || !s->readPaused) return;
  s->readPaused = false;
  s->resumedMs = monotonicMs();
  if (s->state == Session::State::kOpen && !s->receiving) startReceive(s);
}

void SessionBackend::flush() {
  if (dirty_.empty()) return;
  now_ = monotonicMs();
  std::vector<SessionId> dirty;
  dirty.swap(dirty_);
  for (SessionId id : dirty) {
    Session* s = find(id);
    if (!s) continue;
    s->dirty = false;
    if (s->state == Session::State::kConnecting || s->sending) continue;  // one send in flight at most
    if (!s->queue.empty()) {
      startSend(s);
    } else if (s->state == Session::State::kClosing) {
      finishClose(s);
    }
  }
  if (dirty_.capacity() < dirty.capacity()) {
    dirty.clear();
    dirty_.swap(dirty);
  }
}

bool SessionBackend::received(Session* s, const uint8_t* data, size_t n) {
  c_.bytesIn.add(n);
  bool held = s->parser.midFrame();
  CloseReason bad = deliverFrames(s->parser, s->id, data, n, cfg_.maxFrameBytes, now_, ev_, c_.framesIn);
  if (bad != CloseReason::kNone) {
    closeSession(s, bad, 0);
    return false;
  }
  bool holds = s->parser.midFrame();
  if (holds != held) {
    if (holds) {
      c_.recvBuffersHeld.add();
      rewatch(s);
    } else {
      c_.recvBuffersHeld.sub();
    }
  }
  return true;
}

void SessionBackend::sent(Session* s, size_t bytes) {
  s->queue.consume(pool_, bytes);  // delayed consume: released only now that the kernel took them
  c_.bytesOut.add(bytes);
  c_.sendBytesPending.sub(bytes);
  s->sendProgressMs = now_ ? now_ : monotonicMs();
  s->watermark.sent(s->queue.pending(), cfg_, ev_, s->id);
  if (!s->queue.empty()) {
    startSend(s);
    return;
  }
  if (s->state == Session::State::kClosing) finishClose(s);
}

void SessionBackend::finishClose(Session* s) {
  // FIN after the last byte; discard unread input so closesocket sends FIN, not RST.
  ::shutdown(s->sock, SD_SEND);
  // Sockets stay in blocking mode (overlapped I/O does not need non-blocking mode, and Wine's queued
  // receives stall on non-blocking sockets): read only what FIONREAD says is there.
  for (int i = 0; i < 4; ++i) {
    u_long avail = 0;
    if (ioctlsocket(s->sock, FIONREAD, &avail) != 0 || avail == 0) break;
    int want = avail < kScratchBytes ? int(avail) : int(kScratchBytes);
    if (recv(s->sock, reinterpret_cast<char*>(scratch_.get()), want, 0) <= 0) break;
  }
  closeSession(s, s->closeReason, 0);
}

void SessionBackend::closeSession(Session* s, CloseReason reason, uint32_t err) {
  if (s->state == Session::State::kClosed) return;
  closesocket(s->sock);  // cancels outstanding operations: they complete with an error
  s->sock = INVALID_SOCKET;
  c_.syscalls.add();
  if (s->parser.midFrame()) c_.recvBuffersHeld.sub();
  s->parser.reset();
  c_.sendBytesPending.sub(s->queue.pending());
  if (!s->sending) s->queue.clear(pool_);  // an outstanding WSASend still points into it: cleared at free
  ev_.close(s->id, reason, err);
  c_.closed.add();
  c_.sessions.sub();
  ctx_.budget->release();
  s->state = Session::State::kClosed;
  auto it = sessions_.find(s->id);
  std::unique_ptr<Session> owned = std::move(it->second);
  sessions_.erase(it);
  if (s->pendingOps > 0) {
    zombies_[s] = std::move(owned);
  } else {
    releaseSession(s);
  }
}

bool SessionBackend::opDone(Session* s) {
  --s->pendingOps;
  if (s->state != Session::State::kClosed) return false;
  if (s->pendingOps == 0) freeSession(s);
  return true;
}

void SessionBackend::freeSession(Session* s) {
  s->queue.clear(pool_);
  releaseSession(s);
  zombies_.erase(s);
}

// --- deadlines ---

void SessionBackend::markDirty(Session* s) {
  if (s->dirty) return;
  s->dirty = true;
  dirty_.push_back(s->id);
}

bool SessionBackend::needsWatch(const Session* s) const {
  if (s->state != Session::State::kOpen) return true;  // connect deadline / close drain
  if (cfg_.frameTimeoutMs && s->parser.midFrame()) return true;
  if (cfg_.sendStallMs && !s->queue.empty()) return true;
  return false;
}

void SessionBackend::rewatch(Session* s) {
  if (s->watched || !needsWatch(s)) return;
  s->watched = true;
  watch_.push_back(s->id);
}

void SessionBackend::checkDeadlines(Session* s) {
  if (s->state == Session::State::kConnecting) {
    if (s->connectDeadlineMs && now_ >= s->connectDeadlineMs) {
      closeSession(s, CloseReason::kConnectTimeout, WSAETIMEDOUT);
    }
    return;
  }
  if (cfg_.sendStallMs && !s->queue.empty() && now_ - s->sendProgressMs >= cfg_.sendStallMs) {
    closeSession(s, CloseReason::kSendStalled, 0);
    return;
  }
  if (cfg_.frameTimeoutMs && s->parser.midFrame() && !s->readPaused && s->state == Session::State::kOpen) {
    uint64_t since = s->parser.frameStartedMs() > s->resumedMs ? s->parser.frameStartedMs() : s->resumedMs;
    if (now_ - since >= cfg_.frameTimeoutMs) closeSession(s, CloseReason::kFrameTimeout, 0);
  }
}

void SessionBackend::sweep(uint64_t nowMs, bool jsCaughtUp) {
  now_ = nowMs;
  for (auto& [id, l] : listeners_) {
    if (l->pausedUntilMs && nowMs < l->pausedUntilMs) continue;
    l->pausedUntilMs = 0;
    if (l->idle.empty()) continue;
    std::vector<Op*> idle;
    idle.swap(l->idle);
    for (Op* op : idle) postAccept(l.get(), op);
  }
  onSweep();
  if (watch_.empty()) return;
  std::vector<SessionId>& watching = sweeping_;
  watching.swap(watch_);
  for (SessionId id : watching) {
    Session* s = find(id);
    if (!s) continue;
    s->watched = false;
    checkDeadlines(s);
    if ((s = find(id))) rewatch(s);
  }
  watching.clear();
}

// --- shutdown ---

void SessionBackend::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  loop_group::leave(ctx_);  // no more sockets handed over to this loop
  takeHandedOver();         // those already handed over are refused (shutDown_)
  std::vector<uint32_t> listenerIds;
  for (auto& [id, l] : listeners_) listenerIds.push_back(id);
  for (uint32_t id : listenerIds) unlisten(id);
  now_ = monotonicMs();
  std::vector<SessionId> ids;
  ids.reserve(sessions_.size());
  for (auto& [id, s] : sessions_) ids.push_back(id);
  for (SessionId id : ids) {
    Session* s = find(id);
    if (!s) continue;
    // Best effort, non-blocking: what the socket buffer takes now goes out before the FIN.
    if (s->state != Session::State::kConnecting && !s->sending && !s->queue.empty()) {
      setNonBlocking(s->sock);  // the socket is closed right after: its pending receive no longer matters
      ByteSlice slices[64];
      size_t n = s->queue.gather(slices, 64);
      for (size_t i = 0; i < n; ++i) {
        int rc = ::send(s->sock, reinterpret_cast<const char*>(slices[i].data), int(slices[i].len), 0);
        if (rc <= 0) break;
        if (size_t(rc) < slices[i].len) break;
      }
    }
    closeSession(s, CloseReason::kShutdown, 0);
  }
}

bool SessionBackend::drain() {
  uint64_t start = monotonicMs();
  OVERLAPPED_ENTRY entries[kEntriesPerPoll];
  while ((!zombies_.empty() || !closedListeners_.empty()) && monotonicMs() - start < kDrainLimitMs) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries, kEntriesPerPoll, &n, 50, FALSE)) continue;
    for (ULONG i = 0; i < n; ++i) dispatch(entries[i]);
  }
  // Whatever did not complete in time is leaked on purpose: freeing it could let the kernel write into
  // freed memory.
  bool complete = zombies_.empty() && closedListeners_.empty();
  for (auto& [raw, owned] : zombies_) owned.release();
  for (auto& [raw, owned] : closedListeners_) owned.release();
  zombies_.clear();
  closedListeners_.clear();
  return complete;
}

}  // namespace fastport::win
