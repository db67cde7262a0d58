// WebSocket client side of the load generator (RFC 6455), `--ws PATH`: the HTTP upgrade (key, 101 and
// Sec-WebSocket-Accept check), masked binary messages out (one FastPort frame each) and the server's
// unmasked messages back into a byte stream of FastPort frames. A bench tool: a small SHA-1 and base64 of
// its own, no extensions, no fragmentation on the way out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen::ws {

constexpr size_t kMaxResponseHeadBytes = 8 * 1024;
constexpr size_t kMaxControlPayload = 125;

// A fast per-thread random source (xorshift64*) for masking keys and handshake keys: not cryptographic,
// which RFC 6455 asks of browsers so scripts cannot steer the wire bytes; a load generator only needs
// masks that differ per message.
class MaskSource {
 public:
  explicit MaskSource(uint64_t seed) : state_(seed | 1) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 2685821657736338717ull;
  }

 private:
  uint64_t state_;
};

// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
std::string makeKey(MaskSource& random);

// The Sec-WebSocket-Accept a server must answer for key: base64(SHA-1(key + the RFC's GUID)).
std::string acceptFor(std::string_view key);

// The whole HTTP upgrade request.
std::string upgradeRequest(std::string_view host, uint16_t port, std::string_view path, std::string_view key);

enum class Handshake { kIncomplete, kAccepted, kRefused };

// Checks the server's answer to the upgrade once its head is complete: status 101, `Upgrade: websocket`
// and the expected accept value. On kAccepted, headBytes is the size of the head (bytes after it are
// WebSocket frames); on kRefused, why says what was wrong.
Handshake checkUpgradeResponse(std::string_view received, std::string_view expectedAccept, size_t& headBytes,
                               std::string& why);

// Appends one masked binary message (FIN set) carrying payload to out. The payload is copied and masked in
// one pass, eight bytes at a time.
void appendMaskedMessage(std::vector<uint8_t>& out, uint8_t opcode, const uint8_t* payload, size_t length,
                         uint32_t maskKey);

constexpr uint8_t kBinary = 2;
constexpr uint8_t kClose = 8;
constexpr uint8_t kPing = 9;
constexpr uint8_t kPong = 10;

// Incremental parser of server frames. Binary payload is handed out as it arrives, in the read buffer
// (no copy); control frames are collected whole. A frame the server must not send (masked, reserved bits,
// text, a reserved opcode, a long or fragmented control frame) is a protocol error. Message sizes are not
// limited here: the server may batch several FastPort frames into one message, and the FastPort parser
// checks each frame's length.
class ServerFrameReader {
 public:
  struct Sink {
    virtual ~Sink() = default;
    // Payload bytes of a data message; messageEnd on the last piece of its last frame.
    virtual bool onData(const uint8_t* data, size_t length, bool messageEnd) = 0;
    // A whole control frame (ping, pong, close).
    virtual bool onControl(uint8_t opcode, const uint8_t* payload, size_t length) = 0;
  };

  // Feeds received bytes; returns false on a protocol error (why says which) or when a sink call returned
  // false (why stays empty).
  bool feed(const uint8_t* data, size_t length, Sink& sink);
  const std::string& why() const { return why_; }

 private:
  bool headerDone();
  bool fail(const char* why) {
    why_ = why;
    return false;
  }

  uint8_t header_[14];
  size_t headerHave_ = 0;
  uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  bool inFrame_ = false;
  uint8_t opcode_ = 0;
  bool fin_ = false;
  bool inMessage_ = false;  // a data message has begun and its final frame has not ended
  std::vector<uint8_t> control_;
  std::string why_;
};

}  // namespace loadgen::ws
