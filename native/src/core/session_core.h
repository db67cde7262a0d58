// The session life every engine shares, written once (docs/boundary.md describes what JS sees): the state
// machine (core/session.h), the slab of sessions, framing of received bytes, the send limits, the backlog
// that stops reading, graceful close (drain, FIN, discard), deadlines (connect, frame, send stall), the
// half-closed peer, the counters and the one CLOSE per session. Engines (epoll, uring, iocp, rio) keep only
// their kernel interface (core/session_io.h) and forward the Backend commands here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/byte_slice.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/session_budget.h"
#include "core/session_io.h"
#include "core/session_slab.h"

namespace fastport {

// What a session core needs from its loop (a subset of engine/loop_context.h, which owns these).
struct SessionCoreEnv {
  const EngineConfig* config;
  EventWriter* events;
  Counters* counters;
  SessionBudget* budget;   // admission (maxConnections over every loop): released at a session's CLOSE
  uint32_t timedOutErrno;  // the platform's ETIMEDOUT, reported with connect_timeout
};

class SessionCore {
 public:
  SessionCore(const SessionCoreEnv& env, SessionIo& io);

  // A pass stops reading sockets once the event batch holds this much, detached payloads included (the rest
  // stays for the next pass).
  static constexpr size_t kPassBudgetBytes = 8u << 20;
  bool batchFull() const { return ev_.heldBytes() >= kPassBudgetBytes; }
  // batchRoom() is empty when payloads this small detach (the reads would be too short to pay).
  static constexpr uint32_t kMinBatchRoomBytes = 4096;

  // --- sessions ---
  // Over the connection budget: false (the engine refuses the socket).
  bool admit() { return env_.budget->tryAcquire(); }
  // An outbound connect's admission: over the connection budget, CLOSE connection_limit (counted `refused`)
  // and false; else its budget is taken.
  bool admitConnect(SessionId id);
  // An admitted outbound connect that failed before its session was added (no socket): CLOSE with reason
  // and err, its budget given back.
  void connectFailedEarly(SessionId id, CloseReason reason, uint32_t err);
  // Stores a new session (admitted before): counted in `sessions`, state kConnecting.
  CoreSession* add(SessionId id);
  // The session with that id that is not closed, or nullptr (commands from JS).
  CoreSession* find(SessionId id);
  // The session a slab handle was made for (closed ones included), or nullptr once freed.
  CoreSession* at(SessionSlab::Handle h) const { return slab_.at(h); }
  // Frees a closed session's memory (the engine calls it when the kernel holds nothing of it).
  void release(CoreSession& s);
  // Frees every remaining session, leaking those whose kernel operations may still be running.
  template <class StillBusy>
  void releaseAll(StillBusy&& stillBusy);
  size_t openCount() const { return open_; }
  template <class Fn>
  void forEach(Fn&& fn) const {
    slab_.forEach(fn);
  }

  // --- what the engine reports ---
  // Connected or accepted: OPEN (listenerId 0 = outbound), reading starts, queued bytes go out.
  void opened(CoreSession& s, uint32_t listenerId, std::string_view remote);
  // Received socket bytes: FRAME records. False when that closed the session. The bytes must be the
  // engine's own read buffer: a WebSocket session unmasks them in place.
  bool received(CoreSession& s, const uint8_t* data, size_t len);
  // Where the engine may read s's next bytes to instead of its own buffer: the rest of a FastPort frame in
  // progress, straight into the block its payload leaves in (no copy from the read buffer). Empty when no
  // such frame is in progress (between frames, WebSocket, a protocol step, not reading).
  BodyRoom receiveRoom(CoreSession& s);
  // n bytes (at most receiveRoom(s).len) were read into receiveRoom(s). False when that closed the session.
  bool receivedInRoom(CoreSession& s, size_t n);
  // Where the engine may receive s's next bytes instead of its own buffer while s is between frames: the end
  // of the event batch, where the whole frames a read brings become one FRAMES record without a copy
  // (receivedInBatch). At most `most` bytes, fewer when payloads of detachFrameBytes detach (so short a read
  // completes no such frame). Empty for a session mid-frame, not a plain FastPort session, or not reading.
  BodyRoom batchRoom(CoreSession& s, size_t most);
  // n bytes (at most batchRoom(s).len) were received into batchRoom(s). False when that closed the session.
  bool receivedInBatch(CoreSession& s, size_t n);
  // A completion engine's receive finished, perhaps after reading was turned off (its cancel still on the
  // way): open and reading = received(); open but not reading = parked until reading resumes (the order of
  // bytes and FIN is kept); draining or half-closed = dropped. False when the session is closed.
  bool arrived(CoreSession& s, const uint8_t* data, size_t len);
  // A completion engine's received bytes in a buffer of its own (free again after the call), as arrived()
  // takes them but with fewer copies: the end of a frame in progress and the frame it ends go into the batch
  // as one FRAMES record (not through the payload block), the whole frames after them as another, a partial
  // frame after those to the parser. A detached payload's frame goes through the parser (its block leaves
  // without a copy). False when the session is closed.
  bool arrivedInBuffer(CoreSession& s, const uint8_t* data, size_t len);
  // The peer sent FIN: the session stops reading; it closes (peer_closed) once JS has seen its frames and
  // what it queued went out.
  void inputEnded(CoreSession& s);
  // The kernel took `bytes` of s's pending bytes.
  void sent(CoreSession& s, size_t bytes);
  // Nothing of s is queued or in flight any more: a draining session ends (FIN, then CLOSE).
  void sendIdle(CoreSession& s);
  // The one way a session ends: exactly one CLOSE record, buffers and counters settled, socket given back.
  void closeSession(CoreSession& s, CloseReason reason, uint32_t err);

