// Turns a session's received bytes into FRAME records; the one place every engine parses input.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/close_reason.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/frame_parser.h"
#include "core/session_id.h"

namespace fastport {

// Feeds len bytes to the session's parser and appends one FRAME record per complete frame (counted in
// framesIn); a payload the writer detaches leaves as its own block (the parser's body when the frame was
// assembled there, else one copy). Returns CloseReason::kNone, or the reason to close for a bad header:
// frame_too_large (announced length above maxFrameBytes, nothing allocated) or frame_invalid (length below
// the header).
inline CloseReason deliverFrames(FrameParser& parser, SessionId id, const uint8_t* data, size_t len,
                                 uint32_t maxFrameBytes, uint64_t nowMs, EventWriter& events,
                                 Counter& framesIn) {
  uint64_t frames = 0;
  auto status = parser.feed(data, len, maxFrameBytes, nowMs,
                            [&](uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t payloadLen) {
                              ++frames;
                              if (events.detaches(payloadLen)) {
                                PayloadBlock body = parser.takeBody();
                                if (!body) body = copyToBlock(payload, payloadLen);
                                events.frameDetached(id, msgId, seq, std::move(body), payloadLen);
                                return;
                              }
                              events.frame(id, msgId, seq, payload, payloadLen);
                            });
  framesIn.add(frames);
  switch (status) {
    case FrameParser::Status::kOk:
      return CloseReason::kNone;
    case FrameParser::Status::kTooLarge:
      return CloseReason::kFrameTooLarge;
    case FrameParser::Status::kInvalid:
      return CloseReason::kFrameInvalid;
  }
  return CloseReason::kFrameInvalid;
}

}  // namespace fastport
