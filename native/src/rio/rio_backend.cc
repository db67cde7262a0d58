// rio engine: Registered I/O. One registered buffer pool per loop, carved into fixed slices; one request
// queue per session (one receive and one send outstanding); one completion queue per loop whose
// notification arrives on the loop's completion port (RIONotify, re-armed after each drain: no spinning).
// Receives land in the session's receive slice. Sends copy queued bytes into a send slice: a burst of small
// frames goes out in one RIOSend (the fast path); bytes beyond a slice stay in the session's send queue
// and follow slice by slice as sends complete (large frames stream through). Accept / limits / deadlines /
// close come from the session core through win/session_backend.h. Client connects are non-blocking connect()
// calls checked on each sweep (every kSweepIntervalMs), since ConnectEx would tie the socket to a completion
// port.
#include "rio/rio_backend.h"

#include <atomic>
#include <cstdio>
#include <cstring>

#include "iocp/iocp_backend.h"
#include "rio/rio_api.h"
#include "win/session_backend.h"

namespace fastport {
namespace {

using win::Session;

constexpr ULONG kSliceBytes = 8 * 1024;     // one receive or one send
constexpr ULONG kChunkBytes = 1024 * 1024;  // registered at a time (128 slices)
constexpr ULONG kDequeueBatch = 256;        // results per RIODequeueCompletion call
constexpr ULONG_PTR kRioKey = 2;            // completion key of the queue's notification
constexpr uintptr_t kSendTag = 1;           // request context = Session* | kSendTag for sends

// Registered memory in chunks, handed out as slices.
class SlicePool {
 public:
  explicit SlicePool(rio::Api& api) : api_(api) {}
  ~SlicePool() {
    for (auto& c : chunks_) {
      api_.deregisterBuffer(c.id);
      VirtualFree(c.base, 0, MEM_RELEASE);
    }
  }

