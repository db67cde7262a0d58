#include "ws/sha1.h"

#include <cstring>

namespace fastport::ws {
namespace {

constexpr size_t kBlockBytes = 64;

uint32_t rotl(uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}

uint32_t readBigEndian32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// FIPS 180-4 6.1.2 step 1..4 for one 512-bit block.
void compress(uint32_t h[5], const uint8_t* block) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t) w[t] = readBigEndian32(block + 4 * t);
  for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);  // Ch
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;  // Parity
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);  // Maj
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    uint32_t temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

}  // namespace

Sha1Digest sha1(const uint8_t* data, size_t len) {
  uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};  // FIPS 180-4 5.3.1
  size_t whole = len - len % kBlockBytes;
  for (size_t at = 0; at < whole; at += kBlockBytes) compress(h, data + at);
  // Padding (5.1.1): 0x80, zeros, then the length in bits as a 64-bit big-endian number; one or two blocks.
  uint8_t tail[2 * kBlockBytes] = {};
  size_t rest = len - whole;
  if (rest) std::memcpy(tail, data + whole, rest);
  tail[rest] = 0x80;
  size_t tailBytes = rest + 1 + 8 <= kBlockBytes ? kBlockBytes : 2 * kBlockBytes;
  uint64_t bits = uint64_t(len) * 8;
  for (int i = 0; i < 8; ++i) tail[tailBytes - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t at = 0; at < tailBytes; at += kBlockBytes) compress(h, tail + at);
  Sha1Digest out;
  for (int i = 0; i < 5; ++i) {
    out[4 * i] = uint8_t(h[i] >> 24);
    out[4 * i + 1] = uint8_t(h[i] >> 16);
    out[4 * i + 2] = uint8_t(h[i] >> 8);
    out[4 * i + 3] = uint8_t(h[i]);
  }
  return out;
}

}  // namespace fastport::ws
