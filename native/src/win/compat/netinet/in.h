// Windows stand-in for <netinet/in.h> (sockaddr_in / sockaddr_in6: Winsock). Windows builds only.
#pragma once
#include <winsock2.h>
#include <ws2tcpip.h>
