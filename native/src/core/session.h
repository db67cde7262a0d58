// One session as the session core sees it: its state, framing, send queue and deadlines. Engines derive
// their own session type from CoreSession and add only what their kernel interface needs (fd, slot,
// outstanding operations).
#pragma once
#include <cstdint>
#include <memory>

#include "core/byte_buffer.h"
#include "core/close_reason.h"
#include "core/frame_parser.h"
#include "core/send_queue.h"
#include "core/send_watermark.h"
#include "core/session_id.h"
#include "core/session_protocol.h"
#include "ws/wire_protocol.h"

namespace fastport {

// kConnecting -> kOpen           connect finished / accepted (OPEN written)
// kConnecting -> kClosed         connect failed or timed out
// kOpen       -> kInputEnded     the peer shut its sending side: no more reading; its replies still go out
// kOpen / kInputEnded -> kDraining  close() with bytes pending: no reading, the rest is sent, then FIN
// any         -> kClosed         CLOSE written exactly once; the engine frees the memory when the kernel
//                                holds nothing of it any more
enum class SessionState : uint8_t { kConnecting, kOpen, kInputEnded, kDraining, kClosed };

struct CoreSession {
  virtual ~CoreSession() = default;

  SessionId id = 0;
  uint32_t slot = 0;        // index in the loop's SessionSlab
  uint32_t generation = 0;  // the slab's generation of that slot when this session was stored
  SessionState state = SessionState::kConnecting;
  CloseReason drainReason = CloseReason::kNone;  // kDraining / kInputEnded: the reason CLOSE will carry

  bool readPaused = false;      // PAUSE_READ from JS
  bool sendBacklogged = false;  // pending send bytes went above the soft limit: reading stops until half
  bool dirty = false;           // bytes queued since the last flush
  bool watched = false;         // in the deadline watch list
  bool holdsCounted = false;    // counted in recvBuffersHeld (part of a frame or parked bytes kept)
  bool endParked = false;       // the peer's FIN arrived while reading was off: handled when it resumes
  SendWatermark watermark;      // one byte: kept with the flags (a field alone would take 8 with its padding)

  uint64_t connectDeadlineMs = 0;  // 0 = none (or the kernel enforces it)
  uint64_t sendProgressMs = 0;     // last time the kernel took bytes (or pending became non-zero)
  uint64_t resumedMs = 0;          // frame deadline counts from max(frame start, last resume)
  size_t pendingBytes = 0;         // queued or in flight, not yet taken by the kernel
  FrameParser parser;
  ByteBuffer parked;  // bytes a receive completed with while reading was off: framed when reading resumes
  SendQueue queue;    // the engine moves bytes out of it (and reports them taken with SessionCore::sent)
  std::unique_ptr<SessionProtocol> protocol;  // null: FastPort frames as they are
  WireProtocol wire;  // FastPort TCP, or sniffing / the HTTP upgrade / WebSocket (ws/wire_protocol.h)

  // Whether the engine should have a receive armed / be reading this session's socket.
  bool wantsRead() const { return state == SessionState::kOpen && !readPaused && !sendBacklogged; }
  bool closed() const { return state == SessionState::kClosed; }
};

}  // namespace fastport
