// libFuzzer harness for the WebSocket step (ws/wire_protocol.h) on an upgraded session. Input: byte 0 =
// chunking seed, byte 1 = maxFrameBytes seed, rest = the client's byte stream. Fed in seeded chunks, it must
// give exactly the events, queued bytes and verdict of one single feed (any split is the same stream), and
// never hold more than the frame limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../test/ws_helpers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fastport;
  using namespace fastport::wstest;
  if (size < 2) return 0;
  uint32_t seed = data[0];
  uint32_t maxFrameBytes = 10 + uint32_t(data[1]) * 64;
  std::string stream(reinterpret_cast<const char*>(data + 2), size - 2);

  WsSession whole(maxFrameBytes);
  whole.feed(stream);

  WsSession split(maxFrameBytes);
  size_t at = 0;
  while (at < stream.size() && split.out.close == CloseReason::kNone) {
    seed = seed * 1103515245u + 12345u;
    size_t n = 1 + (seed >> 16) % 97;
    if (n > stream.size() - at) n = stream.size() - at;
    split.feed(stream.substr(at, n));
    at += n;
    if (split.parser.heldBytes() > maxFrameBytes) abort();
  }
  if (split.out.events != whole.out.events || split.out.raw != whole.out.raw ||
      split.out.close != whole.out.close || split.out.drain != whole.out.drain) {
    abort();
  }
  return 0;
}
