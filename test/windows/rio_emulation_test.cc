// The emulated RIO table's contract (native/src/rio/rio_emulated.cc), checked under Wine by
// scripts/windows/test-wine.sh: notification only when armed and results wait, results carry status /
// bytes / contexts, sends reach the peer, a closed socket completes its receive with an error, a bad
// buffer id is refused. Prints one line per check and 'rio-emulation: N passed, N failed'.
#include <cstdio>
#include <cstring>
#include <string>

#include "rio/rio_api.h"

using namespace fastport;

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char* what) {
  std::printf("%s - rio emulation: %s\n", ok ? "ok" : "not ok", what);
  ok ? ++passed : ++failed;
}

// Waits up to ms for a packet on port; true when one with `key` arrived.
bool notified(HANDLE port, ULONG_PTR key, DWORD ms) {
  DWORD bytes = 0;
  ULONG_PTR got = 0;
  OVERLAPPED* ov = nullptr;
  return GetQueuedCompletionStatus(port, &bytes, &got, &ov, ms) && got == key;
}

// A connected pair on 127.0.0.1: *server is the accepted side.
bool socketPair(SOCKET* client, SOCKET* server) {
  SOCKET l = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  if (bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(l, 4) != 0 ||
      getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return false;
  }
  *client = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (connect(*client, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
  *server = accept(l, nullptr, nullptr);
  closesocket(l);
  return *server != INVALID_SOCKET;
}

}  // namespace

int main() {
  check(win::startWinsock().empty(), "Winsock starts");
  std::string error;
  auto api = rio::createEmulatedApi(&error);
  check(api != nullptr, "the emulated table is created");
  if (!api) return 1;
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  const ULONG_PTR key = 7;
  OVERLAPPED notifyOv{};
  rio::Cq cq = api->createCompletionQueue(64, port, reinterpret_cast<void*>(key), &notifyOv);
  check(cq != nullptr, "a completion queue is created");

  SOCKET client = INVALID_SOCKET, server = INVALID_SOCKET;
  check(socketPair(&client, &server), "a loopback socket pair");
  static char memory[65536];
  rio::BufferId id = api->registerBuffer(memory, sizeof memory);
  check(id != rio::kInvalidBufferId, "a buffer is registered");
  rio::Rq rq = api->createRequestQueue(server, 1, 1, cq, cq, reinterpret_cast<void*>(0x55));
  check(rq != nullptr, "a request queue is created");

  api->notify(cq);
  check(!notified(port, key, 50), "notify() on an empty queue posts nothing yet");

  rio::Buf in{id, 0, 4096};
  check(api->receive(rq, &in, reinterpret_cast<void*>(0x10)), "a receive is accepted");
  send(client, "hello", 5, 0);
  check(notified(port, key, 2000), "the armed queue notifies when the receive completes");
  rio::Result r[4];
  ULONG n = api->dequeue(cq, r, 4);
  check(n == 1 && r[0].status == 0 && r[0].bytesTransferred == 5 && r[0].requestContext == 0x10 &&
            r[0].socketContext == 0x55 && std::memcmp(memory, "hello", 5) == 0,
        "the result has status 0, 5 bytes, both contexts, and the bytes are in the buffer");

  rio::Buf in2{id, 8192, 4096};
  api->receive(rq, &in2, reinterpret_cast<void*>(0x11));
  send(client, "again", 5, 0);
  check(!notified(port, key, 200), "no notification while not armed");
  n = api->dequeue(cq, r, 4);
  check(n == 1 && r[0].requestContext == 0x11 && std::memcmp(memory + 8192, "again", 5) == 0,
        "the result waits in the queue anyway");

  std::memcpy(memory + 16384, "world", 5);
  rio::Buf out{id, 16384, 5};
  api->notify(cq);
  check(api->send(rq, &out, reinterpret_cast<void*>(0x20)), "a send is accepted");
  char got[8] = {};
  int received = recv(client, got, sizeof got, 0);
  check(received == 5 && std::memcmp(got, "world", 5) == 0, "the peer receives the sent bytes");
  check(notified(port, key, 2000), "the send's completion notifies");
  n = api->dequeue(cq, r, 4);
  check(n == 1 && r[0].requestContext == 0x20 && r[0].bytesTransferred == 5, "the send's result");

  rio::Buf bad{reinterpret_cast<rio::BufferId>(uintptr_t(999)), 0, 16};
  check(!api->receive(rq, &bad, nullptr) && WSAGetLastError() == WSAEINVAL,
        "an unknown buffer id is refused");

  rio::Buf in3{id, 0, 4096};
  api->receive(rq, &in3, reinterpret_cast<void*>(0x12));
  api->notify(cq);
  closesocket(server);
  check(notified(port, key, 2000), "closing the socket completes its pending receive");
  n = api->dequeue(cq, r, 4);
  check(n == 1 && r[0].requestContext == 0x12 && (r[0].status != 0 || r[0].bytesTransferred == 0),
        "that receive reports an error (or end of stream)");

  api->releaseRequestQueue(rq);
  api->closeCompletionQueue(cq);
  api->deregisterBuffer(id);
  closesocket(client);
  CloseHandle(port);
  std::printf("rio-emulation: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
