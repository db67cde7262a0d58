// Registered I/O behind a small interface, so the rio engine runs on the real function table (Windows 8+)
// or on an emulation (tests; Wine has no RIO). The RIO types are declared here in our own namespace with
// the layout of Microsoft's mswsock.h, because Debian's mingw-w64 headers do not declare them.
#pragma once
#include <memory>
#include <string>

#include "win/winsock.h"

#ifndef SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER
#define SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2, 36)
#endif
#ifndef WSA_FLAG_REGISTERED_IO
#define WSA_FLAG_REGISTERED_IO 0x100
#endif

namespace fastport::rio {

// Opaque handles, as in mswsock.h (RIO_BUFFERID / RIO_CQ / RIO_RQ).
struct BufferTag;
struct CqTag;
struct RqTag;
using BufferId = BufferTag*;
using Cq = CqTag*;
using Rq = RqTag*;

inline const BufferId kInvalidBufferId = reinterpret_cast<BufferId>(~uintptr_t(0));
inline constexpr ULONG kCorruptCq = 0xFFFFFFFF;

struct Buf {  // RIO_BUF
  BufferId bufferId;
  ULONG offset;
  ULONG length;
};

struct Result {  // RIORESULT
  LONG status;
  ULONG bytesTransferred;
  ULONGLONG socketContext;
  ULONGLONG requestContext;
};

enum NotificationType : int { kEventCompletion = 1, kIocpCompletion = 2 };

struct NotificationCompletion {  // RIO_NOTIFICATION_COMPLETION
  NotificationType type;
  union {
    struct {
      HANDLE eventHandle;
      BOOL notifyReset;
    } event;
    struct {
      HANDLE iocpHandle;
      PVOID completionKey;
      PVOID overlapped;
    } iocp;
  };
};

// What the engine needs from Registered I/O. One instance per engine loop; all calls on the loop thread.
class Api {
 public:
  virtual ~Api() = default;
  virtual const char* name() const = 0;
  // Flags for sockets that take part (native: WSA_FLAG_REGISTERED_IO).
  virtual DWORD socketFlags() const = 0;
  virtual BufferId registerBuffer(char* data, DWORD length) = 0;
  virtual void deregisterBuffer(BufferId id) = 0;
  // The queue notifies by posting `overlapped` with `key` to `port` once per notify() call, when it has
  // results.
  virtual Cq createCompletionQueue(DWORD size, HANDLE port, void* key, OVERLAPPED* overlapped) = 0;
  virtual void closeCompletionQueue(Cq cq) = 0;
  virtual Rq createRequestQueue(SOCKET s, ULONG maxReceives, ULONG maxSends, Cq receiveCq, Cq sendCq,
                                void* socketContext) = 0;
  // Real RIO frees a request queue with its socket; the emulation frees its bookkeeping here.
  virtual void releaseRequestQueue(Rq rq) = 0;
  virtual bool receive(Rq rq, Buf* buf, void* requestContext) = 0;
  virtual bool send(Rq rq, Buf* buf, void* requestContext) = 0;
  virtual int notify(Cq cq) = 0;
  virtual ULONG dequeue(Cq cq, Result* results, ULONG count) = 0;
};

// The real function table (WSAIoctl SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER, WSAID_MULTIPLE_RIO);
// nullptr with *error when Registered I/O is not available (e.g. Wine: WSAEOPNOTSUPP).
std::unique_ptr<Api> loadNativeApi(std::string* error);

// The emulation: request queues become overlapped WSARecv / WSASend on the socket, completed on a private
// completion port by a helper thread that fills the completion queues and sends their notifications.
std::unique_ptr<Api> createEmulatedApi(std::string* error);

}  // namespace fastport::rio
