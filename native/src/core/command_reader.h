// Walks a command log (JS -> native, docs/boundary.md "Commands"): u8 op, u8 reason, u16 reserved,
// u32 session (BROADCAST: id count), u32 length, payload, padded to 4 bytes. Every bound is checked
// (SEND_PAYLOAD's payload index against the payloads handed over with the log: engine/command_dispatch.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/byte_slice.h"
#include "core/session_id.h"
#include "core/wire.h"

namespace fastport {

enum class CommandOp : uint8_t {
  kSend = 1,
  kBroadcast = 2,
  kClose = 3,
  kAbort = 4,
  kPauseRead = 5,
  kResumeRead = 6,
  kHttpReply = 7,    // the reply to an HTTP event, then a close with reason (0: server_close)
  kSendPayload = 8,  // SEND of one frame: its wire header here, its payload handed over beside the log
  kSendSpan = 9      // SEND of whole wire frames that are a range of one handed-over payload (an event batch)
};

inline constexpr size_t kCommandHeaderBytes = 12;
// SEND_PAYLOAD's body: u32 index of its first handed-over payload, the frame's 10-byte wire header, u16
// number of payloads (consecutive from the first; at least 1): the frame's payload is their bytes back to
// back.
inline constexpr uint32_t kSendPayloadBytes = 4 + kWireHeaderBytes + 2;
// SEND_SPAN's body: u32 index of a handed-over payload, u32 offset into it, u32 length: those bytes of it are
// one or more whole wire frames, sent as they are (JS echoes frames from the event batch it walks this way).
inline constexpr uint32_t kSendSpanBytes = 12;

struct Command {
  CommandOp op;
  uint8_t reason;    // CLOSE / ABORT: close reason code (unchecked: use closeReasonFromCode)
  uint32_t session;  // BROADCAST: number of session ids
  const uint8_t* payload;
  uint32_t length;

  // BROADCAST: the i-th target session id and the frames sent to every target.
  SessionId broadcastTarget(uint32_t i) const {
    SessionId id;
    std::memcpy(&id, payload + size_t(i) * 4, 4);
    return id;
  }
  const uint8_t* broadcastFrames() const { return payload + size_t(session) * 4; }
  uint32_t broadcastFramesLength() const { return length - session * 4; }

  // SEND_PAYLOAD: its first handed-over payload, how many, and the frame's wire header.
  uint32_t payloadIndex() const {
    uint32_t i;
    std::memcpy(&i, payload, 4);
    return i;
  }
  uint32_t payloadParts() const {
    uint16_t n;
    std::memcpy(&n, payload + 4 + kWireHeaderBytes, 2);
    return n;
  }
  const uint8_t* wireHeader() const { return payload + 4; }

  // SEND_SPAN: the handed-over payload, and the range of it that is sent (bytes).
  uint32_t spanPayload() const { return u32At(0); }
  uint32_t spanOffset() const { return u32At(4); }
  uint32_t spanLength() const { return u32At(8); }

 private:
  uint32_t u32At(size_t at) const {
    uint32_t v;
    std::memcpy(&v, payload + at, 4);
    return v;
  }
};

// A command log and the payloads handed over beside it (SEND_PAYLOAD records name them by index). Both stay
// valid and unchanged for the whole submit call.
struct CommandBatch {
  const uint8_t* log;
  size_t length;
  const ByteSlice* payloads = nullptr;
  size_t payloadCount = 0;
};

class CommandReader {
 public:
  CommandReader(const uint8_t* data, size_t len) : data_(data), len_(len) {}

  // Reads the next record into out. Returns false at the end of the log or on a malformed record; then
  // error() is non-null and says what is wrong.
  bool next(Command& out) {
    if (off_ >= len_) return false;
    if (len_ - off_ < kCommandHeaderBytes) return fail("truncated command header");
    const uint8_t* p = data_ + off_;
    uint8_t op = p[0];
    if (op < 1 || op > 9) return fail("unknown command op");
    out.op = CommandOp(op);
    out.reason = p[1];
    std::memcpy(&out.session, p + 4, 4);
    std::memcpy(&out.length, p + 8, 4);
    if (out.length > len_ - off_ - kCommandHeaderBytes) return fail("command payload runs past the log");
    out.payload = p + kCommandHeaderBytes;
    if (out.op == CommandOp::kBroadcast && uint64_t(out.session) * 4 > out.length) {
      return fail("broadcast id list runs past its payload");
    }
    if (out.op == CommandOp::kSendPayload && out.length != kSendPayloadBytes) {
      return fail("send-payload record is not a payload index, a wire header and a payload count");
    }
    if (out.op == CommandOp::kSendSpan && out.length != kSendSpanBytes) {
      return fail("send-span record is not a payload index, an offset and a length");
    }
    off_ += (kCommandHeaderBytes + out.length + 3) & ~size_t(3);
    return true;
  }
  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    off_ = len_;
    return false;
  }

  const uint8_t* data_;
  size_t len_;
  size_t off_ = 0;
  const char* error_ = nullptr;
};

}  // namespace fastport
