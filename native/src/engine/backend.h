// The internal interface every engine implements (epoll, uring; iocp / rio on Windows).
//
// One Backend = one I/O loop = one epoll fd or one ring. It owns its sessions and listeners and is
// single-threaded: every method except wake() is called on the loop's own thread (the JS thread in inline
// mode, its native I/O thread with ioThreads >= 1). The driver (engine/driver*.h) creates one Backend per
// loop through the registry (engine/registry.h) and does everything else: libuv integration, threads,
// command parsing and routing, JS calls.
//
// Events (native -> JS): the backend appends records to ctx.events (core/event_writer.h), in the order they
// happen: OPEN before anything else of a session, FRAME in arrival order, BLOCKED / WRITABLE on the
// send-limit crossings, CLOSE exactly once as a session's last record (also for failed connects and for
// sessions closed by commands or shutdown). The driver hands the whole batch to JS after poll() / after a
// command batch, in one call; the backend never calls JS. A pass should stop reading sockets once the batch
// holds several MiB (epoll: 8 MiB) and leave the rest for the next pass, so a flood cannot grow it unbounded.
//
// Commands (JS -> native): the driver validates the command log and calls send / close / abort / pauseRead /
// resumeRead for each record of this loop's sessions in order (a BROADCAST becomes one broadcast() of this
// loop's targets), then flush() once. Unknown or closed session ids: send() counts `sendsDropped`, the others
// ignore them.
//
// Driving: pollFd() is readable whenever poll() has work. Inline mode watches it with uv_poll and calls
// poll(0) on each wake-up (the backend must handle every ready socket in that pass: read each readable socket
// until EAGAIN or a fair budget, handle accepts, finish writes). Thread mode calls poll(timeoutMs) in a loop;
// another thread calls wake() (thread-safe, e.g. an eventfd write) to make a blocking poll() return early,
// after which the driver drains the loop's command inbox.
//
// Timers: the driver calls sweep(nowMs) every few ms (kSweepIntervalMs); the backend closes sessions whose
// connect timeout (connect_timeout), frame deadline (frame_timeout, config.frameTimeoutMs after a partial
// frame's first byte) or send stall (send_stalled: bytes pending and none accepted by the kernel for
// config.sendStallMs; also bounds CLOSE's drain) passed, and resumes accepting after an EMFILE pause.
// nowMs is core/clock.h monotonicMs().
//
// Counters: the backend keeps ctx.counters up to date (accepted, connected, closed, sessions, framesIn,
// framesOut (counted when queued), bytesIn, bytesOut (accepted by the kernel), syscalls, recvBuffersHeld,
// sendBytesPending, sendsDropped, acceptPaused, refused, and its engine-specific ones). The driver counts
// batches, submits and wakeups.
//
// Limits: frames are parsed with core/frame_parser.h against config.maxFrameBytes (close frame_too_large /
// frame_invalid); pending send bytes per session above config.sendSoftLimit -> BLOCKED, back at or below
// half of it -> WRITABLE, above config.sendHardLimit -> close backpressure (checked when a send is queued);
// admission through ctx.budget (over maxConnections: close the socket at once, count `refused`).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/address.h"
#include "core/byte_slice.h"
#include "core/close_reason.h"
#include "core/session_id.h"
#include "engine/loop_context.h"

namespace fastport {

inline constexpr int kSweepIntervalMs = 10;

class Backend {
 public:
  virtual ~Backend() = default;

  // --- driving ---
  // An fd that is readable while poll() has work (epoll fd, or the ring's eventfd).
  virtual int pollFd() const = 0;
  // Handles ready I/O. timeoutMs: 0 = do not wait; > 0 / -1 = wait up to that long / until work or wake().
  virtual void poll(int timeoutMs) = 0;
  // Any thread: makes a current or the next blocking poll() return soon.
  virtual void wake() = 0;
  // Deadlines (see above). jsCaughtUp: JS has handled every event batch this loop produced before this call
  // (and the commands it sent meanwhile were applied); a half-closed peer's session ends only then.
  virtual void sweep(uint64_t nowMs, bool jsCaughtUp) = 0;

  // --- listeners ---
  // Binds and listens; accepted sessions get OPEN with aux = listenerId. reusePort: set SO_REUSEPORT (every
  // loop of a threaded engine listens on the same port). Returns 0 or an errno; *boundPort = actual port.
  virtual int listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
                     uint16_t* boundPort) = 0;
  // Stops accepting on that listener (unknown id: no-op). Sessions it accepted stay open.
  virtual void unlisten(uint32_t listenerId) = 0;

  // --- sessions ---
  // Starts a non-blocking connect for session id (taken from ctx.ids by the driver). OPEN (aux 0) follows,
  // or CLOSE connect_failed (errno in aux) / connect_timeout after timeoutMs (0 = no timeout).
  // Over maxConnections: CLOSE connection_limit.
  virtual void connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) = 0;
  // Queues frameCount whole wire frames (already validated: lengths 10 .. maxFrameBytes). Sent by flush() or
  // when the socket becomes writable; at most one send in flight per session. The frames stay valid until
  // the next flush() returns (an engine may write them from there and copy only what the kernel left).
  virtual void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) = 0;
  // send() of one frame given in pieces: its 10-byte wire header and its payload's parts[0..count), sent back
  // to back (all valid until the next flush() returns).
  virtual void sendFrame(SessionId id, const uint8_t* wireHeader, const ByteSlice* parts, size_t count) = 0;
  // send() of the same frames to each of ids (this loop's targets of a BROADCAST); an engine may queue one
  // shared copy of the frames for all of them.
  virtual void broadcast(const SessionId* ids, uint32_t count, const uint8_t* frames, size_t length,
                         uint32_t frameCount) {
    for (uint32_t i = 0; i < count; ++i) send(ids[i], frames, length, frameCount);
  }
  // Sends what is queued, then closes with reason (bounded by sendStallMs). Reading stops now.
  virtual void close(SessionId id, CloseReason reason) = 0;
  // Closes now, dropping queued bytes.
  virtual void abort(SessionId id, CloseReason reason) = 0;
  virtual void pauseRead(SessionId id) = 0;
  virtual void resumeRead(SessionId id) = 0;
  // Answers a session's HTTP event (a plain request; upgrades are answered natively, ws/wire_protocol.h):
  // queues the reply bytes as they are and closes the session with `after` once they are sent. Sessions
  // not waiting for a reply: ignored. Engines without WebSocket support close the session.
  virtual void httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) {
    abort(id, CloseReason::kProtocolError);
  }
  // Starts sends for sessions that got bytes since the last flush: one gathered write each.
  virtual void flush() = 0;

  // Closes every listener and session (CLOSE with reason shutdown, after a best-effort non-blocking attempt
  // to send what is queued). The backend stays usable for destruction only.
  virtual void shutdown() = 0;
  // Open sessions of this loop (including connecting and closing ones).
  virtual size_t sessionCount() const = 0;
};

}  // namespace fastport
