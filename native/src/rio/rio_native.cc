// The real Registered I/O function table behind rio::Api.
#include "rio/rio_api.h"

namespace fastport::rio {
namespace {

// Function table as returned by WSAIoctl (RIO_EXTENSION_FUNCTION_TABLE); calling convention as mswsock.h.
struct FunctionTable {
  DWORD cbSize;
  BOOL(PASCAL* receive)(Rq, Buf*, ULONG, DWORD, PVOID);
  int(PASCAL* receiveEx)(Rq, Buf*, ULONG, Buf*, Buf*, Buf*, Buf*, DWORD, PVOID);
  BOOL(PASCAL* send)(Rq, Buf*, ULONG, DWORD, PVOID);
  BOOL(PASCAL* sendEx)(Rq, Buf*, ULONG, Buf*, Buf*, Buf*, Buf*, DWORD, PVOID);
  void(PASCAL* closeCompletionQueue)(Cq);
  Cq(PASCAL* createCompletionQueue)(DWORD, NotificationCompletion*);
  Rq(PASCAL* createRequestQueue)(SOCKET, ULONG, ULONG, ULONG, ULONG, Cq, Cq, PVOID);
  ULONG(PASCAL* dequeueCompletion)(Cq, Result*, ULONG);
  void(PASCAL* deregisterBuffer)(BufferId);
  int(PASCAL* notify)(Cq);
  BufferId(PASCAL* registerBuffer)(PCHAR, DWORD);
  BOOL(PASCAL* resizeCompletionQueue)(Cq, DWORD);
  BOOL(PASCAL* resizeRequestQueue)(Rq, DWORD, DWORD);
};

// WSAID_MULTIPLE_RIO
constexpr GUID kMultipleRio = {0x8509e081, 0x96dd, 0x4005, {0xb1, 0x65, 0x9e, 0x2e, 0xe8, 0xc7, 0x9e, 0x3f}};

class NativeApi final : public Api {
 public:
  explicit NativeApi(const FunctionTable& t) : t_(t) {}
  const char* name() const override { return "native"; }
  DWORD socketFlags() const override { return WSA_FLAG_OVERLAPPED | WSA_FLAG_REGISTERED_IO; }
  BufferId registerBuffer(char* data, DWORD length) override { return t_.registerBuffer(data, length); }
  void deregisterBuffer(BufferId id) override { t_.deregisterBuffer(id); }
  Cq createCompletionQueue(DWORD size, HANDLE port, void* key, OVERLAPPED* overlapped) override {
    NotificationCompletion n{};
    n.type = kIocpCompletion;
    n.iocp.iocpHandle = port;
    n.iocp.completionKey = key;
    n.iocp.overlapped = overlapped;
    return t_.createCompletionQueue(size, &n);
  }
  void closeCompletionQueue(Cq cq) override { t_.closeCompletionQueue(cq); }
  Rq createRequestQueue(SOCKET s, ULONG maxReceives, ULONG maxSends, Cq receiveCq, Cq sendCq,
                        void* socketContext) override {
    return t_.createRequestQueue(s, maxReceives, 1, maxSends, 1, receiveCq, sendCq, socketContext);
  }
  void releaseRequestQueue(Rq) override {}
  bool receive(Rq rq, Buf* buf, void* ctx) override { return t_.receive(rq, buf, 1, 0, ctx); }
  bool send(Rq rq, Buf* buf, void* ctx) override { return t_.send(rq, buf, 1, 0, ctx); }
  int notify(Cq cq) override { return t_.notify(cq); }
  ULONG dequeue(Cq cq, Result* results, ULONG count) override {
    return t_.dequeueCompletion(cq, results, count);
  }

 private:
  FunctionTable t_;
};

}  // namespace

std::unique_ptr<Api> loadNativeApi(std::string* error) {
  SOCKET s =
      WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_REGISTERED_IO);
  if (s == INVALID_SOCKET) {
    *error = win::errorText("WSASocket(WSA_FLAG_REGISTERED_IO)", WSAGetLastError());
    return nullptr;
  }
  FunctionTable table{};
  table.cbSize = sizeof table;
  GUID guid = kMultipleRio;
  DWORD bytes = 0;
  int rc = WSAIoctl(s, SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &table, sizeof table,
                    &bytes, nullptr, nullptr);
  int err = rc == 0 ? 0 : WSAGetLastError();
  closesocket(s);
  if (rc != 0) {
    *error = win::errorText("WSAIoctl(WSAID_MULTIPLE_RIO)", unsigned(err));
    return nullptr;
  }
  if (!table.receive || !table.send || !table.createCompletionQueue || !table.createRequestQueue ||
      !table.dequeueCompletion || !table.notify || !table.registerBuffer) {
    *error = "WSAIoctl(WSAID_MULTIPLE_RIO) returned an incomplete function table";
    return nullptr;
  }
  return std::make_unique<NativeApi>(table);
}

}  // namespace fastport::rio