  // --- Backend commands (engine/backend.h) ---
  // The frames must stay valid and unchanged until the next flush() returns (an engine that sends
  // synchronously writes them from there and copies only the rest: SessionIo::sendsSynchronously).
  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount);
  // send() of one frame given as its 10-byte wire header and its payload's parts, back to back (the same
  // lifetime rule).
  void sendFrame(SessionId id, const uint8_t* wireHeader, const ByteSlice* parts, size_t count);
  // send() to every id, the frames copied once for all members that take them as they are (FastPort TCP
  // and WebSocket sessions; a session with its own outbound protocol encodes them as send() does).
  void broadcast(const SessionId* ids, uint32_t count, const uint8_t* frames, size_t length,
                 uint32_t frameCount);
  void close(SessionId id, CloseReason reason);
  void abort(SessionId id, CloseReason reason);
  void pauseRead(SessionId id);
  void resumeRead(SessionId id);
  // Starts sends of the sessions that got bytes since the last flush; then no queue borrows bytes any more.
  void flush();
  // HTTP_REPLY (engine/backend.h httpReply): the reply bytes to a plain request, then a close with `after`.
  void httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after);
  // Deadlines; jsCaughtUp: JS has handled every event batch this loop produced (closes half-closed peers).
  void sweep(uint64_t nowMs, bool jsCaughtUp);
  // Best-effort send of what is pending, then CLOSE shutdown for every session.
  void shutdown();

  // The time the current pass started (set by the engine at the start of each pass).
  void setNow(uint64_t nowMs) { now_ = nowMs; }
  // Send queue blocks of this loop (engines consume queued bytes with it).
  BlockPool& pool() { return pool_; }
  uint64_t now() const { return now_; }
  void rewatch(CoreSession& s);

 private:
  // The open session a send goes to (framesOut counted), or nullptr (sendsDropped counted).
  CoreSession* sendTarget(SessionId id, uint32_t frameCount);
  void queueEncoded(CoreSession& s, const uint8_t* frames, size_t length);
  // A WebSocket session's message header for `length` bytes of frames; false when that closed it.
  bool queueMessageHeader(CoreSession& s, size_t length);
  void queueBytes(CoreSession& s, const uint8_t* bytes, size_t length);
  // A SEND's frames: borrowed until flush() when the engine sends synchronously and s has nothing older
  // queued, else copied.
  void queueFrames(CoreSession& s, const uint8_t* frames, size_t length);
  // Copies what the kernel did not take of the borrowed bytes into the queues' own blocks.
  void adoptBorrowed();
  // After `length` bytes joined s.queue: pending bytes, the send limits, the flush and deadline lists.
  void queued(CoreSession& s, size_t length);
  // Bytes the WebSocket step sends by itself (pong, close, HTTP error).
  struct RawSink {
    SessionCore* core;
    CoreSession* s;
    void operator()(const uint8_t* bytes, size_t length) const { core->queueBytes(*s, bytes, length); }
  };
  // A plain FastPort session (no protocol step, no WebSocket) that is reading: its frames may be received in
  // place (receiveRoom, batchRoom, arrivedInBuffer).
  static bool readsFastPortFrames(const CoreSession& s);
  // n bytes that end s's frame in progress (n == s.parser.frameRest(), s reads FastPort frames): the frame
  // completes in the batch (deliverFrameEnd), or through arrived() when its payload detaches. False when the
  // session is closed.
  bool arrivedFrameEnd(CoreSession& s, const uint8_t* data, size_t n);
  // Applies the WebSocket step's verdict after input. False when the session closed.
  bool afterWire(CoreSession& s, InputVerdict v);
  bool deliver(CoreSession& s, const uint8_t* data, size_t len);
  void countHeld(CoreSession& s);
  // Reading is allowed again (RESUME_READ, or the send backlog drained): parked bytes and FIN first.
  void readingResumed(CoreSession& s);
  void markDirty(CoreSession& s);
  void startDirtySends();
  bool needsWatch(const CoreSession& s) const;
  void checkDeadlines(CoreSession& s, bool jsCaughtUp);
  void endGracefully(CoreSession& s);

  SessionCoreEnv env_;
  const EngineConfig& cfg_;
  EventWriter& ev_;
  Counters& c_;
  SessionIo& io_;
  BlockPool pool_;
  SessionSlab slab_;
  std::unordered_map<SessionId, SessionSlab::Handle>
      byId_;  // JS commands name sessions by id; events use handles
  size_t open_ = 0;
  uint64_t now_ = 0;
  std::vector<SessionId> watch_, sweeping_;
  std::vector<SessionSlab::Handle> dirty_, flushing_;  // sessions with bytes queued since the last flush()
  std::vector<SessionSlab::Handle> borrowers_;  // sessions whose queues borrow bytes until the end of flush()
  ByteBuffer wire_, reply_, encoded_, joined_;  // protocol step scratch
};

template <class StillBusy>
void SessionCore::releaseAll(StillBusy&& stillBusy) {
  std::vector<CoreSession*> all;
  slab_.forEach([&](CoreSession* s) { all.push_back(s); });
  for (CoreSession* s : all) {
    if (stillBusy(*s)) {
      slab_.leak(s);  // the kernel may still write into it: never freed
    } else {
      slab_.erase(s);
    }
  }
}

}  // namespace fastport
