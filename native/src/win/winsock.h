// Winsock helpers shared by the Windows engines (iocp, rio): start-up, extension functions, error codes.
#pragma once
// winsock2.h must come before windows.h and mswsock.h.
// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <mswsock.h>
#include <ws2tcpip.h>
// clang-format on

#include <cstdint>
#include <string>

#include "core/close_reason.h"

namespace fastport::win {

// WSAStartup once per process (2.2). "" or the reason it failed.
std::string startWinsock();

// The Microsoft extension functions the engines use, loaded once per backend
// (SIO_GET_EXTENSION_FUNCTION_POINTER).
struct ExtensionFns {
  LPFN_ACCEPTEX acceptEx = nullptr;
  LPFN_GETACCEPTEXSOCKADDRS getAcceptExSockaddrs = nullptr;
  LPFN_CONNECTEX connectEx = nullptr;
};
// "" or the reason. Uses a throw-away socket of the given family.
std::string loadExtensionFns(ExtensionFns* out);

// "<what>: <system message> (error N)".
std::string errorText(const std::string& what, unsigned long code);

// A completed operation's OVERLAPPED status (NTSTATUS) as a Winsock error code (0 = success).
uint32_t wsaErrorFromStatus(uintptr_t ntstatus);

// Session close reason for a failed receive / send.
CloseReason reasonForError(uint32_t wsaError);

// Non-blocking mode, TCP_NODELAY. Return 0 or a Winsock error.
int setNonBlocking(SOCKET s);
void setNoDelay(SOCKET s);

// Local port of a bound socket (host order), 0 when unknown.
uint16_t boundPort(SOCKET s);
// Why an outbound connect failed, from its Winsock error: connect_refused / connect_unreachable /
// connect_failed (docs/boundary.md close reasons).
CloseReason connectFailure(uint32_t wsaError);

}  // namespace fastport::win
