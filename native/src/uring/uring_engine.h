// The io_uring engine (Backend for engine/backend.h): multishot accept, multishot recv into a provided-buffer
// ring (idle sessions hold no buffer), sends (one in flight per session: a SEND's bytes borrowed from the
// command log with MSG_DONTWAIT, settled before the flush ends; a small owned backlog copied into a
// registered send slice for WRITE_FIXED, a larger one as a SENDMSG straight over the send queue's blocks,
// released on completion), connect with a linked timeout, batched submission (one io_uring_enter
// per pass) and reaping. The session life (state, framing, limits, close / drain / discard, deadlines,
// counters) is core/session_core.h; this engine only submits requests and reports their completions to it.
// Inline mode: completions signal an eventfd registered with the ring (pollFd(), watched by libuv). Thread
// mode: poll() blocks in io_uring_enter itself (with a timeout); wake() writes a second eventfd that a READ
// in the ring is waiting on, so a wake-up is just another completion. A wake-up is answered first (the
// driver applies the commands, then the other completions are handled) so a PAUSE_READ sent before the
// peer's bytes holds them back.
//
// The class is shared by its implementation files, one job each:
//   uring_backend.cc         ring plumbing: set-up, poll / sweep, submission, reaping, dispatch
//   uring_listen_connect.cc  listeners (multishot accept) and outbound connects (linked timeout)
//   uring_receive.cc         multishot recv into provided buffers, handed to the core
//   uring_send.cc            sends: slices (WRITE_FIXED) for small backlogs, SENDMSG over the queue for more
//   uring_sessions.cc        the kernel side of a session's end: FIN, cancel, free; shutdown
#pragma once

#include <linux/io_uring.h>

#include <cerrno>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/core_backend.h"
#include "uring/buffer_ring.h"
#include "uring/file_table.h"
#include "uring/ring.h"
#include "uring/send_slices.h"
#include "uring/uring_session.h"
#include "uring/uring_tuning.h"

namespace fastport::uring {

inline constexpr uint16_t kBufferGroup = 0;
inline constexpr unsigned kReapBatch = 256;
inline constexpr unsigned kMaxReapRounds = 64;  // per poll(): bounded, the eventfd re-fires if work is left
// Deferred completions (DEFER_TASKRUN task work) one io_uring_enter runs at most (Linux 6.13+,
// IO_LOCAL_TW_DEFAULT_MAX); the rest waits in the kernel without signalling the eventfd again.
inline constexpr unsigned kKernelTaskRunLimit = 20;
inline constexpr size_t kGatherSlices = 64;
// A frame of kBigFrameBuffers x bigFrameRecvBytes() (128 KiB by default) is big: received direct.
inline constexpr unsigned kBigFrameBuffers = 4;
// What one buffered recv of a big-frame session takes at most (and a direct recv at least): 32 KiB, less
// with smaller receive buffers. Not the buffer size: bigger buffers serve small frames (fewer frames split
// across two buffers), while big frames keep the 32 KiB steps they were measured with.
inline constexpr size_t kBigFrameRecvBytes = 32u << 10;

class UringBackend final : public CoreBackend {
 public:
  UringBackend(const LoopContext& ctx, int eventFd, int wakeFd)
      : CoreBackend(ctx, ETIMEDOUT), eventFd_(eventFd), wakeFd_(wakeFd) {}

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
  void flush() override;
  void shutdown() override;

 private:
  // --- SessionIo (what the core asks of the kernel side) ---

  std::unique_ptr<CoreSession> newSession() override { return std::make_unique<UringSession>(); }
  // Arms the multishot recv when the core wants reading, cancels it when not.
  void readInterestChanged(CoreSession& s) override;
  void startSend(CoreSession& s) override;
  // A SEND's bytes are borrowed from the command log: sendsStarted() has the kernel take what it can at once.
  bool sendsSynchronously() const override { return true; }
  void sendsStarted() override;
  void sendNow(CoreSession& s) override;
  void finishOutput(CoreSession& s) override;
  // Cancels the session's requests; the fd, file slot, slice and memory go when the last one completed.
  void closed(CoreSession& s) override;

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
  // kernel order. One enter per pass unless the CQ is still full or overflowed, or the kernel stopped at its
  // limit of deferred completions per enter (then enter again).
  void processCompletions(bool enterFirst);
  // Deferred completions wait and the last enter ran as many as the kernel runs per enter.
  bool kernelStoppedEarly(unsigned reapedSinceEnter) const;
  // Handles completions in order until the pass's event batch is full (SessionCore::batchFull): the rest
  // goes to the front of the backlog for the next pass. False when it stopped early.
  bool handleAll(const io_uring_cqe* cqes, unsigned n);

  // Thread mode: a wake-up among the completions is handled alone and the rest kept for the next pass, so
  // the commands behind the wake-up are applied first. Alternates, so wake-ups cannot starve completions.
  bool answerWakeFirst(const io_uring_cqe* batch, unsigned n);
  void armWakeRead();

