// WebSocket step (ws/): sniffing, the bounded request head, every RFC 6455 check, pong / close replies,
// any split of the stream giving the same result, unmasking at every phase, server headers, UTF-8.
#include <string>

#include "check.h"
#include "ws_helpers.h"

using namespace fastport;
using namespace fastport::wstest;

TEST(ws_sniff_fastport_bytes_stay_fastport) {
  WsSession s(1u << 20, false);
  s.feed(wireFrame(100, 1, "abc"));
  CHECK(s.protocol.mode() == WireProtocol::Mode::kFastPort);
  CHECK_EQ(countEvents(s.out.events, EventType::kFrame), 1);
}

TEST(ws_request_head_byte_by_byte_is_one_http_event) {
  WsSession s(1u << 20, false);
  std::string head = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
  for (char ch : head) s.feed(std::string(1, ch));
  CHECK(s.protocol.awaitingReply());
  CHECK_EQ(countEvents(s.out.events, EventType::kHttp), 1);
  CHECK(s.out.close == CloseReason::kNone);
}

TEST(ws_oversized_head_gets_431_and_closes) {
  WsSession s(1u << 20, false);
  s.feed("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a'));
  CHECK(s.out.close == CloseReason::kFrameTooLarge);
  CHECK(s.out.drain);
  CHECK(s.out.raw.rfind("HTTP/1.1 431", 0) == 0);
}

TEST(ws_G_without_GET_is_a_too_large_fastport_length) {
  WsSession s(1u << 20, false);
  s.feed("GXT / HTTP/1.1\r\n");
  CHECK(s.out.close == CloseReason::kFrameTooLarge);
  CHECK(!s.out.drain);
}

TEST(ws_every_split_gives_the_same_frames_and_pong) {
  std::string wire = wireFrame(100, 1, "hello") + wireFrame(101, 2, std::string(300, 'x'));
  std::string stream = clientFrame(2, wire.substr(0, 7), false) + clientFrame(9, "p!") +
                       clientFrame(0, wire.substr(7), true) + clientFrame(2, wireFrame(102, 3, ""));
  WsSession whole;
  whole.feed(stream);
  CHECK_EQ(countEvents(whole.out.events, EventType::kFrame), 3);
  CHECK(whole.out.raw == std::string("\x8a\x02p!", 4));
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    WsSession split;
    split.feed(stream.substr(0, cut));
    split.feed(stream.substr(cut));
    CHECK(split.out.events == whole.out.events);
    CHECK(split.out.raw == whole.out.raw);
  }
}

TEST(ws_violations_close_with_the_rfc_codes) {
  struct Case {
    std::string bytes;
    int code;
  } cases[] = {
      {clientFrame(1, "text"), 1003},
      {clientFrame(2, wireFrame(100, 1, ""), true, 0, false), 1002},  // unmasked
      {clientFrame(2, wireFrame(100, 1, ""), true, 4), 1002},         // RSV1
      {clientFrame(3, "x"), 1002},                                    // reserved opcode
      {clientFrame(11, "x"), 1002},                                   // reserved control opcode
      {clientFrame(9, std::string(126, 'p')), 1002},                  // control > 125
      {clientFrame(9, "p", false), 1002},                             // fragmented control
      {clientFrame(0, "x"), 1002},                                    // continuation without a message
      {clientFrame(2, "a", false) + clientFrame(2, "b"), 1002},       // new message inside a message
      {clientFrame(8, std::string("\x03", 1)), 1002},                 // 1-byte close
      {clientFrame(8, std::string("\x03\xed", 2)), 1002},             // 1005 is never sent
      {clientFrame(8, std::string("\x03\xe8\xc3\x28", 4)), 1007},     // bad UTF-8 reason
      {clientFrame(2, wireFrame(100, 1, "abc").substr(0, 8)), 1007},  // message ends inside a frame
      {clientFrame(2, wireFrame(100, 1, std::string(5000, 'z'))), 1009},
  };
  for (const Case& k : cases) {
    WsSession s(4096);
    s.feed(k.bytes);
    CHECK(s.out.drain);
    CHECK_EQ(queuedCloseCode(s.out.raw), k.code);
    CHECK_EQ(s.c.wsViolations.get(), uint64_t(1));
    CHECK_EQ(countEvents(s.out.events, EventType::kFrame), 0);
  }
}

TEST(ws_close_is_echoed_and_reported_peer_closed) {
  WsSession s;
  s.feed(clientFrame(8, std::string("\x0b\xb8", 2) + "bye \xe2\x9c\x93"));  // 3000 + valid UTF-8
  CHECK(s.out.close == CloseReason::kPeerClosed);
  CHECK_EQ(queuedCloseCode(s.out.raw), 3000);
  CHECK_EQ(s.c.wsViolations.get(), uint64_t(0));
}

TEST(ws_announced_length_is_checked_before_payload_arrives) {
  WsSession s(4096);
  std::string f = clientFrame(2, std::string(70000, 'a'));
  s.feed(f.substr(0, 14));  // header only: 1009 without waiting for (or keeping) the payload
  CHECK_EQ(queuedCloseCode(s.out.raw), 1009);
}

TEST(ws_server_headers_and_outbound_messages) {
  uint8_t h[10];
  CHECK_EQ(ws::writeServerHeader(h, ws::Opcode::kBinary, 125), size_t(2));
  CHECK_EQ(ws::writeServerHeader(h, ws::Opcode::kBinary, 126), size_t(4));
  CHECK(h[0] == 0x82 && h[1] == 126 && h[2] == 0 && h[3] == 126);
  CHECK_EQ(ws::writeServerHeader(h, ws::Opcode::kBinary, 70000), size_t(10));
  CHECK(h[1] == 127 && h[7] == 0x01 && h[8] == 0x11 && h[9] == 0x70);
  WsSession s;
  CHECK_EQ(s.protocol.messageHeader(5, h), size_t(2));
  uint8_t close[4];
  CHECK_EQ(s.protocol.closeFrame(CloseReason::kShutdown, close), size_t(4));
  CHECK(close[2] == 0x03 && close[3] == 0xe9);                                // 1001
  CHECK_EQ(s.protocol.closeFrame(CloseReason::kShutdown, close), size_t(0));  // once
  CHECK(!s.protocol.acceptsFrames());
}

TEST(ws_unmask_matches_bytewise_at_every_phase_offset_and_length) {
  const uint8_t key[4] = {1, 2, 0x80, 0xff};
  // Lengths across the 32-byte steps, the word steps and the byte tail; every start offset within a word.
  for (uint32_t phase = 0; phase < 4; ++phase) {
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t len = 0; len < 110; ++len) {
        std::vector<uint8_t> a(offset + len + 8), b;
        for (size_t i = 0; i < a.size(); ++i) a[i] = uint8_t(i * 7);
        b = a;
        ws::unmask(a.data() + offset, len, key, phase);
        for (size_t i = 0; i < len; ++i) b[offset + i] ^= key[(phase + i) & 3];
        CHECK(a == b);  // the bytes around the range untouched too
      }
    }
  }
}

TEST(ws_utf8_validation) {
  auto ok = [](const std::string& s) {
    return ws::isValidUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  CHECK(ok(""));
  CHECK(ok("plain"));
  CHECK(ok("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  CHECK(!ok("\xc0\xaf"));          // overlong
  CHECK(!ok("\xed\xa0\x80"));      // surrogate
  CHECK(!ok("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK(!ok("\xe2\x82"));          // truncated
  CHECK(!ok("\x80"));              // lone continuation
}
