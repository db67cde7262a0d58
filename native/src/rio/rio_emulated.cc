// rio::Api emulated on ordinary overlapped sockets, for testing the rio engine where Registered I/O is
// missing (Wine). A request queue's socket is associated with a private completion port; each receive /
// send becomes one overlapped WSARecv / WSASend on the registered memory, and a helper thread turns their
// completions into Results in the completion queue, posting the queue's notification when it is armed
// (notify() called and results waiting) — the same contract as RIO_IOCP_COMPLETION.
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "rio/rio_api.h"

namespace fastport::rio {
namespace {

constexpr ULONG_PTR kStopKey = 1;

struct EmuCq {
  std::mutex mutex;
  std::deque<Result> results;  // guarded
  bool armed = false;          // guarded: notify() called, notification not yet sent
  HANDLE port;
  void* key;
  OVERLAPPED* overlapped;
};

struct EmuRq {
  SOCKET sock;
  EmuCq* receiveCq;
  EmuCq* sendCq;
  void* socketContext;
};

struct EmuOp {
  OVERLAPPED ov{};
  EmuCq* cq;
  void* socketContext;
  void* requestContext;
};

class EmulatedApi final : public Api {
 public:
  explicit EmulatedApi(HANDLE port) : port_(port) {
    thread_ = std::thread([this] { run(); });
  }

  ~EmulatedApi() override {
    PostQueuedCompletionStatus(port_, 0, kStopKey, nullptr);
    thread_.join();
    CloseHandle(port_);
  }

  const char* name() const override { return "emulated"; }
  DWORD socketFlags() const override { return WSA_FLAG_OVERLAPPED; }

  BufferId registerBuffer(char* data, DWORD length) override {
    std::lock_guard<std::mutex> lock(mutex_);
    buffers_.push_back(data);
    return reinterpret_cast<BufferId>(buffers_.size());  // 1-based index
  }

  void deregisterBuffer(BufferId id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t i = reinterpret_cast<size_t>(id);
    if (i >= 1 && i <= buffers_.size()) buffers_[i - 1] = nullptr;
  }

  Cq createCompletionQueue(DWORD, HANDLE port, void* key, OVERLAPPED* overlapped) override {
    auto* cq = new EmuCq;
    cq->port = port;
    cq->key = key;
    cq->overlapped = overlapped;
    return reinterpret_cast<Cq>(cq);
  }

  void closeCompletionQueue(Cq cq) override { delete reinterpret_cast<EmuCq*>(cq); }

  Rq createRequestQueue(SOCKET s, ULONG, ULONG, Cq receiveCq, Cq sendCq, void* socketContext) override {
    if (!CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port_, 0, 0)) {
      WSASetLastError(int(GetLastError()));
      return nullptr;
    }
    auto* rq =
        new EmuRq{s, reinterpret_cast<EmuCq*>(receiveCq), reinterpret_cast<EmuCq*>(sendCq), socketContext};
    return reinterpret_cast<Rq>(rq);
  }

  void releaseRequestQueue(Rq rq) override { delete reinterpret_cast<EmuRq*>(rq); }

  bool receive(Rq rq, Buf* buf, void* ctx) override { return start(rq, buf, ctx, false); }
  bool send(Rq rq, Buf* buf, void* ctx) override { return start(rq, buf, ctx, true); }

  int notify(Cq handle) override {
    auto* cq = reinterpret_cast<EmuCq*>(handle);
    std::lock_guard<std::mutex> lock(cq->mutex);
    if (cq->results.empty()) {
      cq->armed = true;
    } else {
      cq->armed = false;
      post(cq);
    }
    return 0;
  }

  ULONG dequeue(Cq handle, Result* results, ULONG count) override {
    auto* cq = reinterpret_cast<EmuCq*>(handle);
    std::lock_guard<std::mutex> lock(cq->mutex);
    ULONG n = 0;
    while (n < count && !cq->results.empty()) {
      results[n++] = cq->results.front();
      cq->results.pop_front();
    }
    return n;
  }

 private:
  static void post(EmuCq* cq) {
    PostQueuedCompletionStatus(cq->port, 0, reinterpret_cast<ULONG_PTR>(cq->key), cq->overlapped);
  }

  char* address(const Buf* buf) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t i = reinterpret_cast<size_t>(buf->bufferId);
    if (i < 1 || i > buffers_.size() || !buffers_[i - 1]) return nullptr;
    return buffers_[i - 1] + buf->offset;
  }

  bool start(Rq handle, Buf* buf, void* ctx, bool isSend) {
    auto* rq = reinterpret_cast<EmuRq*>(handle);
    char* data = address(buf);
    if (!data) {
      WSASetLastError(WSAEINVAL);
      return false;
    }
    auto* op = new EmuOp;
    op->cq = isSend ? rq->sendCq : rq->receiveCq;
    op->socketContext = rq->socketContext;
    op->requestContext = ctx;
    WSABUF wb{buf->length, data};
    DWORD flags = 0;
    int rc = isSend ? WSASend(rq->sock, &wb, 1, nullptr, 0, &op->ov, nullptr)
                    : WSARecv(rq->sock, &wb, 1, nullptr, &flags, &op->ov, nullptr);
    if (rc != 0) {
      int err = WSAGetLastError();
      if (err != WSA_IO_PENDING) {
        delete op;
        WSASetLastError(err);
        return false;
      }
    }
    return true;  // immediate success also completes through the private port (no skip-on-success mode)
  }

  // Helper thread: overlapped completions -> Results, plus the armed queue's notification.
  void run() {
    for (;;) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      BOOL ok = GetQueuedCompletionStatus(port_, &bytes, &key, &ov, INFINITE);
      if (key == kStopKey && !ov) return;
      if (!ov) {
        if (!ok) return;  // the port itself failed
        continue;
      }
      auto* op = reinterpret_cast<EmuOp*>(ov);
      Result r{};
      r.status = LONG(win::wsaErrorFromStatus(ov->Internal));
      r.bytesTransferred = bytes;
      r.socketContext = reinterpret_cast<ULONGLONG>(op->socketContext);
      r.requestContext = reinterpret_cast<ULONGLONG>(op->requestContext);
      EmuCq* cq = op->cq;
      delete op;
      std::lock_guard<std::mutex> lock(cq->mutex);
      cq->results.push_back(r);
      if (cq->armed) {
        cq->armed = false;
        post(cq);
      }
    }
  }

  HANDLE port_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<char*> buffers_;  // guarded; index + 1 = BufferId
};

}  // namespace

std::unique_ptr<Api> createEmulatedApi(std::string* error) {
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (!port) {
    *error = win::errorText("CreateIoCompletionPort (RIO emulation)", GetLastError());
    return nullptr;
  }
  return std::make_unique<EmulatedApi>(port);
}

}  // namespace fastport::rio
