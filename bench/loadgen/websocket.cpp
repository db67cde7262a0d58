#include "websocket.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace loadgen::ws {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 1.3

uint32_t rotl(uint32_t v, int bits) {
  return (v << bits) | (v >> (32 - bits));
}

// SHA-1 (RFC 3174) of a short message: only the handshake's accept value uses it.
std::array<uint8_t, 20> sha1(std::string_view message) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::vector<uint8_t> data(message.begin(), message.end());
  const uint64_t bitLength = static_cast<uint64_t>(data.size()) * 8;
  data.push_back(0x80);
  while (data.size() % 64 != 56) data.push_back(0);
  for (int shift = 56; shift >= 0; shift -= 8) data.push_back(static_cast<uint8_t>(bitLength >> shift));
  for (size_t block = 0; block < data.size(); block += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
      const uint8_t* p = data.data() + block + 4 * i;
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    }
    for (int i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<uint8_t, 20> digest;
  for (int i = 0; i < 20; i++) digest[i] = static_cast<uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return digest;
}

std::string base64(const uint8_t* data, size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < length; i += 3) {
    uint32_t n = uint32_t{data[i]} << 16;
    if (i + 1 < length) n |= uint32_t{data[i + 1]} << 8;
    if (i + 2 < length) n |= data[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < length ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < length ? kAlphabet[n & 63] : '=';
  }
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool containsToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (equalsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string makeKey(MaskSource& random) {
  uint8_t bytes[16];
  for (int i = 0; i < 16; i += 8) {
    uint64_t r = random.next();
    std::memcpy(bytes + i, &r, 8);
  }
  return base64(bytes, sizeof bytes);
}

std::string acceptFor(std::string_view key) {
  std::string joined(key);
  joined += kAcceptGuid;
  auto digest = sha1(joined);
  return base64(digest.data(), digest.size());
}

std::string upgradeRequest(std::string_view host, uint16_t port, std::string_view path,
                           std::string_view key) {
  std::string request = "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: ";
  request += host;
  request += ':' + std::to_string(port);
  request += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  request += key;
  request += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  return request;
}

Handshake checkUpgradeResponse(std::string_view received, std::string_view expectedAccept, size_t& headBytes,
                               std::string& why) {
  size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (received.size() <= kMaxResponseHeadBytes) return Handshake::kIncomplete;
    why = "upgrade response head over 8 KiB";
    return Handshake::kRefused;
  }
  std::string_view head = received.substr(0, end);
  size_t lineEnd = head.find("\r\n");
  std::string_view status = head.substr(0, lineEnd);
  if (status.substr(0, 13) != "HTTP/1.1 101 " && status != "HTTP/1.1 101") {
    why = "upgrade answered '" + std::string(status) + "'";
    return Handshake::kRefused;
  }
  bool upgrade = false, connection = false, accepted = false;
  while (lineEnd != std::string_view::npos) {
    head.remove_prefix(lineEnd + 2);
    lineEnd = head.find("\r\n");
    std::string_view line = head.substr(0, lineEnd);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (equalsIgnoreCase(name, "upgrade")) upgrade = equalsIgnoreCase(value, "websocket");
    if (equalsIgnoreCase(name, "connection")) connection = containsToken(value, "upgrade");
    if (equalsIgnoreCase(name, "sec-websocket-accept")) accepted = value == expectedAccept;
  }
  if (!upgrade || !connection || !accepted) {
    why = !upgrade      ? "101 without 'Upgrade: websocket'"
          : !connection ? "101 without 'Connection: Upgrade'"
                        : "101 with a wrong or missing Sec-WebSocket-Accept";
    return Handshake::kRefused;
  }
  headBytes = end + 4;
  return Handshake::kAccepted;
}

void appendMaskedMessage(std::vector<uint8_t>& out, uint8_t opcode, const uint8_t* payload, size_t length,
                         uint32_t maskKey) {
  uint8_t header[14];
  size_t n = 0;
  header[n++] = static_cast<uint8_t>(0x80 | opcode);
  if (length < 126) {
    header[n++] = static_cast<uint8_t>(0x80 | length);
  } else if (length <= 0xFFFF) {
    header[n++] = 0x80 | 126;
    header[n++] = static_cast<uint8_t>(length >> 8);
    header[n++] = static_cast<uint8_t>(length);
  } else {
    header[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      header[n++] = static_cast<uint8_t>(uint64_t{length} >> shift);
  }
  uint8_t key[4];
  std::memcpy(key, &maskKey, 4);
  std::memcpy(header + n, key, 4);
  n += 4;
  const size_t at = out.size();
  out.resize(at + n + length);
  uint8_t* dst = out.data() + at;
  std::memcpy(dst, header, n);
  dst += n;
  // Word-wise XOR: the key repeated twice covers 8 payload bytes with mask phase 0.
  uint64_t wide;
  std::memcpy(&wide, key, 4);
  std::memcpy(reinterpret_cast<uint8_t*>(&wide) + 4, key, 4);
  size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint64_t word;
    std::memcpy(&word, payload + i, 8);
    word ^= wide;
    std::memcpy(dst + i, &word, 8);
  }
  for (; i < length; i++) dst[i] = payload[i] ^ key[i & 3];
}

bool ServerFrameReader::feed(const uint8_t* data, size_t length, Sink& sink) {
  size_t off = 0;
  for (;;) {
    if (!inFrame_) {
      if (off == length) return true;
      size_t needed = 2;
      while (headerHave_ < needed && off < length) {
        header_[headerHave_++] = data[off++];
        if (headerHave_ == 2) {
          uint8_t len7 = header_[1] & 0x7F;
          needed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        }
      }
      if (headerHave_ < needed) return true;
      if (!headerDone()) return false;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, length - off));
    const bool control = (opcode_ & 0x08) != 0;
    remaining_ -= take;
    if (control) {
      control_.insert(control_.end(), data + off, data + off + take);
    } else if (take > 0 || remaining_ == 0) {
      if (!sink.onData(data + off, take, fin_ && remaining_ == 0)) return false;
    }
    off += take;
    if (remaining_ > 0) return true;  // the rest of this frame comes with later reads
    inFrame_ = false;
    headerHave_ = 0;
    if (control) {
      if (!sink.onControl(opcode_, control_.data(), control_.size())) return false;
    } else if (fin_) {
      inMessage_ = false;
    }
  }
}

