// The io_uring engine (Backend for engine/backend.h): multishot accept, multishot recv into a provided-buffer
// ring (idle sessions hold no buffer), sends copied into registered send slices (WRITE_FIXED, one in flight
// per session, released on completion), connect with a linked timeout, batched submission (one io_uring_enter
// per pass) and reaping. Inline mode: completions signal an eventfd registered with the ring (pollFd(),
// watched by libuv). Thread mode: poll() blocks in io_uring_enter itself (with a timeout); wake() writes a
// second eventfd that a READ in the ring is waiting on, so a wake-up is just another completion. A wake-up is
// answered first (the driver applies the commands, then the other completions are handled) so a PAUSE_READ
// sent before the peer's bytes holds them back.
//
// The class is shared by its implementation files, one job each:
//   uring_backend.cc         ring plumbing: set-up, poll / sweep, submission, reaping, dispatch
//   uring_listen_connect.cc  listeners (multishot accept) and outbound connects (linked timeout)
//   uring_receive.cc         multishot recv into provided buffers, framing, pause / resume
//   uring_send.cc            sends through registered send slices (WRITE_FIXED)
//   uring_sessions.cc        the session table, deadlines, close / shutdown
#pragma once

#include <linux/io_uring.h>

#include <cerrno>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/backend.h"
#include "uring/buffer_ring.h"
#include "uring/file_table.h"
#include "uring/ring.h"
#include "uring/send_slices.h"
#include "uring/uring_session.h"
#include "uring/uring_tuning.h"

namespace fastport::uring {

inline constexpr uint16_t kBufferGroup = 0;
inline constexpr unsigned kReapBatch = 256;
inline constexpr unsigned kMaxReapRounds = 64;   // per poll(): bounded, the eventfd re-fires if work is left
inline constexpr uint64_t kAcceptPauseMs = 250;  // after EMFILE / ENFILE
inline constexpr size_t kGatherSlices = 64;
inline constexpr size_t kMaxSliceRun = 16;  // slices one write may span (256 KiB with 16 KiB slices)

inline CloseReason reasonFor(int err) {
  return (err == ECONNRESET || err == EPIPE) ? CloseReason::kReset : CloseReason::kIoError;
}

class UringBackend final : public Backend {
 public:
  UringBackend(const LoopContext& ctx, int eventFd, int wakeFd)
      : ctx_(ctx),
        cfg_(*ctx.config),
        ev_(*ctx.events),
        c_(*ctx.counters),
        eventFd_(eventFd),
        wakeFd_(wakeFd) {}

  ~UringBackend() override;

  // Opens the ring disabled (the loop thread enables it on first use) and registers buffers + eventfd.
  std::string init();
  int pollFd() const override { return eventFd_; }

  void wake() override { signal(wakeFd_); }

  void poll(int timeoutMs) override;
  void sweep(uint64_t nowMs, bool jsCaughtUp) override;
  int listen(uint32_t listenerId, const SocketAddress& addr, int backlog, bool reusePort,
             uint16_t* boundPort) override;
  void unlisten(uint32_t listenerId) override;
  void connect(SessionId id, const SocketAddress& addr, uint32_t timeoutMs) override;
  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) override;
  void close(SessionId id, CloseReason reason) override;
  void abort(SessionId id, CloseReason reason) override;
  void pauseRead(SessionId id) override;
  void resumeRead(SessionId id) override;
  void flush() override;
  void shutdown() override;
  size_t sessionCount() const override { return openSessions_; }
  // Bytes the session's slice run holds.
  size_t runBytes(const Session* s) const { return size_t(s->slice.count) * slices_.sliceBytes(); }

 private:
  // --- ring plumbing ---

  static void signal(int fd);
  void drain(int fd);

  // Cancels every request and waits (bounded, ~0.5 s) for their completions, so no receive buffer or send
  // slice is still in the kernel's hands when the memory goes away.
  void cancelEverything();
  bool ensureEnabled();

  // A free SQE; when the SQ is full, submits what is queued and retries (never drops an operation).
  io_uring_sqe* sqe();

  // Hands every queued SQE to the kernel in one io_uring_enter. -EBUSY / -EAGAIN (completions must be
  // reaped first): move the ready CQEs aside (handled in order on the next pass) and retry.
  void submit();
  void stashCompletions();
  void syncCounters();

