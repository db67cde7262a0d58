// RFC 6455 framing pieces shared by the WebSocket parser and the per-session protocol step: opcodes, close
// codes, the server's frame headers (never masked), close payload checks.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/close_reason.h"

namespace fastport::ws {

enum class Opcode : uint8_t { kContinuation = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };

// Close codes (RFC 6455 7.4.1) the server sends.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseUnsupportedData = 1003;
inline constexpr uint16_t kCloseInvalidPayload = 1007;
inline constexpr uint16_t kClosePolicyViolation = 1008;
inline constexpr uint16_t kCloseTooBig = 1009;

inline constexpr size_t kMaxControlPayload = 125;
inline constexpr size_t kMaxServerHeaderBytes = 10;  // 2 + 8 (64-bit length), no mask
inline constexpr size_t kMaxCloseFrameBytes = 4;     // header + 2-byte code (no reason text)

// Writes the header of one unmasked, unfragmented server frame carrying payloadLen bytes; returns its size.
size_t writeServerHeader(uint8_t* out, Opcode opcode, uint64_t payloadLen);

// Writes a whole server Close frame with the code (0 = no code, empty payload); returns its size.
size_t writeCloseFrame(uint8_t* out, uint16_t code);

// True for a code a peer may send in a Close frame (1000-1014 except 1004-1006, 3000-4999).
bool isValidCloseCode(uint16_t code);

// True when bytes [data, data+len) are well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool isValidUtf8(const uint8_t* data, size_t len);

// The close code the server sends when it closes a WebSocket session for reason.
uint16_t closeCodeFor(CloseReason reason);

// The close reason reported to JS for a protocol violation that closes with code.
CloseReason closeReasonForCode(uint16_t code);

// XORs len bytes in place with the 4-byte mask, starting at mask byte `phase` (0..3).
void unmask(uint8_t* data, size_t len, const uint8_t mask[4], uint32_t phase);

}  // namespace fastport::ws
