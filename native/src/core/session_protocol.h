// The seam for a per-session protocol step between the socket and FastPort's framing (for example
// WebSocket framing in native/src/ws/). A session without one (the default) carries FastPort wire frames
// as they are. The session core calls it at the two places bytes cross: received socket bytes, before the
// frame parser (SessionCore::received), and outbound wire frames, before the send queue (SessionCore::send).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/byte_buffer.h"
#include "core/close_reason.h"

namespace fastport {

class SessionProtocol {
 public:
  virtual ~SessionProtocol() = default;
  // Received socket bytes -> FastPort wire bytes appended to `wire` (fed to the frame parser), plus any bytes
  // the protocol answers by itself (handshake, pong) appended to `reply` (queued for sending as they are).
  // Returns CloseReason::kNone, or why the session must close.
  virtual CloseReason inbound(const uint8_t* data, size_t len, ByteBuffer& wire, ByteBuffer& reply) = 0;
  // Whole outbound FastPort wire frames -> the bytes to queue for the socket, appended to `out`.
  virtual void outbound(const uint8_t* frames, size_t len, ByteBuffer& out) = 0;
};

}  // namespace fastport
