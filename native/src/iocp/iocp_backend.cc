// iocp engine: sessions idle on a zero-byte WSARecv (no buffer pinned per idle session); when it completes,
// real WSARecvs into a pooled buffer follow while full buffers keep coming, then the zero-byte receive again.
// Sends: one gathered WSASend (up to kMaxBufs WSABUFs straight from the send queue) in flight per session;
// bytes are released when it completes. Client mode uses ConnectEx.
//
// Session sockets use FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an operation that succeeds at once is handled
// inline (no completion packet, one trip through the port saved).
#include "iocp/iocp_backend.h"

#include "win/session_backend.h"

namespace fastport {
namespace {

using win::Op;
using win::OpKind;
using win::Session;

constexpr size_t kMaxBufs = 64;             // WSABUFs per WSASend
constexpr DWORD kRecvBufBytes = 16 * 1024;  // a real receive's buffer (held only while data flows)
constexpr size_t kMaxFreeBufs = 256;        // receive buffers kept for reuse per loop
constexpr int kInlineReceives = 16;         // receives completed at once in a row before yielding

class IocpBackend final : public win::SessionBackend {
 public:
  using SessionBackend::SessionBackend;

  ~IocpBackend() override {
    shutdown();
    drain();
    for (uint8_t* b : freeBufs_) delete[] b;
  }

 protected:
  uint32_t attach(Session* s) override {
    // Connected sockets were associated before ConnectEx.
    if (s->outbound) return 0;
    return associate(s->sock);
  }

  void postReceive(Session* s) override { receiveLoop(s, true); }

  void postSend(Session* s) override {
    ByteSlice slices[kMaxBufs];
    size_t n = s->queue.gather(slices, kMaxBufs);
    WSABUF bufs[kMaxBufs];
    for (size_t i = 0; i < n; ++i) {
      bufs[i].buf = reinterpret_cast<char*>(const_cast<uint8_t*>(slices[i].data));
      bufs[i].len = ULONG(slices[i].len);
    }
    s->sendOp.ov = OVERLAPPED{};
    posted(s, s->sending);
    c_.syscalls.add();
    DWORD bytes = 0;
    if (WSASend(s->sock, bufs, DWORD(n), &bytes, 0, &s->sendOp.ov, nullptr) != 0) {
      int err = WSAGetLastError();
      if (err != WSA_IO_PENDING) opFailed(s, s->sending, uint32_t(err));
      return;
    }
    // Done at once (no packet). sent() may start the next send: the recursion is bounded by the queue
    // (hard limit / up to kMaxBufs blocks per send).
    if (opEnded(s, s->sending, 0)) sent(s, bytes);
  }

  void startConnect(Session* s, const SocketAddress& addr) override {
    // ConnectEx needs a bound socket associated with the port.
    sockaddr_storage any{};
    any.ss_family = addr.storage.ss_family;
    int anyLen = any.ss_family == AF_INET6 ? int(sizeof(sockaddr_in6)) : int(sizeof(sockaddr_in));
    uint32_t err = 0;
    if (bind(s->sock, reinterpret_cast<sockaddr*>(&any), anyLen) != 0) {
      err = uint32_t(WSAGetLastError());
    } else {
      err = associate(s->sock);
    }
    if (err) {
      closeSession(s, CloseReason::kConnectFailed, err);
      return;
    }
    s->connectOp.ov = OVERLAPPED{};
    ++s->pendingOps;
    c_.syscalls.add();
    if (fns_.connectEx(s->sock, reinterpret_cast<const sockaddr*>(&addr.storage), int(addr.length), nullptr,
                       0, nullptr, &s->connectOp.ov)) {
      if (opDone(s)) return;
      connectDone(s, 0);  // connected at once: no packet
      return;
    }
    int werr = WSAGetLastError();
    if (werr == ERROR_IO_PENDING) return;
    if (opDone(s)) return;
    closeSession(s, win::connectFailure(uint32_t(werr)), uint32_t(werr));
  }

