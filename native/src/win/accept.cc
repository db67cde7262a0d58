// Listeners of the Windows engines: AcceptEx with kAcceptsPosted accepts outstanding per listener, a pause
// when the process runs out of sockets, and accepted sockets handed to the loops round-robin
// (win/loop_group.h: Windows has no SO_REUSEPORT, so one loop accepts for all).
#include "core/clock.h"
#include "win/loop_group.h"
#include "win/session_backend.h"

namespace fastport::win {
namespace {

constexpr uint64_t kAcceptPauseMs = 250;  // after running out of sockets
constexpr DWORD kAddressBytes = sizeof(sockaddr_storage) + 16;

}  // namespace

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
    l->pausedUntilMs = (core_.now() ? core_.now() : monotonicMs()) + kAcceptPauseMs;
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

// Every sweep: re-posts the accepts of listeners whose pause is over or whose accepts failed.
void SessionBackend::repostAccepts(uint64_t nowMs) {
  for (auto& [id, l] : listeners_) {
    if (l->pausedUntilMs && nowMs < l->pausedUntilMs) continue;
    l->pausedUntilMs = 0;
    if (l->idle.empty()) continue;
    std::vector<Op*> idle;
    idle.swap(l->idle);
    for (Op* op : idle) postAccept(l.get(), op);
  }
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

void SessionBackend::admit(SOCKET sock, uint32_t listenerId, std::string peer) {
  if (shutDown_ || !core_.admit()) {
    closesocket(sock);
    c_.refused.add();
    return;
  }
  setNoDelay(sock);
  auto* s = static_cast<Session*>(addSession());
  s->sock = sock;
  s->remote = std::move(peer);
  if (uint32_t err = attach(s)) {
    // Reported like any session that failed at once: OPEN first, then CLOSE (no I/O is started on it).
    ctx_.events->open(s->id, listenerId, s->remote);
    c_.accepted.add();
    closeSession(s, CloseReason::kIoError, err);
    return;
  }
  core_.opened(*s, listenerId, s->remote);
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

}  // namespace fastport::win
