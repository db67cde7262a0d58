// What the two Windows engines share: the completion-port loop, listeners (AcceptEx, several accepts
// pre-posted, accepted sockets handed to every loop) and the bridge to the session core (core/session_core.h:
// state, framing, limits, backpressure read-stop, half-close, deadlines, counters, the slab). The engines
// differ only in how bytes move: iocp (zero-byte WSARecv + real receives, gathered WSASend) and rio
// (registered buffers, request queues, a notified completion queue). See engine/backend.h.
//
// Lifetime rule: a session is closed by the core at once (CLOSE record, socket closed, id forgotten), but its
// memory stays in the slab until its last outstanding operation completed (pendingOps == 0): the kernel may
// still write into its OVERLAPPED / buffers until then. Listeners follow the same rule for their accepts.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/session_core.h"
#include "engine/core_backend.h"
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

// A session as the Windows engines see it: the core's session plus the socket and outstanding operations.
struct Session final : CoreSession {
  Session() {
    recvOp.kind = OpKind::kRecv;
    sendOp.kind = OpKind::kSend;
    connectOp.kind = OpKind::kConnect;
    recvOp.session = sendOp.session = connectOp.session = this;
  }
  SOCKET sock = INVALID_SOCKET;
  bool outbound = false;         // connect() made it (else accepted)
  bool receiving = false;        // a receive is outstanding
  bool sending = false;          // a send is outstanding (at most one)
  int pendingOps = 0;            // outstanding operations; memory is freed at 0 once closed
  std::string remote;            // reported in OPEN
  Op recvOp, sendOp, connectOp;  // iocp
  uint8_t* recvBuf = nullptr;    // iocp: the real receive's buffer (pooled)
  bool recvZeroByte = false;     // iocp: the outstanding receive is the zero-byte one
  // rio: request queue, the receive slice and the send slice (-1 = none).
  void* rq = nullptr;
  int32_t recvSlice = -1;
  int32_t sendSlice = -1;
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

class SessionBackend : public CoreBackend {
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
  void shutdown() override;

 protected:
  // --- what an engine provides ---
  // Extra WSASocket flags for session sockets (rio: WSA_FLAG_REGISTERED_IO).
  virtual DWORD socketFlags() const { return WSA_FLAG_OVERLAPPED; }
  // A socket was accepted or connected: make it ready for I/O (port association / request queue). 0 or an
  // error.
  virtual uint32_t attach(Session* s) = 0;
  // Starts one receive (s->wantsRead(), none outstanding, no held bytes). May close the session.
  virtual void postReceive(Session* s) = 0;
  // Starts one send of queued bytes (s->sending false, queue not empty). May close the session.
  virtual void postSend(Session* s) = 0;
  // Starts connecting s->sock to addr (socket created, session in kConnecting). Ends in connectDone().
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
  // A receive completed with `bytes` (0 = the peer's FIN) in `data` (the engine's own buffer). Returns
  // whether the engine should receive again now (false: the session closed, its input ended or reading
  // stopped; bytes and FIN that arrived while reading was stopped are parked by the core until it resumes).
  bool receiveDone(Session* s, uint8_t* data, DWORD bytes);
  // A send of `bytes` completed: consumed from the queue, counters, WRITABLE, the next send or the end of a
  // drain-close.
  void sent(Session* s, size_t bytes);
  // The connect finished (err 0) or failed.
  void connectDone(Session* s, uint32_t err);
  // The session ends now (exactly one CLOSE record); its memory goes when its last operation completes.
  void closeSession(Session* s, CloseReason reason, uint32_t err) { core_.closeSession(*s, reason, err); }
  // A receive or send of s starts; `outstanding` is its flag (s->receiving / s->sending), set here. One more
  // operation outstanding, counted in winRecvsPosted / winSendsPosted until opEnded() / opFailed().
  void posted(Session* s, bool& outstanding);
  // An outstanding operation of s completed: true when s is closed (and maybe freed): do not touch it.
  bool opDone(Session* s);
  // A receive or send of s ended; `outstanding` is its flag (s->receiving / s->sending), cleared here.
  // err 0: true unless s is closed (then do not touch it). Else false: s is closed with the error's reason.
  bool opEnded(Session* s, bool& outstanding, uint32_t err);
  // A receive or send failed (also one that could not start): its flag cleared, s closed with err's reason.
  void opFailed(Session* s, bool& outstanding, uint32_t err);
  // Whether s (by its handle) is still stored and not closed.
  bool alive(SessionSlab::Handle h) const {
    CoreSession* c = core_.at(h);
    return c && !c->closed();
  }
  // The pass's event batch holds SessionCore::kPassBudgetBytes: receives that complete inline stop and the
  // engine comes back to its sessions through the port on the next pass.
  bool batchFull() const { return core_.batchFull(); }
  // Waits (bounded) for the completions of closed sessions and listeners; call from the engine's destructor.
  // False when some did not complete in time (their memory is leaked on purpose: keep what they use too).
  bool drain();
  // The open (not yet closed) session with that id, or nullptr.
  Session* find(SessionId id) { return static_cast<Session*>(core_.find(id)); }

  HANDLE port_;
  ExtensionFns fns_;

 private:
  // --- SessionIo (the core's requests) ---
  std::unique_ptr<CoreSession> newSession() override { return std::make_unique<Session>(); }
  void readInterestChanged(CoreSession& s) override;
  void startSend(CoreSession& s) override;
  void sendNow(CoreSession& s) override;
  void finishOutput(CoreSession& s) override;
  void closed(CoreSession& s) override;

  void dispatch(const OVERLAPPED_ENTRY& e);
  Counter& postedCounter(Session* s, const bool& outstanding) {
    return &outstanding == &s->sending ? c_.winSendsPosted : c_.winRecvsPosted;
  }
  void freeSession(Session* s);
  // Listeners and accepted sockets (win/accept.cc).
  void postAccept(Listener* l, Op* op);
  void onAccept(Op* op, uint32_t err);
  void admit(SOCKET s, uint32_t listenerId, std::string peer);
  void takeHandedOver();
  void repostAccepts(uint64_t nowMs);
  void freeListenerIfDone(Listener* l);

  std::unique_ptr<uint8_t[]> scratch_;  // discards unread input before a graceful close
  static constexpr size_t kScratchBytes = 64 * 1024;
  bool shutDown_ = false;
  size_t zombies_ = 0;  // closed sessions with operations outstanding (still in the slab)
  std::unordered_map<uint32_t, std::unique_ptr<Listener>> listeners_;
  std::unordered_map<Listener*, std::unique_ptr<Listener>> closedListeners_;
  std::mutex handoffMutex_;
  std::vector<Accepted> handoff_;  // guarded
};

}  // namespace fastport::win