  void completed(Op* op, uint32_t err, DWORD bytes) override {
    Session* s = op->session;
    if (op->kind == OpKind::kSend) {
      if (opEnded(s, s->sending, err)) sent(s, bytes);
      return;
    }
    if (!opEnded(s, s->receiving, err)) return;
    if (s->recvZeroByte) {
      receiveLoop(s, false);  // data or EOF is waiting: the real receive
      return;
    }
    SessionSlab::Handle h = SessionSlab::handleOf(*s);
    bool zeroNext = bytes < kRecvBufBytes;
    if (receiveDone(s, s->recvBuf, bytes)) {
      receiveLoop(s, zeroNext);
    } else if (alive(h)) {
      returnBuffer(s);
    }
  }

 private:
  uint32_t associate(SOCKET sock) {
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(sock), port_, 0, 0)) return GetLastError();
    if (!SetFileCompletionNotificationModes(
            reinterpret_cast<HANDLE>(sock),
            FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
      return GetLastError();
    }
    return 0;
  }

  // Posts receives until one is pending. zeroByte: wait for data without pinning a buffer; else a real
  // receive into a pooled buffer. Receives that complete at once are handled here (bounded, also by the
  // pass's batch budget; then a zero-byte receive is queued as a packet so other sessions get their turn).
  void receiveLoop(Session* s, bool zeroByte) {
    SessionSlab::Handle h = SessionSlab::handleOf(*s);
    for (int i = 0; i < kInlineReceives && !batchFull(); ++i) {
      if (s->receiving || !s->wantsRead()) return;
      WSABUF buf{0, nullptr};
      if (zeroByte) {
        returnBuffer(s);
      } else {
        if (!s->recvBuf) s->recvBuf = takeBuffer();
        buf.len = ULONG(kRecvBufBytes);
        buf.buf = reinterpret_cast<char*>(s->recvBuf);
      }
      s->recvZeroByte = zeroByte;
      DWORD flags = 0;
      DWORD bytes = 0;
      s->recvOp.ov = OVERLAPPED{};
      posted(s, s->receiving);
      c_.syscalls.add();
      if (WSARecv(s->sock, &buf, 1, &bytes, &flags, &s->recvOp.ov, nullptr) != 0) {
        int err = WSAGetLastError();
        if (err != WSA_IO_PENDING) opFailed(s, s->receiving, uint32_t(err));
        return;
      }
      if (!opEnded(s, s->receiving, 0)) return;  // done at once: no packet
      if (zeroByte) {
        zeroByte = false;  // data or EOF is waiting: the real receive
        continue;
      }
      zeroByte = bytes < kRecvBufBytes;  // not filled: probably drained
      if (!receiveDone(s, s->recvBuf, bytes)) {
        if (alive(h)) returnBuffer(s);
        return;
      }
    }
    // Yield: a packet that looks like a completed zero-byte receive brings this session back later.
    if (s->receiving || !s->wantsRead()) return;
    returnBuffer(s);
    s->recvZeroByte = true;
    s->recvOp.ov = OVERLAPPED{};
    posted(s, s->receiving);
    PostQueuedCompletionStatus(port_, 0, 0, &s->recvOp.ov);
  }

  // The receive buffer goes back to the pool unless a real receive is writing into it.
  void returnBuffer(Session* s) {
    if (!s->recvBuf || (s->receiving && !s->recvZeroByte)) return;
    putBuffer(s->recvBuf);
    s->recvBuf = nullptr;
  }

  void releaseSession(Session* s) override {
    if (s->recvBuf) putBuffer(s->recvBuf);
    s->recvBuf = nullptr;
  }

  uint8_t* takeBuffer() {
    if (freeBufs_.empty()) return new uint8_t[kRecvBufBytes];
    uint8_t* b = freeBufs_.back();
    freeBufs_.pop_back();
    return b;
  }

  void putBuffer(uint8_t* b) {
    if (freeBufs_.size() < kMaxFreeBufs) {
      freeBufs_.push_back(b);
    } else {
      delete[] b;
    }
  }

  std::vector<uint8_t*> freeBufs_;
};

}  // namespace

std::unique_ptr<Backend> createIocpBackend(const LoopContext& ctx, std::string* error) {
  *error = win::startWinsock();
  if (!error->empty()) return nullptr;
  win::ExtensionFns fns;
  *error = win::loadExtensionFns(&fns);
  if (!error->empty()) return nullptr;
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (!port) {
    *error = win::errorText("CreateIoCompletionPort", GetLastError());
    return nullptr;
  }
  return std::make_unique<IocpBackend>(ctx, port, fns);
}

}  // namespace fastport
