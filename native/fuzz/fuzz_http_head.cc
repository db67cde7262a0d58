// libFuzzer harness for the native upgrade (ws/http_request_head.h, ws/upgrade_answer.h, the head reading in
// ws/wire_protocol.h). Input: byte 0 = chunking seed, byte 1 = origin allow-list on (odd) or off, rest = a
// client's stream from its first byte. Fed in seeded chunks it must give exactly the events, queued bytes
// and verdict of one single feed; the parser alone must take any bytes; whatever is queued is one HTTP
// response (or a 101 followed by WebSocket frames), never more than the head bound is held.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../test/ws_helpers.h"
#include "ws/http_request_head.h"

namespace {

using namespace fastport;
using namespace fastport::wstest;

struct Fresh : WsSession {
  explicit Fresh(bool originList) : WsSession(1u << 16, false) {
    cfg.wsPath = "/game";
    if (originList) cfg.wsOrigins.emplace(1, "http://a.example");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t seed = data[0];
  bool originList = data[1] & 1;
  std::string stream(reinterpret_cast<const char*>(data + 2), size - 2);

  ws::RequestHead head;
  ws::parseRequestHead(stream, head);  // any bytes: no crash, no read past the view

  Fresh whole(originList);
  whole.feed(stream);
  if (!whole.out.raw.empty() && whole.out.raw.rfind("HTTP/1.1 ", 0) != 0) abort();
  if (whole.protocol.isWebSocket() && whole.out.raw.rfind("HTTP/1.1 101 ", 0) != 0) abort();

  Fresh split(originList);
  size_t at = 0;
  while (at < stream.size() && split.out.close == CloseReason::kNone) {
    seed = seed * 1103515245u + 12345u;
    size_t n = 1 + (seed >> 16) % 257;
    if (n > stream.size() - at) n = stream.size() - at;
    split.feed(stream.substr(at, n));
    at += n;
  }
  if (split.out.events != whole.out.events || split.out.raw != whole.out.raw ||
      split.out.close != whole.out.close || split.out.drain != whole.out.drain) {
    abort();
  }
  return 0;
}
