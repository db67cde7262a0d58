#include "win/winsock.h"

#include <mutex>

#include "core/connect_failure.h"
#include "core/system_error.h"

namespace fastport::win {

std::string startWinsock() {
  static std::once_flag once;
  static int result = 0;
  std::call_once(once, [] {
    WSADATA data;
    result = WSAStartup(MAKEWORD(2, 2), &data);
  });
  return result == 0 ? "" : errorText("WSAStartup", unsigned(result));
}

namespace {

template <class Fn>
bool loadOne(SOCKET s, GUID guid, Fn* out) {
  DWORD bytes = 0;
  return WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, out, sizeof *out, &bytes,
                  nullptr, nullptr) == 0;
}

}  // namespace

std::string loadExtensionFns(ExtensionFns* out) {
  SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (s == INVALID_SOCKET) return errorText("WSASocket", WSAGetLastError());
  std::string error;
  if (!loadOne(s, WSAID_ACCEPTEX, &out->acceptEx)) {
    error = errorText("AcceptEx", WSAGetLastError());
  } else if (!loadOne(s, WSAID_GETACCEPTEXSOCKADDRS, &out->getAcceptExSockaddrs)) {
    error = errorText("GetAcceptExSockaddrs", WSAGetLastError());
  } else if (!loadOne(s, WSAID_CONNECTEX, &out->connectEx)) {
    error = errorText("ConnectEx", WSAGetLastError());
  }
  closesocket(s);
  return error;
}

namespace {

// Names for the errors a caller is most likely to see, for systems whose message table lacks them (Wine).
const char* knownErrorName(unsigned long code) {
  switch (code) {
    case WSAEADDRINUSE:
      return "address already in use (WSAEADDRINUSE)";
    case WSAEADDRNOTAVAIL:
      return "address not available (WSAEADDRNOTAVAIL)";
    case WSAEACCES:
      return "permission denied (WSAEACCES)";
    case WSAECONNREFUSED:
      return "connection refused (WSAECONNREFUSED)";
    case WSAEOPNOTSUPP:
      return "operation not supported (WSAEOPNOTSUPP)";
    case WSAEAFNOSUPPORT:
      return "address family not supported (WSAEAFNOSUPPORT)";
    case WSAEMFILE:
      return "too many open sockets (WSAEMFILE)";
    case WSAENOBUFS:
      return "no buffer space (WSAENOBUFS)";
    default:
      return nullptr;
  }
}

}  // namespace

std::string errorText(const std::string& what, unsigned long code) {
  if (const char* known = knownErrorName(code)) {
    return what + ": " + known + " (error " + std::to_string(code) + ")";
  }
  char buf[256] = "";
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0, buf,
                           sizeof buf, nullptr);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '.')) {
    buf[--n] = 0;
  }
  std::string text = n ? std::string(buf, n) : std::string("system error");
  return what + ": " + text + " (error " + std::to_string(code) + ")";
}

namespace {

// The NTSTATUS codes a socket operation ends with, as Winsock errors.
struct StatusError {
  uint32_t status;
  uint32_t wsaError;
};
constexpr StatusError kStatusErrors[] = {
    {0x00000000, 0},                        // STATUS_SUCCESS
    {0xC0000120, ERROR_OPERATION_ABORTED},  // STATUS_CANCELLED
    {0xC000020D, WSAECONNRESET},            // STATUS_CONNECTION_RESET
    {0xC000013C, WSAECONNRESET},            // STATUS_REMOTE_DISCONNECT
    {0xC0000236, WSAECONNREFUSED},          // STATUS_CONNECTION_REFUSED
    {0xC00000B5, WSAETIMEDOUT},             // STATUS_IO_TIMEOUT
    {0xC0000241, WSAECONNABORTED},          // STATUS_CONNECTION_ABORTED
    {0xC000013B, WSAECONNABORTED},          // STATUS_LOCAL_DISCONNECT
    {0xC000023C, WSAENETUNREACH},           // STATUS_NETWORK_UNREACHABLE
    {0xC000023D, WSAEHOSTUNREACH},          // STATUS_HOST_UNREACHABLE
    {0xC0000008, WSAENOTSOCK},              // STATUS_INVALID_HANDLE
};

}  // namespace

uint32_t wsaErrorFromStatus(uintptr_t ntstatus) {
  for (const StatusError& e : kStatusErrors) {
    if (e.status == uint32_t(ntstatus)) return e.wsaError;
  }
  return uint32_t(ntstatus);  // unmapped: the raw status (still non-zero = failure)
}

CloseReason reasonForError(uint32_t err) {
  switch (err) {
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAENETRESET:
    case WSAESHUTDOWN:
      return CloseReason::kReset;
    default:
      return CloseReason::kIoError;
  }
}

int setNonBlocking(SOCKET s) {
  u_long on = 1;
  return ioctlsocket(s, FIONBIO, &on) == 0 ? 0 : WSAGetLastError();
}

void setNoDelay(SOCKET s) {
  BOOL on = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
}

uint16_t boundPort(SOCKET s) {
  sockaddr_storage bound{};
  int len = sizeof bound;
  if (getsockname(s, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return 0;
  return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

CloseReason connectFailure(uint32_t wsaError) {
  return connectFailureReason(wsaError, {WSAECONNREFUSED, WSAENETUNREACH, WSAEHOSTUNREACH});
}

}  // namespace fastport::win

// core/system_error.h on Windows.
std::string fastport::systemErrorText(const std::string& what, int err) {
  return win::errorText(what, unsigned(err));
}
