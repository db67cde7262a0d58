// The Windows engines' completion-port loop and their side of the session core (core/session_io.h): what
// the core asks for (read, send, FIN, close) mapped onto the engine's receive / send posts, and what the
// completions report mapped onto the core. Listeners are win/accept.cc.
#include "win/session_backend.h"

#include "core/clock.h"
#include "win/loop_group.h"

namespace fastport::win {
namespace {

constexpr ULONG kEntriesPerPoll = 128;
constexpr uint64_t kDrainLimitMs = 2000;  // destructor: how long to wait for cancelled operations
constexpr size_t kSendNowSlices = 64;     // shutdown's best-effort send: slices written at most

Session& as(CoreSession& s) {
  return static_cast<Session&>(s);
}

}  // namespace

SessionBackend::SessionBackend(const LoopContext& ctx, HANDLE port, const ExtensionFns& fns)
    : CoreBackend(ctx, WSAETIMEDOUT), port_(port), fns_(fns), scratch_(new uint8_t[kScratchBytes]) {
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
  core_.setNow(monotonicMs());
  for (ULONG i = 0; i < n; ++i) dispatch(entries[i]);
  core_.flush();  // bytes the WebSocket step queued while reading (pong, close, HTTP reply)
}

void SessionBackend::dispatch(const OVERLAPPED_ENTRY& e) {
  if (e.lpCompletionKey == kWakeKey && !e.lpOverlapped) return;
  if (e.lpCompletionKey == kHandoffKey && !e.lpOverlapped) {
    takeHandedOver();
    return;
  }
  if (handlePortEntry(e)) return;
  if (!e.lpOverlapped) return;
  Op* op = reinterpret_cast<Op*>(e.lpOverlapped);
  uint32_t err = wsaErrorFromStatus(e.Internal);
  switch (op->kind) {
    case OpKind::kAccept:
      onAccept(op, err);
      return;
    case OpKind::kConnect:
      if (!opDone(op->session)) connectDone(op->session, err);
      return;
    case OpKind::kRecv:
    case OpKind::kSend:
      completed(op, err, e.dwNumberOfBytesTransferred);
      return;
  }
}

void SessionBackend::sweep(uint64_t nowMs, bool jsCaughtUp) {
  repostAccepts(nowMs);
  onSweep();
  core_.sweep(nowMs, jsCaughtUp);
}

// --- sessions ---

void SessionBackend::connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) {
  core_.setNow(monotonicMs());
  if (!core_.admitConnect(id)) return;
  SOCKET sock = WSASocketW(addr.storage.ss_family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, socketFlags());
  c_.syscalls.add();
  if (sock == INVALID_SOCKET) {
    core_.connectFailedEarly(id, CloseReason::kConnectFailed, uint32_t(WSAGetLastError()));
    return;
  }
  auto* s = static_cast<Session*>(core_.add(id));
  s->sock = sock;
  s->outbound = true;
  s->remote = formatAddress(reinterpret_cast<const sockaddr*>(&addr.storage));
  s->connectDeadlineMs = timeoutMs ? core_.now() + timeoutMs : 0;
  setNoDelay(sock);
  core_.rewatch(*s);
  startConnect(s, addr);
}