  // -1 when no memory could be registered.
  int32_t take() {
    if (free_.empty() && !grow()) return -1;
    int32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  void put(int32_t slice) { free_.push_back(slice); }
  // Forgets the memory without freeing it (requests that never completed may still point into it).
  void release() {
    chunks_.clear();
    free_.clear();
  }

  rio::Buf buf(int32_t slice, ULONG length) const {
    const Chunk& c = chunks_[size_t(slice) / kPerChunk];
    return rio::Buf{c.id, ULONG(size_t(slice) % kPerChunk) * kSliceBytes, length};
  }
  uint8_t* data(int32_t slice) const {
    const Chunk& c = chunks_[size_t(slice) / kPerChunk];
    return c.base + (size_t(slice) % kPerChunk) * kSliceBytes;
  }

 private:
  static constexpr size_t kPerChunk = kChunkBytes / kSliceBytes;
  struct Chunk {
    uint8_t* base;
    rio::BufferId id;
  };

  bool grow() {
    auto* base =
        static_cast<uint8_t*>(VirtualAlloc(nullptr, kChunkBytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
    if (!base) return false;
    rio::BufferId id = api_.registerBuffer(reinterpret_cast<char*>(base), kChunkBytes);
    if (id == rio::kInvalidBufferId) {
      VirtualFree(base, 0, MEM_RELEASE);
      return false;
    }
    size_t first = chunks_.size() * kPerChunk;
    chunks_.push_back(Chunk{base, id});
    for (size_t i = kPerChunk; i-- > 0;) free_.push_back(int32_t(first + i));
    return true;
  }

  rio::Api& api_;
  std::vector<Chunk> chunks_;
  std::vector<int32_t> free_;
};

class RioBackend final : public win::SessionBackend {
 public:
  RioBackend(const LoopContext& ctx, HANDLE port, const win::ExtensionFns& fns, std::unique_ptr<rio::Api> api)
      : SessionBackend(ctx, port, fns), api_(std::move(api)), slices_(*api_) {}

  // "" or why the completion queue could not be created.
  std::string start() {
    DWORD size = DWORD(2) * cfg_.maxConnections + 64;  // one receive + one send per session
    if (size > (1u << 22)) size = 1u << 22;
    cq_ = api_->createCompletionQueue(size, port_, reinterpret_cast<void*>(kRioKey), &notifyOv_);
    if (!cq_) return win::errorText("RIOCreateCompletionQueue", WSAGetLastError());
    api_->notify(cq_);
    return "";
  }

  ~RioBackend() override {
    shutdown();
    bool complete = drain();
    if (cq_ && complete) api_->closeCompletionQueue(cq_);
    if (!complete) slices_.release();  // outstanding requests may still use them
  }

 protected:
  DWORD socketFlags() const override { return api_->socketFlags(); }

  uint32_t attach(Session* s) override {
    rio::Rq rq = api_->createRequestQueue(s->sock, 1, 1, cq_, cq_, nullptr);
    if (!rq) return uint32_t(WSAGetLastError());
    s->rq = rq;
    return 0;
  }

  void postReceive(Session* s) override {
    if (s->receiving || !s->wantsRead()) return;
    if (s->recvSlice < 0) s->recvSlice = slices_.take();
    if (s->recvSlice < 0) {
      closeSession(s, CloseReason::kIoError, ERROR_NOT_ENOUGH_MEMORY);
      return;
    }
    rio::Buf buf = slices_.buf(s->recvSlice, kSliceBytes);
    posted(s, s->receiving);
    c_.syscalls.add();
    if (!api_->receive(static_cast<rio::Rq>(s->rq), &buf, s)) opFailed(s, s->receiving, WSAGetLastError());
  }

  void postSend(Session* s) override {
    if (s->sendSlice < 0) s->sendSlice = slices_.take();
    if (s->sendSlice < 0) {
      closeSession(s, CloseReason::kIoError, ERROR_NOT_ENOUGH_MEMORY);
      return;
    }
    // Copy up to one slice of queued bytes; they stay queued (delayed consume) until the send completes.
    ByteSlice parts[64];
    size_t n = s->queue.gather(parts, 64, kSliceBytes);
    uint8_t* dst = slices_.data(s->sendSlice);
    size_t len = 0;
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(dst + len, parts[i].data, parts[i].len);
      len += parts[i].len;
    }
    rio::Buf buf = slices_.buf(s->sendSlice, ULONG(len));
    posted(s, s->sending);
    c_.syscalls.add();
    void* ctx = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(s) | kSendTag);
    if (!api_->send(static_cast<rio::Rq>(s->rq), &buf, ctx)) opFailed(s, s->sending, WSAGetLastError());
  }

  void startConnect(Session* s, const SocketAddress& addr) override {
    win::setNonBlocking(s->sock);
    c_.syscalls.add();
    if (::connect(s->sock, reinterpret_cast<const sockaddr*>(&addr.storage), int(addr.length)) == 0) {
      finishConnect(s, 0);
      return;
    }
    int err = WSAGetLastError();
    if (err != WSAEWOULDBLOCK) {
      closeSession(s, win::connectFailure(uint32_t(err)), uint32_t(err));
      return;
    }
    connecting_.push_back(s->id);
  }

  bool handlePortEntry(const OVERLAPPED_ENTRY& e) override {
    if (e.lpCompletionKey != kRioKey || e.lpOverlapped != &notifyOv_) return false;
    drainQueue();
    return true;
  }

  void onSweep() override { pollConnects(); }

  void releaseSession(Session* s) override {
    if (s->recvSlice >= 0) slices_.put(s->recvSlice);
    if (s->sendSlice >= 0) slices_.put(s->sendSlice);
    s->recvSlice = s->sendSlice = -1;
    if (s->rq) api_->releaseRequestQueue(static_cast<rio::Rq>(s->rq));
    s->rq = nullptr;
  }

 private:
  // Results until the queue is empty (or the pass's batch is full), then re-arm the notification.
  void drainQueue() {
    rio::Result results[kDequeueBatch];
    for (;;) {
      ULONG n = api_->dequeue(cq_, results, kDequeueBatch);
      c_.syscalls.add();
      if (n == rio::kCorruptCq) {
        std::fprintf(stderr, "fastport: rio: completion queue corrupt\n");
        break;
      }
      for (ULONG i = 0; i < n; ++i) onResult(results[i]);
      if (n < kDequeueBatch || batchFull()) break;  // the rest: notified again at once, on the next pass
    }
    api_->notify(cq_);
  }

  void onResult(const rio::Result& r) {
    auto ctx = uintptr_t(r.requestContext);
    auto* s = reinterpret_cast<Session*>(ctx & ~kSendTag);
    uint32_t err = uint32_t(r.status);
    if (ctx & kSendTag) {
      if (opEnded(s, s->sending, err)) sent(s, r.bytesTransferred);
      return;
    }
    if (opEnded(s, s->receiving, err) && receiveDone(s, slices_.data(s->recvSlice), r.bytesTransferred)) {
      postReceive(s);
    }
  }

  void finishConnect(Session* s, uint32_t err) {
    u_long blocking = 0;
    ioctlsocket(s->sock, FIONBIO, &blocking);  // back to blocking mode: request queues do the I/O now
    connectDone(s, err);
  }

  // Non-blocking connects: select() with no wait, 64 sockets at a time (FD_SETSIZE).
  void pollConnects() {
    if (connecting_.empty()) return;
    std::vector<SessionId> still;
    for (size_t base = 0; base < connecting_.size(); base += FD_SETSIZE) {
      fd_set writable, failed;
      FD_ZERO(&writable);
      FD_ZERO(&failed);
      std::vector<Session*> batch;
      for (size_t i = base; i < connecting_.size() && i < base + FD_SETSIZE; ++i) {
        Session* s = find(connecting_[i]);
        if (!s || s->state != SessionState::kConnecting) continue;
        FD_SET(s->sock, &writable);
        FD_SET(s->sock, &failed);
        batch.push_back(s);
      }
      if (batch.empty()) continue;
      timeval zero{0, 0};
      c_.syscalls.add();
      if (select(0, nullptr, &writable, &failed, &zero) < 0) {
        for (Session* s : batch) still.push_back(s->id);
        continue;
      }
      for (Session* s : batch) {
        if (FD_ISSET(s->sock, &failed)) {
          int soErr = 0;
          int len = sizeof soErr;
          getsockopt(s->sock, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&soErr), &len);
          closeSession(s, win::connectFailure(uint32_t(soErr ? soErr : WSAECONNREFUSED)),
                       uint32_t(soErr ? soErr : WSAECONNREFUSED));
        } else if (FD_ISSET(s->sock, &writable)) {
          finishConnect(s, 0);
        } else {
          still.push_back(s->id);
        }
      }
    }
    connecting_.swap(still);
  }

