// Windows stand-in for <netdb.h> (getaddrinfo, gai_strerror: Winsock). Windows builds only.
#pragma once
#include <winsock2.h>
#include <ws2tcpip.h>
