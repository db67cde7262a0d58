// What the two Windows engines share: sessions, listeners (AcceptEx, several accepts pre-posted), framing,
// send queues and limits, deadlines, close without use-after-free, and the completion-port loop. The
// engines differ only in how bytes move: iocp (zero-byte WSARecv + non-blocking recv, gathered WSASend)
// and rio (registered buffers, request queues, a notified completion queue). See engine/backend.h.
//
// Lifetime rule: a session is closed (CLOSE record, socket closed, id forgotten) at once, but its memory is
// freed only after its last outstanding operation completed (pendingOps == 0): the kernel may still write
// into its OVERLAPPED / buffers until then. Listeners follow the same rule for their pre-posted accepts.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/frame_parser.h"
#include "core/send_queue.h"
#include "core/send_watermark.h"
#include "engine/backend.h"
#include "win/winsock.h"

namespace fastport::win {

enum class OpKind : uint8_t { kAccept, kConnect, kRecv, kSend };

struct Session;
struct Listener;

// One overlapped operation; the OVERLAPPED is first, so the port's OVERLAPPED* is the Op*.
struct Op {
  OVERLAPPED ov{};
  OpKind kind = OpKind::kRecv;
  Session* session = nullptr;
  Listener* listener = nullptr;
  SOCKET acceptSocket = INVALID_SOCKET;                    // accept: the socket being accepted into
  uint8_t addresses[2 * (sizeof(sockaddr_storage) + 16)];  // accept: local + remote address
};

struct Session {
  enum class State : uint8_t { kConnecting, kOpen, kClosing, kClosed };
  SessionId id = 0;
  SOCKET sock = INVALID_SOCKET;
  State state = State::kConnecting;
  bool outbound = false;  // connect() made it (else accepted)
  bool readPaused = false;
  SendWatermark watermark;  // BLOCKED / WRITABLE / backpressure
  bool dirty = false;       // bytes queued since the last flush
  bool watched = false;     // in the deadline watch list
  bool receiving = false;   // a receive is outstanding
  bool sending = false;     // a send is outstanding (at most one)
  int pendingOps = 0;       // outstanding operations; memory is freed at 0 once closed
  CloseReason closeReason = CloseReason::kNone;
  uint64_t connectDeadlineMs = 0;
  uint64_t sendProgressMs = 0;
  uint64_t resumedMs = 0;
  std::string remote;
  FrameParser parser;
  SendQueue queue;
  Op recvOp, sendOp, connectOp;  // iocp
  uint8_t* recvBuf = nullptr;    // iocp: the real receive's buffer (pooled)
  bool recvZeroByte = false;     // iocp: the outstanding receive is the zero-byte one
  // rio: request queue, the receive slice and the send slice (-1 = none), bytes in the send slice.
  void* rq = nullptr;
  int32_t recvSlice = -1;
  int32_t sendSlice = -1;
  uint32_t sendBytes = 0;
  uint32_t recvHeld = 0;  // bytes received (into recvBuf / the receive slice) while reading was paused
};

struct Listener {
  uint32_t id = 0;
  SOCKET sock = INVALID_SOCKET;
  int family = AF_INET;
  bool closed = false;
  int pending = 0;                       // accepts outstanding
  uint64_t pausedUntilMs = 0;            // out of sockets: retry then
  std::vector<std::unique_ptr<Op>> ops;  // pre-posted accepts
  std::vector<Op*> idle;                 // ops waiting to be re-posted (after a failure / pause)
};

inline constexpr ULONG_PTR kWakeKey = 1;
inline constexpr ULONG_PTR kHandoffKey = 3;  // accepted sockets handed over by the accepting loop
inline constexpr int kAcceptsPosted = 8;     // AcceptEx calls kept outstanding per listener

class SessionBackend : public Backend {
 public:
  SessionBackend(const LoopContext& ctx, HANDLE port, const ExtensionFns& fns);
  ~SessionBackend() override;

  // An accepted socket for this loop, from the loop that accepted it (any thread).
  struct Accepted {
    SOCKET sock;
    uint32_t listenerId;
    std::string remote;
  };
  void handOver(Accepted a);

