// What an engine gives the session core: the kernel side of a session. The core decides (state, framing,
// limits, deadlines, counters); the engine only moves bytes and reports what the kernel did.
#pragma once
#include <memory>

#include "core/session.h"

namespace fastport {

class SessionIo {
 public:
  virtual ~SessionIo() = default;
  // A new, empty session object of the engine's own type.
  virtual std::unique_ptr<CoreSession> newSession() = 0;
  // s.wantsRead() may have changed: arm or stop reading (epoll mask, io_uring recv, overlapped receive).
  virtual void readInterestChanged(CoreSession& s) = 0;
  // Bytes are queued (s.queue) and the session is open: start a send unless one is in flight.
  virtual void startSend(CoreSession& s) = 0;
  // True when the kernel is done reading the bytes startSend() hands it by the time sendsStarted() returns
  // and the engine keeps no pointer into them after that (a synchronous sendmsg, or io_uring sends that
  // cannot wait): the core may then queue the bytes of a SEND command without copying them, and copies only
  // what the kernel did not take by the end of flush().
  virtual bool sendsSynchronously() const { return false; }
  // flush() started the dirty sessions' sends: an engine that queues them as kernel requests submits them
  // here and reports what the kernel took (SessionCore::sent) before the borrowed rest is copied.
  virtual void sendsStarted() {}
  // Shutdown's best effort: one non-blocking write of what is pending, right now.
  virtual void sendNow(CoreSession& s) = 0;
  // Graceful end after the last byte went out: FIN (shut the write side), then read and drop unread input,
  // at most kDiscardReads reads, so the close that follows sends FIN and not RST.
  virtual void finishOutput(CoreSession& s) = 0;
  // CLOSE is written: give the socket back (close / cancel). Call SessionCore::release(s) as soon as no
  // kernel operation refers to s any more (may be right here).
  virtual void closed(CoreSession& s) = 0;
};

// Reads finishOutput() may make to drop unread input (64 KiB each): bounded, so a peer that keeps sending
// cannot hold the loop; what is left makes the close an RST.
inline constexpr int kDiscardReads = 16;

}  // namespace fastport
