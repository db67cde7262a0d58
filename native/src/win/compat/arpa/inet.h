// Windows stand-in for <arpa/inet.h> (inet_ntop, htons: Winsock). Windows builds only.
#pragma once
#include <winsock2.h>
#include <ws2tcpip.h>