bool ServerFrameReader::headerDone() {
  const uint8_t b0 = header_[0], b1 = header_[1];
  if (b0 & 0x70) return fail("server frame with reserved bits set");
  if (b1 & 0x80) return fail("masked server frame");
  uint64_t len = b1 & 0x7F;
  if (len == 126) {
    len = (uint64_t{header_[2]} << 8) | header_[3];
  } else if (len == 127) {
    len = 0;
    for (int i = 2; i < 10; i++) len = (len << 8) | header_[i];
    if (len >> 63) return fail("server frame length with the top bit set");
  }
  opcode_ = b0 & 0x0F;
  fin_ = (b0 & 0x80) != 0;
  if (opcode_ & 0x08) {
    if (opcode_ != kClose && opcode_ != kPing && opcode_ != kPong) return fail("reserved control opcode");
    if (!fin_ || len > kMaxControlPayload) return fail("fragmented or long control frame");
    control_.clear();
  } else if (opcode_ == 1) {
    return fail("text message (FastPort sends binary messages)");
  } else if (opcode_ == 0 && !inMessage_) {
    return fail("continuation frame without a message");
  } else if (opcode_ == kBinary && inMessage_) {
    return fail("binary frame inside an unfinished message");
  } else if (opcode_ != 0 && opcode_ != kBinary) {
    return fail("reserved data opcode");
  } else {
    inMessage_ = true;
  }
  remaining_ = len;
  inFrame_ = true;
  return true;
}

}  // namespace loadgen::ws