  std::unique_ptr<rio::Api> api_;
  SlicePool slices_;
  rio::Cq cq_ = nullptr;
  OVERLAPPED notifyOv_{};
  std::vector<SessionId> connecting_;
};

std::atomic<bool> fallbackLogged{false};
std::atomic<bool> emulationLogged{false};

// One line per process, not one per loop / engine.
void logOnce(std::atomic<bool>& done, const std::string& line) {
  if (done.exchange(true)) return;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace

std::unique_ptr<Backend> createRioBackend(const LoopContext& ctx, std::string* error) {
  *error = win::startWinsock();
  if (!error->empty()) return nullptr;
  // The process environment block (not the C runtime's copy: node's process.env writes go there).
  char emulate[4] = "";
  bool emulated =
      GetEnvironmentVariableA("FASTPORT_RIO_EMULATE", emulate, sizeof emulate) == 1 && emulate[0] == '1';
  std::string why;
  std::unique_ptr<rio::Api> api = emulated ? rio::createEmulatedApi(&why) : rio::loadNativeApi(&why);
  if (!api) {
    if (emulated) {
      *error = why;
      return nullptr;
    }
    logOnce(fallbackLogged, "fastport: rio: Registered I/O is not available (" + why + "); using iocp");
    return createIocpBackend(ctx, error);
  }
  if (emulated)
    logOnce(emulationLogged, "fastport: rio: running on the emulated RIO table (FASTPORT_RIO_EMULATE=1)");
  win::ExtensionFns fns;
  *error = win::loadExtensionFns(&fns);
  if (!error->empty()) return nullptr;
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (!port) {
    *error = win::errorText("CreateIoCompletionPort", GetLastError());
    return nullptr;
  }
  auto backend = std::make_unique<RioBackend>(ctx, port, fns, std::move(api));
  *error = backend->start();
  if (!error->empty()) return nullptr;
  return backend;
}

}  // namespace fastport
