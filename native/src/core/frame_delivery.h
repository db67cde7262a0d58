// Turns a session's received bytes into FRAME records; the one place every engine parses input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/close_reason.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/frame_parser.h"
#include "core/session_id.h"

namespace fastport {

namespace frame_delivery_detail {

// One FRAME record per completed frame; a payload the writer detaches leaves as its own block (the parser's
// body when the frame was assembled there, else one copy).
struct RecordFrames {
  FrameParser& parser;
  SessionId id;
  EventWriter& events;
  uint64_t frames = 0;

  void operator()(uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t payloadLen) {
    ++frames;
    if (events.detaches(payloadLen)) {
      PayloadBlock body = parser.takeBody();
      if (!body) body = copyToBlock(payload, payloadLen);
      events.frameDetached(id, msgId, seq, std::move(body), payloadLen);
      return;
    }
    events.frame(id, msgId, seq, payload, payloadLen);
  }
};

inline CloseReason closeReasonOf(FrameParser::Status status) {
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

}  // namespace frame_delivery_detail

// Feeds len bytes to the session's parser and appends one FRAME record per complete frame (counted in
// framesIn); a payload the writer detaches leaves as its own block (the parser's body when the frame was
// assembled there, else one copy). Returns CloseReason::kNone, or the reason to close for a bad header:
// frame_too_large (announced length above maxFrameBytes, nothing allocated) or frame_invalid (length below
// the header).
inline CloseReason deliverFrames(FrameParser& parser, SessionId id, const uint8_t* data, size_t len,
                                 uint32_t maxFrameBytes, uint64_t nowMs, EventWriter& events,
                                 Counter& framesIn) {
  frame_delivery_detail::RecordFrames record{parser, id, events};
  auto status = parser.feed(data, len, maxFrameBytes, nowMs, record);
  framesIn.add(record.frames);
  return frame_delivery_detail::closeReasonOf(status);
}

// n payload bytes were received straight into parser.bodyRoom(): the FRAME record when that completed the
// frame (its block leaves as it is when the writer detaches it).
inline void deliverBodyReceived(FrameParser& parser, SessionId id, size_t n, EventWriter& events,
                                Counter& framesIn) {
  frame_delivery_detail::RecordFrames record{parser, id, events};
  parser.bodyReceived(n, record);
  framesIn.add(record.frames);
}

// The first n bytes of data end the parser's frame in progress (n == parser.frameRest()), a payload the
// writer keeps in the batch: the whole frame is written into the batch as a FRAMES record of one frame, from
// the parser's kept bytes and these (the rest is copied once, not into the payload block first and then
// out of it; and a FRAMES record's frame can be echoed from the batch without a copy, SEND_SPAN).
inline void deliverFrameEnd(FrameParser& parser, SessionId id, const uint8_t* data, size_t n,
                            EventWriter& events, Counter& framesIn) {
  parser.finishFrame(data, n,
                     [&](const uint8_t* header, const uint8_t* kept, uint32_t keptLen, const uint8_t* rest,
                         uint32_t restLen) {
                       size_t frameLen = kWireHeaderBytes + size_t(keptLen) + restLen;
                       uint8_t* into = events.framesRoom(frameLen);
                       std::memcpy(into, header, kWireHeaderBytes);
                       if (keptLen) std::memcpy(into + kWireHeaderBytes, kept, keptLen);
                       std::memcpy(into + kWireHeaderBytes + keptLen, rest, restLen);
                       events.commitFrames(id, 1, frameLen);
                     });
  framesIn.add(1);
}

}  // namespace fastport
