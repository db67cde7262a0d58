// The native upgrade (ws/): SHA-1 against FIPS 180-4 / RFC 3174 vectors, the RFC 6455 sample accept key,
// the request head parser, every refusal with its status, and the session switching to WebSocket at once.
#include <string>

#include "check.h"
#include "ws/http_request_head.h"
#include "ws/sha1.h"
#include "ws_helpers.h"

using namespace fastport;
using namespace fastport::wstest;

namespace {

std::string hex(const ws::Sha1Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) s += {digits[b >> 4], digits[b & 15]};
  return s;
}

std::string sha1Hex(const std::string& s) {
  return hex(ws::sha1(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The status line's code of a queued HTTP response, or 0.
int statusOf(const std::string& raw) {
  return raw.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0;
}

// A fresh session (before its first byte) for the given WebSocket endpoint.
struct Fresh : WsSession {
  explicit Fresh(const EngineConfig* endpoint = nullptr) : WsSession(1u << 20, false) {
    if (endpoint) cfg = *endpoint;
  }
};

}  // namespace

TEST(ws_sha1_matches_the_fips_and_rfc3174_vectors) {
  CHECK(sha1Hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1Hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(sha1Hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  std::string test4;  // RFC 3174 test 4: 64 bytes of "01234567" repeated, 10 times
  for (int i = 0; i < 80; ++i) test4 += "01234567";
  CHECK(sha1Hex(test4) == "dea356a2cddd90c7a7ecedc5ebb563934f460452");
}

TEST(ws_sha1_padding_edges_55_56_63_64_bytes) {
  // Lengths where the padding needs one block, two blocks, or lands on the boundary (digests from Node's
  // crypto).
  CHECK(sha1Hex(std::string(55, 'a')) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  CHECK(sha1Hex(std::string(56, 'a')) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  CHECK(sha1Hex(std::string(63, 'a')) == "03f09f5b158a7a8cdad920bddc29b81c18a551f5");
  CHECK(sha1Hex(std::string(64, 'a')) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(ws_accept_key_of_the_rfc6455_sample) {
  CHECK(ws::acceptKeyFor("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_request_head_fields_are_case_insensitive_and_repeats_join) {
  ws::RequestHead h;
  std::string head =
      "GET /chat?x=1 HTTP/1.1\r\nHOST: a\r\nconnection: keep-alive\r\nConnection:  Upgrade \r\n"
      "X-Other: y\r\nOrigin: http://o\r\n\r\n";
  CHECK(ws::parseRequestHead(head, h) == nullptr);
  CHECK(h.method == "GET" && h.target == "/chat?x=1");
  CHECK(h.versionMajor == 1 && h.versionMinor == 1);
  CHECK(h.connection == std::string("keep-alive, Upgrade"));
  CHECK(ws::hasToken(*h.connection, "upgrade"));
  CHECK(!ws::hasToken(*h.connection, "upgrad"));
  CHECK(h.origin == std::string("http://o"));
  CHECK(!h.upgrade && !h.key);
}

TEST(ws_malformed_request_heads_are_refused_with_400) {
  const char* bad[] = {
      "GET  / HTTP/1.1\r\n\r\n",                // empty method token... two spaces: empty target
      "GET / HTTP/1.1 x\r\n\r\n",               // junk after the version
      "GET / HTTX/1.1\r\n\r\n",                 // not HTTP
      "GET / HTTP/1.1\r\nNo colon\r\n\r\n",     // field without ':'
      "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",  // space in the name
      "GET / HTTP/1.1\r\n folded: x\r\n\r\n",   // obsolete line folding
      "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n",    // control byte in a value
      "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n",   // bare LF
      "GET /\x7f HTTP/1.1\r\n\r\n",             // DEL in the target
  };
  for (const char* request : bad) {
    Fresh s;
    s.feed(request);
    CHECK_EQ(statusOf(s.out.raw), 400);
    CHECK(s.out.close == CloseReason::kProtocolError);
    CHECK(s.out.drain);
    CHECK(!s.protocol.acceptsFrames());
    CHECK_EQ(countEvents(s.out.events, EventType::kHttp), 0);
  }
}

TEST(ws_upgrade_is_answered_with_101_and_the_session_is_websocket_at_once) {
  Fresh s;
  s.feed(upgradeRequest("/?q=1"));
  CHECK(s.out.raw ==
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  CHECK(s.protocol.isWebSocket());
  CHECK(s.out.close == CloseReason::kNone);
  CHECK(s.out.events.empty());  // no HTTP event: JS sees nothing of the upgrade
  CHECK_EQ(s.c.wsUpgrades.get(), uint64_t(1));
  CHECK_EQ(s.c.httpRequests.get(), uint64_t(1));
}

TEST(ws_upgrade_head_split_anywhere_with_an_early_frame_gives_101_then_the_frame) {
  std::string stream = upgradeRequest() + clientFrame(2, wireFrame(100, 7, "early"));
  Fresh whole;
  whole.feed(stream);
  CHECK_EQ(statusOf(whole.out.raw), 101);
  CHECK_EQ(countEvents(whole.out.events, EventType::kFrame), 1);
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    Fresh split;
    split.feed(stream.substr(0, cut));
    split.feed(stream.substr(cut));
    CHECK(split.out.raw == whole.out.raw);
    CHECK(split.out.events == whole.out.events);
  }
}

TEST(ws_upgrade_refusals_carry_their_status) {
  EngineConfig cfg;
  cfg.wsPath = "/game";
  cfg.wsOrigins.emplace(1, "http://good.example");
  const std::string good = "Origin: http://good.example\r\n";
  struct Case {
    std::string request;
    int status;
  } cases[] = {
      {upgradeRequest("/game", good), 101},
      {upgradeRequest("/game#frag", good), 101},
      {upgradeRequest("/", good), 404},
      {upgradeRequest("/game", "Origin: http://evil.example\r\n"), 403},
      {upgradeRequest("/game"), 403},  // no Origin at all
      {"GET /game HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n" +
           good + "\r\n",
       426},
      {"GET /game HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Key: short==\r\nSec-WebSocket-Version: 13\r\n" +
           good + "\r\n",
       400},
      {"GET /game HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           good + "\r\n",
       400},
      {"GET /game HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           good + "\r\n",
       400},
      {"GET /game HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", 400},
  };
  for (const Case& k : cases) {
    Fresh s(&cfg);
    s.feed(k.request);
    CHECK_EQ(statusOf(s.out.raw), k.status);
    CHECK(s.protocol.isWebSocket() == (k.status == 101));
    CHECK(s.out.drain == (k.status != 101));
    if (k.status == 426) CHECK(s.out.raw.find("\r\nSec-WebSocket-Version: 13, 8\r\n") != std::string::npos);
    if (k.status != 101) CHECK(s.out.raw.find("\r\nConnection: close\r\n") != std::string::npos);
  }
}

TEST(ws_permessage_deflate_offer_is_left_out_of_the_101) {
  Fresh s;
  s.feed(upgradeRequest("/", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
  CHECK_EQ(statusOf(s.out.raw), 101);
  CHECK(s.out.raw.find("Extensions") == std::string::npos);
}

TEST(ws_plain_get_goes_to_js_and_the_reply_closes) {
  Fresh s;
  s.feed("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\nleftover");
  CHECK_EQ(countEvents(s.out.events, EventType::kHttp), 1);
  CHECK(s.out.raw.empty());
  CHECK(s.protocol.awaitingReply());
  s.feed("more bytes while JS reads the file");  // discarded
  CHECK(s.out.close == CloseReason::kNone);
  CHECK_EQ(countEvents(s.out.events, EventType::kHttp), 1);
}

TEST(ws_session_state_stays_small) {
  // What a WebSocket session holds beyond a TCP one is one allocation of this size (docs/limits.md).
  CHECK(sizeof(ws::FrameParser) <= 48);
  CHECK(WireProtocol::stateBytes() <= 64);
}
