// Windows stand-in for <sys/socket.h> so the shared core (core/address.h) compiles unchanged: Winsock
// provides sockaddr_storage, socklen_t and the socket calls. Only on the include path of Windows builds.
#pragma once
#include <winsock2.h>
#include <ws2tcpip.h>
