#include "ws/ws_codec.h"

#include <cstring>

namespace fastport::ws {

size_t writeServerHeader(uint8_t* out, Opcode opcode, uint64_t payloadLen) {
  out[0] = uint8_t(0x80 | uint8_t(opcode));  // FIN, no RSV bits
  if (payloadLen < 126) {
    out[1] = uint8_t(payloadLen);
    return 2;
  }
  if (payloadLen <= 0xffff) {
    out[1] = 126;
    out[2] = uint8_t(payloadLen >> 8);
    out[3] = uint8_t(payloadLen);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = uint8_t(payloadLen >> (56 - 8 * i));
  return 10;
}

size_t writeCloseFrame(uint8_t* out, uint16_t code) {
  if (code == 0) return writeServerHeader(out, Opcode::kClose, 0);
  size_t n = writeServerHeader(out, Opcode::kClose, 2);
  out[n] = uint8_t(code >> 8);
  out[n + 1] = uint8_t(code);
  return n + 2;
}

bool isValidCloseCode(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

bool isValidUtf8(const uint8_t* s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t min;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;  // continuation byte first, or 0xf8..0xff
    }
    if (len - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      uint8_t cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

uint16_t closeCodeFor(CloseReason reason) {
  switch (reason) {
    case CloseReason::kShutdown:
      return kCloseGoingAway;
    case CloseReason::kFrameTooLarge:
      return kCloseTooBig;
    case CloseReason::kFrameInvalid:
      return kCloseInvalidPayload;
    case CloseReason::kProtocolError:
      return kCloseProtocolError;
    case CloseReason::kBackpressure:
    case CloseReason::kRateLimited:
    case CloseReason::kMailboxOverflow:
    case CloseReason::kHandshakeTimeout:
    case CloseReason::kIdleTimeout:
    case CloseReason::kFrameTimeout:
    case CloseReason::kSendStalled:
    case CloseReason::kConnectionLimit:
      return kClosePolicyViolation;
    default:
      return kCloseNormal;
  }
}

CloseReason closeReasonForCode(uint16_t code) {
  switch (code) {
    case kCloseTooBig:
      return CloseReason::kFrameTooLarge;
    case kCloseInvalidPayload:
      return CloseReason::kFrameInvalid;
    default:
      return CloseReason::kProtocolError;
  }
}

namespace {

// XORs n 8-byte words at data with word (memcpy: data need not be aligned).
template <size_t n>
inline void xorWords(uint8_t* data, uint64_t word) {
  uint64_t v[n];
  std::memcpy(v, data, sizeof v);
  for (size_t k = 0; k < n; ++k) v[k] ^= word;
  std::memcpy(data, v, sizeof v);
}

}  // namespace

void unmask(uint8_t* data, size_t len, const uint8_t mask[4], uint32_t phase) {
  size_t i = 0;
  // Byte by byte up to the mask's start, then with the mask rotated to phase 0: 32 bytes per step (four
  // independent words, which compilers turn into 16-byte vector operations; a 4 KiB message costs half of
  // what one word per step did), then words, then bytes.
  while (i < len && (phase & 3) != 0) {
    data[i++] ^= mask[phase & 3];
    ++phase;
  }
  uint8_t m8[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  uint64_t word;
  std::memcpy(&word, m8, 8);
  for (; i + 32 <= len; i += 32) xorWords<4>(data + i, word);
  for (; i + 8 <= len; i += 8) xorWords<1>(data + i, word);
  for (uint32_t k = 0; i < len; ++i, ++k) data[i] ^= mask[k & 3];
}

}  // namespace fastport::ws