void SessionBackend::connectDone(Session* s, uint32_t err) {
  if (err != 0) {
    closeSession(s, connectFailure(err), err);
    return;
  }
  setsockopt(s->sock, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
  if (uint32_t aerr = attach(s)) {
    closeSession(s, CloseReason::kConnectFailed, aerr);
    return;
  }
  core_.opened(*s, 0, s->remote);
}

bool SessionBackend::receiveDone(Session* s, uint8_t* data, DWORD bytes) {
  if (bytes == 0) {
    core_.inputEnded(*s);  // the peer half-closed: its replies still go out, then FIN and CLOSE
    return false;
  }
  SessionSlab::Handle h = SessionSlab::handleOf(*s);
  // Posted before reading stopped (pause, backlog): the core parks the bytes until it resumes.
  if (!core_.arrived(*s, data, bytes)) return false;
  return alive(h) && s->wantsRead();
}

void SessionBackend::sent(Session* s, size_t bytes) {
  s->queue.consume(core_.pool(), bytes);  // delayed consume: released only now that the kernel took them
  SessionSlab::Handle h = SessionSlab::handleOf(*s);
  core_.sent(*s, bytes);
  if (!alive(h)) return;
  if (!s->queue.empty()) {
    if (!s->sending) postSend(s);
    return;
  }
  core_.sendIdle(*s);
}

void SessionBackend::posted(Session* s, bool& outstanding) {
  outstanding = true;
  ++s->pendingOps;
  postedCounter(s, outstanding).add();
}

bool SessionBackend::opDone(Session* s) {
  --s->pendingOps;
  if (!s->closed()) return false;
  if (s->pendingOps == 0) {
    --zombies_;
    freeSession(s);
  }
  return true;
}

bool SessionBackend::opEnded(Session* s, bool& outstanding, uint32_t err) {
  if (err != 0) {
    opFailed(s, outstanding, err);
    return false;
  }
  outstanding = false;
  postedCounter(s, outstanding).sub();
  return !opDone(s);
}

void SessionBackend::opFailed(Session* s, bool& outstanding, uint32_t err) {
  outstanding = false;
  postedCounter(s, outstanding).sub();
  if (!opDone(s)) closeSession(s, reasonForError(err), err);
}

void SessionBackend::freeSession(Session* s) {
  releaseSession(s);
  core_.release(*s);  // s is gone from here on
}

// --- SessionIo ---

void SessionBackend::readInterestChanged(CoreSession& cs) {
  Session& s = as(cs);
  // Stopping needs nothing: the outstanding receive (if any) completes and the core parks its bytes.
  if (s.wantsRead() && !s.receiving) postReceive(&s);
}

void SessionBackend::startSend(CoreSession& cs) {
  Session& s = as(cs);
  if (!s.sending && !s.queue.empty()) postSend(&s);
}

void SessionBackend::sendNow(CoreSession& cs) {
  Session& s = as(cs);
  if (s.sending || s.queue.empty()) return;
  // Non-blocking: the socket is closed right after, so its pending receive no longer matters.
  setNonBlocking(s.sock);
  ByteSlice slices[kSendNowSlices];
  size_t n = s.queue.gather(slices, kSendNowSlices);
  for (size_t i = 0; i < n; ++i) {
    int rc = ::send(s.sock, reinterpret_cast<const char*>(slices[i].data), int(slices[i].len), 0);
    c_.syscalls.add();
    if (rc <= 0 || size_t(rc) < slices[i].len) break;
  }
}

void SessionBackend::finishOutput(CoreSession& cs) {
  Session& s = as(cs);
  ::shutdown(s.sock, SD_SEND);
  c_.syscalls.add();
  // Sockets stay in blocking mode (overlapped I/O does not need non-blocking mode, and Wine's queued
  // receives stall on non-blocking sockets): read only what FIONREAD says is there.
  for (int i = 0; i < kDiscardReads; ++i) {
    u_long avail = 0;
    if (ioctlsocket(s.sock, FIONREAD, &avail) != 0 || avail == 0) break;
    int want = avail < kScratchBytes ? int(avail) : int(kScratchBytes);
    c_.syscalls.add();
    if (recv(s.sock, reinterpret_cast<char*>(scratch_.get()), want, 0) <= 0) break;
  }
}

void SessionBackend::closed(CoreSession& cs) {
  Session& s = as(cs);
  closesocket(s.sock);  // cancels outstanding operations: they complete with an error
  s.sock = INVALID_SOCKET;
  c_.syscalls.add();
  if (s.pendingOps > 0) {
    ++zombies_;  // freed by the last opDone()
  } else {
    freeSession(&s);
  }
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
  core_.shutdown();
}

bool SessionBackend::drain() {
  uint64_t start = monotonicMs();
  OVERLAPPED_ENTRY entries[kEntriesPerPoll];
  while ((zombies_ > 0 || !closedListeners_.empty()) && monotonicMs() - start < kDrainLimitMs) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries, kEntriesPerPoll, &n, 50, FALSE)) continue;
    for (ULONG i = 0; i < n; ++i) dispatch(entries[i]);
  }
  // Whatever did not complete in time is leaked on purpose: freeing it could let the kernel write into
  // freed memory.
  bool complete = zombies_ == 0 && closedListeners_.empty();
  core_.releaseAll([](CoreSession& s) { return as(s).pendingOps > 0; });
  zombies_ = 0;
  for (auto& [raw, owned] : closedListeners_) (void)owned.release();
  closedListeners_.clear();
  return complete;
}

}  // namespace fastport::win