  int pollFd() const override { return -1; }  // no fd: the Windows driver runs poll() on its own thread
  void poll(int timeoutMs) override;
  void wake() override;
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
  size_t sessionCount() const override { return sessions_.size(); }

 protected:
  // --- what an engine provides ---
  // Extra WSASocket flags for session sockets (rio: WSA_FLAG_REGISTERED_IO).
  virtual DWORD socketFlags() const { return WSA_FLAG_OVERLAPPED; }
  // A socket was accepted or connected: make it ready for I/O (port association / request queue). 0 or an
  // error.
  virtual uint32_t attach(Session* s) = 0;
  // Starts one receive (s open, not paused, none outstanding). May close the session.
  virtual void startReceive(Session* s) = 0;
  // Starts one send of queued bytes (s->sending false, queue not empty). May close the session.
  virtual void startSend(Session* s) = 0;
  // Starts connecting s->sock to addr (socket created, session in kConnecting). Ends in opened() or
  // closeSession().
  virtual void startConnect(Session* s, const SocketAddress& addr) = 0;
  // A receive or send Op completed (iocp). err: Winsock error or 0.
  virtual void completed(Op* op, uint32_t err, DWORD bytes) {}
  // A completion-port entry that is not an Op (rio's queue notification): true when handled.
  virtual bool handlePortEntry(const OVERLAPPED_ENTRY& e) { return false; }
  // Every sweep (rio: connect polling).
  virtual void onSweep() {}
  // Last chance to release engine resources of a session whose memory is about to be freed.
  virtual void releaseSession(Session* s) {}

  // --- what an engine calls ---
  // Received bytes: framed into FRAME records. False when the session got closed (bad frame).
  bool received(Session* s, const uint8_t* data, size_t n);
  // A send of `bytes` completed: consume, counters, WRITABLE, next send or the end of a drain-close.
  void sent(Session* s, size_t bytes);
  // The connect finished (err 0) or failed.
  void connectDone(Session* s, uint32_t err);
  // The session ends now (exactly one CLOSE record); its memory goes when its last operation completes.
  void closeSession(Session* s, CloseReason reason, uint32_t err);
  // An outstanding operation of s completed: true when s is closed (and maybe freed): do not touch it.
  bool opDone(Session* s);
  // Waits (bounded) for the completions of closed sessions and listeners; call from the engine's destructor.
  // False when some did not complete in time (their memory is leaked on purpose: keep what they use too).
  bool drain();
  // Dispatches one entry (also used by drain()).
  void dispatch(const OVERLAPPED_ENTRY& e);
  uint64_t now() const { return now_; }
  // The open (not yet closed) session with that id, or nullptr.
  Session* find(SessionId id);

  LoopContext ctx_;
  const EngineConfig& cfg_;
  EventWriter& ev_;
  Counters& c_;
  HANDLE port_;
  ExtensionFns fns_;
  BlockPool pool_;
  std::unique_ptr<uint8_t[]> scratch_;  // discards unread input before a graceful close
  static constexpr size_t kScratchBytes = 64 * 1024;

 private:
  Session* addSession(SessionId id, SOCKET sock);
  void opened(Session* s, uint32_t listenerId);
  void postAccept(Listener* l, Op* op);
  void onAccept(Op* op, uint32_t err);
  void admit(SOCKET s, uint32_t listenerId, std::string peer);
  void takeHandedOver();
  void finishClose(Session* s);
  void markDirty(Session* s);
  bool needsWatch(const Session* s) const;
  void rewatch(Session* s);
  void checkDeadlines(Session* s);
  void freeSession(Session* s);
  void freeListenerIfDone(Listener* l);

  uint64_t now_ = 0;
  bool shutDown_ = false;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<Session*, std::unique_ptr<Session>> zombies_;  // closed, operations outstanding
  std::unordered_map<uint32_t, std::unique_ptr<Listener>> listeners_;
  std::unordered_map<Listener*, std::unique_ptr<Listener>> closedListeners_;
  std::vector<SessionId> dirty_;
  std::vector<SessionId> watch_;
  std::vector<SessionId> sweeping_;
  std::mutex handoffMutex_;
  std::vector<Accepted> handoff_;  // guarded
};

}  // namespace fastport::win