  // End of a pass: start sends, re-arm receives that ran dry, submit.
  void afterPass();
  void handle(const io_uring_cqe& cqe);
  // The session a completion's handle names (closed ones included), or nullptr once freed.
  UringSession* sessionAt(uint64_t userData) const {
    CoreSession* s = core_.at(handleOf(userData));
    return s ? &as(*s) : nullptr;
  }

  // --- accept ---

  void armAccept(uint32_t listenerId, Listener& l);
  void onAccept(uint32_t listenerId, int res, uint32_t flags);
  void admit(int fd, uint32_t listenerId);

  // --- connect ---

  void onConnect(UringSession& s, int res);
  // Frees the connect's address and deadline once neither the connect nor its timeout is in the kernel.
  void connectSettled(UringSession& s);

  // --- receive ---

  // Gives an open session's socket a registered file slot (when the table has one).
  void useFileSlot(UringSession& s);
  // Points a request at the session's socket: its fixed file slot when it has one.
  static io_uring_sqe* onSocket(io_uring_sqe* e, const UringSession& s);
  // Small frames: one multishot recv. Big ones: a direct recv for the rest of the frame, one buffered recv
  // for its end and the next frame's start (uring_receive.cc).
  void armRecv(UringSession& s);
  bool noteFrameSize(UringSession& s, const BodyRoom& room);
  size_t bigFrameRecvBytes() const {
    return bufs_.size() < kBigFrameRecvBytes ? bufs_.size() : kBigFrameRecvBytes;
  }
  // One plain recv straight into the frame's payload block (`room`), a buffered recv linked behind it
  // (false: no room in the SQ for both, nothing armed).
  bool armDirectRecv(UringSession& s, const BodyRoom& room);
  void prepBigFrameRecv(io_uring_sqe* e, UringSession& s);
  void onDirectRecv(UringSession& s, int res);
  void cancelRecv(UringSession& s);
  void queueRearm(UringSession& s);
  void onRecv(UringSession* s, int res, uint32_t flags);
  void recvEnded(UringSession& s, int res);

  // --- send ---

  // A backlog of several pieces that fits one slice takes a free one and is copied into it, so they leave
  // in one WRITE_FIXED (false: send from the queue; a single piece always is).
  bool takeSlice(UringSession& s);
  void fillSlice(UringSession& s);
  void submitSliceWrite(UringSession& s);
  void onSliceSent(UringSession& s, int res);
  void releaseSlice(UringSession& s);
  // SEND / SENDMSG of the queue's oldest blocks as they are; they are consumed when the kernel reports them
  // taken. kNever: MSG_DONTWAIT (borrowed bytes, settled by sendsStarted()); kPollFirst: the socket was just
  // found full, wait for room before the first try.
  enum class SendWait : uint8_t { kPoll, kNever, kPollFirst };
  void submitQueueSend(UringSession& s, SendWait wait);
  // Handles the completions of the MSG_DONTWAIT sends just submitted (out of turn: before the flush copies
  // the bytes they did not take); a guard cancels and waits for any the kernel did not complete at once.
  void settleNoWaitSends();
  bool takeNoWaitCompletions();
  void cancelUnsettledSends();
  // After the flush adopted the borrowed rest: sends of sessions whose socket was found full.
  void resendAfterFullSocket();
  void onQueueSent(UringSession& s, int res);
  void onSend(UringSession& s, int res);
  // The kernel took `bytes`: counted, then the next send (or the short send's rest) starts.
  void sendProgressed(UringSession& s, size_t bytes);

  // --- end of a session ---

  void maybeFree(UringSession& s);

  int eventFd_;
  int wakeFd_;
  bool wokenLast_ = false;
  bool waitInRing_ =
      false;  // thread mode: poll() waits in io_uring_enter, wake-ups arrive as READ completions
  bool wakeArmed_ = false;
  bool tasksLeft_ = false;  // a pass used up its reaping rounds with deferred completions still waiting
  uint64_t wakeValue_ = 0;
  io_uring_sqe lostSqe_{};
  Tuning tuning_{};
  QueueSends queueSends_;  // before ring_: outlives it (a request may name one until the ring is gone)
  // The payload blocks direct recvs write into, lent by the sessions' parsers until the recv completed
  // (here, not in the session, which then carries no pointer for it); before ring_ for the same reason.
  std::unordered_map<SessionSlab::Handle, PayloadBlock> lentBodies_;
  std::vector<SessionSlab::Handle> noWaitSends_;  // MSG_DONTWAIT sends of this flush, settled before it ends
  std::vector<SessionSlab::Handle> resend_;       // their sessions with a rest for a full socket
  bool settling_ = false;
  Ring ring_;  // declared before the buffers: they unregister from it when destroyed
  BufferRing bufs_;
  SendSlices slices_;
  FileTable files_;
  bool enabled_ = false;
  int enableError_ = 0;
  bool shutDown_ = false;
  std::unordered_map<uint32_t, Listener> listeners_;
  std::vector<SessionSlab::Handle> rearm_, rearming_;
  std::vector<io_uring_cqe> backlog_, handling_;
  struct {
    uint64_t enters = 0, sqes = 0, cqes = 0;
    unsigned slices = 0;
  } reported_;
};

}  // namespace fastport::uring