  // Runs deferred completions and handles them: earlier stashed ones first, so each session's CQEs stay in
  // kernel order. One enter per pass unless the CQ is still full or overflowed (then enter again).
  void processCompletions(bool enterFirst);

  // Thread mode: a wake-up among the completions is handled alone and the rest kept for the next pass, so
  // the commands behind the wake-up are applied first. Alternates, so wake-ups cannot starve completions.
  bool answerWakeFirst(const io_uring_cqe* batch, unsigned n);
  void armWakeRead();

  // End of a pass: re-arm receives that ran dry, hand free slices to waiting sessions, submit once.
  void afterPass();
  void handle(const io_uring_cqe& cqe);

  // --- accept ---

  void armAccept(uint32_t listenerId, Listener& l);
  void onAccept(uint32_t listenerId, int res, uint32_t flags);
  void admit(int fd, uint32_t listenerId);

  // --- connect ---

  void onConnect(SessionId id, int res);

  // --- receive ---

  bool wantsRead(const Session* s) const { return s->state == Session::State::kOpen && !s->readPaused; }

  // Gives an open session's socket a registered file slot (when the table has one).
  void useFileSlot(Session* s);

  // Points a request at the session's socket: its fixed file slot when it has one.
  static io_uring_sqe* onSocket(io_uring_sqe* e, const Session* s);
  void armRecv(Session* s);
  void cancelRecv(Session* s);
  void queueRearm(Session* s);
  void onRecv(SessionId id, int res, uint32_t flags);
  void hold(Session* s, const uint8_t* data, size_t len);

  // RESUME_READ: the bytes that landed while paused go first. Returns false when that closed the session.
  bool deliverHeld(Session* s);
  void deliver(Session* s, const uint8_t* data, size_t len);

  // --- send ---

  // Fast path: a session with nothing in flight or queued copies the frames straight into its slice.
  size_t appendToSlice(Session* s, const uint8_t* data, size_t len);

  // One WRITE_FIXED of the slice's unsent bytes, refilled from the queue first. Waits for a free slice when
  // the pool is exhausted.
  void startSend(Session* s);
  void submitSliceWrite(Session* s);
  void onSend(SessionId id, int res);
  void releaseSlice(Session* s);
  void serveSliceWaiters();

  // Closing session whose bytes all went out: FIN after the last byte, then close.
  void finishDrain(Session* s);

  // Shutdown's best effort: one non-blocking write of what is pending, straight from the slice / queue.
  void writeDirect(Session* s);

  // --- sessions ---

  Session* addSession(SessionId id, int fd);
  Session* findAny(SessionId id);
  Session* findOpen(SessionId id);
  void markDirty(Session* s);
  bool needsWatch(const Session* s) const;
  void rewatch(Session* s);

  // Connect deadlines are the kernel's (linked timeout); these are the rest.
  void checkDeadlines(Session* s);

  // The one way a session ends for JS: exactly one CLOSE record and the counters now; the fd and the slice
  // are released once the kernel has finished every request on them (maybeFree).
  void closeSession(Session* s, CloseReason reason, uint32_t err);
  void maybeFree(Session* s);
  LoopContext ctx_;
  const EngineConfig& cfg_;
  EventWriter& ev_;
  Counters& c_;
  int eventFd_;
  int wakeFd_;
  bool wokenLast_ = false;
  bool waitInRing_ =
      false;  // thread mode: poll() waits in io_uring_enter, wake-ups arrive as READ completions
  bool wakeArmed_ = false;
  uint64_t wakeValue_ = 0;
  io_uring_sqe lostSqe_{};
  Tuning tuning_{};
  Ring ring_;  // declared before the buffers: they unregister from it when destroyed
  BufferRing bufs_;
  SendSlices slices_;
  FileTable files_;
  BlockPool pool_;
  bool enabled_ = false;
  int enableError_ = 0;
  bool shutDown_ = false;
  bool servingWaiters_ = false;
  uint64_t now_ = 0;
  size_t openSessions_ = 0;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<uint32_t, Listener> listeners_;
  std::vector<SessionId> dirty_, flushing_, watch_, sweeping_, rearm_, rearming_, sliceWaiters_;
  std::vector<io_uring_cqe> backlog_, handling_;
  struct {
    uint64_t enters = 0, sqes = 0, cqes = 0;
    unsigned slices = 0;
  } reported_;
};

}  // namespace fastport::uring
