// Drives one WireProtocol like an engine does and records what it produced (for ws tests and the fuzzer).
#pragma once
#include <cstring>
#include <string>
#include <vector>

#include "ws/wire_protocol.h"

namespace fastport::wstest {

struct Driven {
  std::string events;  // the raw event batch
  std::string raw;     // bytes the step queued for sending
  CloseReason close = CloseReason::kNone;
  bool drain = false;
};

// A valid upgrade request for path with extra header lines ("Name: value\r\n" each).
inline std::string upgradeRequest(const std::string& path = "/", const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
}

// A WebSocket session after a completed upgrade (its 101 is dropped from the record).
struct WsSession {
  EngineConfig cfg;
  Counters c;
  EventWriter ev;
  FrameParser parser;
  WireProtocol protocol;
  Driven out;

  explicit WsSession(uint32_t maxFrameBytes = 1u << 20, bool upgrade = true) {
    cfg.maxFrameBytes = maxFrameBytes;
    protocol.sniff();
    if (!upgrade) return;
    feed(upgradeRequest());
    out = Driven{};
  }
  struct Sink {
    std::string* raw;
    void operator()(const uint8_t* p, size_t n) const { raw->append(reinterpret_cast<const char*>(p), n); }
  };
  Sink sink() { return Sink{&out.raw}; }
  // Feeds bytes (copied: the step unmasks in place); stops recording after a close verdict.
  void feed(const std::string& bytes) {
    if (out.close != CloseReason::kNone) return;
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    InputVerdict v = protocol.receive(parser, 1, copy.data(), copy.size(), cfg, 0, ev, c, sink());
    out.events.assign(reinterpret_cast<const char*>(ev.data()), ev.size());
    if (v.close != CloseReason::kNone) {
      out.close = v.close;
      out.drain = v.drain;
    }
  }
};

// A masked client frame.
inline std::string clientFrame(uint8_t opcode, const std::string& payload, bool fin = true, uint8_t rsv = 0,
                               bool mask = true) {
  std::string f;
  f.push_back(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
  size_t n = payload.size();
  uint8_t m = mask ? 0x80 : 0;
  if (n < 126) {
    f.push_back(char(m | n));
  } else if (n <= 0xffff) {
    f.push_back(char(m | 126));
    f.push_back(char(n >> 8));
    f.push_back(char(n));
  } else {
    f.push_back(char(m | 127));
    for (int i = 7; i >= 0; --i) f.push_back(char(uint64_t(n) >> (8 * i)));
  }
  const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (mask) f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < n; ++i) f.push_back(char(uint8_t(payload[i]) ^ (mask ? key[i & 3] : 0)));
  return f;
}

inline std::string wireFrame(uint16_t msgId, uint32_t seq, const std::string& payload) {
  uint32_t len = uint32_t(10 + payload.size());
  std::string f = {char(len >> 24), char(len >> 16), char(len >> 8),  char(len),      char(msgId >> 8),
                   char(msgId),     char(seq >> 24), char(seq >> 16), char(seq >> 8), char(seq)};
  return f + payload;
}

// Counts event records of a type in a batch.
inline int countEvents(const std::string& batch, EventType type) {
  int n = 0;
  for (size_t at = 0; at + kEventHeaderBytes <= batch.size();) {
    uint32_t len;
    std::memcpy(&len, batch.data() + at + 12, 4);
    if (uint8_t(batch[at]) == uint8_t(type)) ++n;
    at += align4(kEventHeaderBytes + len);
  }
  return n;
}

// The close code in the first Close frame the step queued (server frames: 2-byte header), or -1.
inline int queuedCloseCode(const std::string& raw) {
  for (size_t at = 0; at + 2 <= raw.size();) {
    uint8_t op = uint8_t(raw[at]) & 0x0f;
    size_t len = uint8_t(raw[at + 1]) & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      len = (size_t(uint8_t(raw[at + 2])) << 8) | uint8_t(raw[at + 3]);
      hdr = 4;
    }
    if (op == 8) return len >= 2 ? (uint8_t(raw[at + hdr]) << 8) | uint8_t(raw[at + hdr + 1]) : 0;
    at += hdr + len;
  }
  return -1;
}

}  // namespace fastport::wstest
