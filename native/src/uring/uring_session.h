// Per-session and per-listener state of the io_uring engine, and the user_data tags of its requests.
#pragma once

#include <linux/time_types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/close_reason.h"
#include "core/frame_parser.h"
#include "core/send_queue.h"
#include "core/send_watermark.h"
#include "core/session_id.h"
#include "uring/send_slices.h"
#include "ws/wire_protocol.h"

namespace fastport::uring {

// user_data = (op << 56) | id (session id, or listener id for kAccept).
enum class Op : uint8_t { kAccept = 1, kRecv, kSend, kConnect, kConnectTimeout, kCancel, kWake };

inline uint64_t tag(Op op, uint32_t id) {
  return (uint64_t(op) << 56) | id;
}
inline Op opOf(uint64_t userData) {
  return static_cast<Op>(userData >> 56);
}
inline uint32_t idOf(uint64_t userData) {
  return static_cast<uint32_t>(userData);
}

struct Session {
  // kDraining: CLOSE command with bytes queued (no reading, sending the rest). kClosed: CLOSE event written,
  // waiting for in-flight requests to complete before the fd is closed and the state freed.
  enum class State : uint8_t { kConnecting, kOpen, kDraining, kClosed };

  SessionId id = 0;
  int fd = -1;
  int slot = -1;  // registered file slot (IOSQE_FIXED_FILE), -1 = plain fd
  State state = State::kConnecting;
  CloseReason drainReason = CloseReason::kNone;

  // Receive: one multishot recv armed at a time.
  bool recvArmed = false;
  bool recvCancelling = false;  // a cancel for the armed recv is on its way (pause / close)
  bool readPaused = false;
  bool rearmQueued = false;  // in the re-arm list (ring ran dry, or multishot ended)
  uint64_t resumedMs = 0;
  FrameParser parser;
  WireProtocol protocol;      // FastPort TCP, or the HTTP upgrade / WebSocket step
  std::vector<uint8_t> held;  // bytes received after PAUSE_READ took effect, delivered on RESUME_READ

  // Send: bytes in the slice [sliceSent, sliceLen) are in flight or about to be; the rest waits in queue.
  SliceRun slice;  // first = -1: none
  uint32_t sliceLen = 0;
  uint32_t sliceSent = 0;
  bool sendInFlight = false;
  bool dirty = false;
  bool waitingSlice = false;
  SendWatermark watermark;  // BLOCKED / WRITABLE / backpressure
  bool watched = false;     // in the deadline watch list
  uint64_t sendProgressMs = 0;
  SendQueue queue;

  // Connect.
  bool connectInFlight = false;
  bool timeoutInFlight = false;
  __kernel_timespec connectTimeout{};
  SocketAddress target;
  std::string remote;

  size_t pending() const { return (sliceLen - sliceSent) + queue.pending(); }
  bool inFlight() const { return recvArmed || sendInFlight || connectInFlight || timeoutInFlight; }
};

struct Listener {
  int fd = -1;
  bool armed = false;
  uint64_t pausedUntilMs = 0;  // 0 = accepting
};

}  // namespace fastport::uring
