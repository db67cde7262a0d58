// What the io_uring engine adds to a core session (core/session.h): the socket, its registered file slot,
// the kernel requests in flight and the send in flight (a slice run, or a SENDMSG over the send queue).
// State, framing, limits and deadlines are the core's. Also the user_data tags of the engine's requests.
#pragma once

#include <linux/time_types.h>

#include <cstdint>
#include <memory>

#include "core/address.h"
#include "core/session.h"
#include "core/session_slab.h"
#include "posix/listener.h"
#include "uring/queue_sends.h"
#include "uring/send_slices.h"

namespace fastport::uring {

// user_data = (op << 56) | slab handle of the session (or the listener id for kAccept).
enum class Op : uint8_t { kAccept = 1, kRecv, kSend, kConnect, kConnectTimeout, kCancel, kWake, kRecvDirect };

inline constexpr uint64_t kHandleMask = (1ull << 56) - 1;
inline uint64_t tag(Op op, uint64_t handle) {
  return (uint64_t(op) << 56) | (handle & kHandleMask);
}
inline Op opOf(uint64_t userData) {
  return static_cast<Op>(userData >> 56);
}
inline SessionSlab::Handle handleOf(uint64_t userData) {
  return userData & kHandleMask;
}

// Kernel requests of one session that may still be running (bits): the memory stays until none is.
enum InFlight : uint8_t {
  kRecvArmed = 1,
  kSendRunning = 2,
  kConnectRunning = 4,
  kTimeoutRunning = 8,
  kDirectRunning = 16,  // a direct recv (kRecvArmed then stands for the buffered recv linked behind it)
};

// Engine lists the session is in (bits).
enum EngineLists : uint8_t { kInRearm = 1 };

// Where the session's receive is: a multishot or single buffered recv (kArmed), or one plain recv straight
// into the payload block of a big frame in progress with a buffered recv linked behind it (kDirect;
// uring_receive.cc).
enum class RecvState : uint8_t { kIdle, kArmed, kCancelling, kDirect };

// The connect request's address and its linked timeout's deadline; the kernel may read them until both
// requests completed.
struct PendingConnect {
  __kernel_timespec timeout{};
  SocketAddress target;
};

struct UringSession final : CoreSession {
  int fd = -1;
  int fileSlot = -1;  // registered file slot (IOSQE_FIXED_FILE), -1 = plain fd
  uint8_t inFlight = 0;
  RecvState recv = RecvState::kIdle;
  uint8_t lists = 0;       // EngineLists
  bool bigFrames = false;  // its last frame header announced a big frame: no multishot (uring_receive.cc)

  // Send, one in flight: either bytes [sliceSent, sliceLen) of a slice run copied from the queue (small
  // backlogs), or a SENDMSG straight over the queue's blocks (queueSend; consumed on completion).
  SliceRun run;  // first = -1: none
  uint32_t sliceLen = 0;
  uint32_t sliceSent = 0;
  QueueSend* queueSend = nullptr;

  // Outbound connect only: what the kernel reads while the connect and its timeout run (nullptr otherwise,
  // so an open session does not carry a 128-byte address for its whole life).
  std::unique_ptr<PendingConnect> connecting;
};

// Every idle connection holds one: 248 B is glibc's 256-byte malloc bin (one byte more takes 272).
static_assert(sizeof(UringSession) <= 248, "UringSession grew out of its malloc bin");

inline UringSession& as(CoreSession& s) {
  return static_cast<UringSession&>(s);
}

}  // namespace fastport::uring
