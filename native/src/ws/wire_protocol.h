// The per-session protocol step between a socket and the FastPort frame parser / send queue. A session
// accepted on a listener with WebSocket on starts by sniffing its first byte: 'G' starts an HTTP request
// (the upgrade; any other first byte is FastPort TCP, whose length prefix can never start with 'G' within
// maxFrameBytes). The request head (at most kMaxRequestHeadBytes, within the frame deadline) is answered
// here (ws/upgrade_answer.h): the 101 switches the session to WebSocket at once, a refusal is sent and the
// session closed; only a request without an Upgrade field (a plain GET for the static page) goes to JS as
// one HTTP event, answered by HTTP_REPLY and a close. From then on each binary message carries whole
// FastPort frames: payload is unmasked in place and fed to the session's FrameParser; ping -> pong, close ->
// close reply; violations close with the RFC's code (counted in wsViolations). Outbound, each send() becomes
// one binary message.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/close_reason.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/event_writer.h"
#include "core/frame_delivery.h"
#include "core/frame_parser.h"
#include "core/session_id.h"
#include "ws/upgrade_answer.h"
#include "ws/ws_codec.h"
#include "ws/ws_frame_parser.h"

namespace fastport {

inline constexpr size_t kMaxRequestHeadBytes = 8 * 1024;

// What the engine does after the protocol step handled input.
struct InputVerdict {
  CloseReason close = CloseReason::kNone;  // kNone: go on
  bool drain = false;                      // close after the queued bytes (a Close frame / HTTP reply)
};

class WireProtocol {
 public:
  // kHttpWait: JS answers a plain request; kHttpDone: an HTTP refusal drains (input is discarded in both).
  enum class Mode : uint8_t { kFastPort, kSniff, kHttpHead, kHttpWait, kHttpDone, kWebSocket, kWsClosing };

  // For sessions accepted on a WebSocket-enabled listener, before the first byte.
  void sniff() { mode_ = Mode::kSniff; }
  Mode mode() const { return mode_; }
  bool isWebSocket() const { return mode_ == Mode::kWebSocket || mode_ == Mode::kWsClosing; }
  // False during the HTTP request and after a Close: sends are dropped (counted sendsDropped).
  bool acceptsFrames() const {
    return mode_ == Mode::kFastPort || mode_ == Mode::kSniff || mode_ == Mode::kWebSocket;
  }
  bool awaitingReply() const { return mode_ == Mode::kHttpWait; }

  // Handles received bytes (data is modified: WebSocket payload is unmasked in place). Frames go to
  // events; bytes the step must send (pong, close, HTTP error) go to queueRaw(const uint8_t*, size_t).
  template <class QueueRaw>
  InputVerdict receive(FrameParser& parser, SessionId id, uint8_t* data, size_t len, const EngineConfig& cfg,
                       uint64_t nowMs, EventWriter& ev, Counters& c, QueueRaw&& queueRaw);

  // True when every outbound message gets a header of its own (WebSocket).
  bool addsMessageHeader() const { return mode_ == Mode::kWebSocket; }
  // Header for one outbound message of len bytes (0 bytes for FastPort TCP). out: kMaxServerHeaderBytes.
  size_t messageHeader(size_t len, uint8_t* out) const {
    return mode_ == Mode::kWebSocket ? ws::writeServerHeader(out, ws::Opcode::kBinary, len) : 0;
  }
  // The Close frame for a server-side close of a WebSocket session (once); 0 bytes otherwise.
  // out: ws::kMaxCloseFrameBytes.
  size_t closeFrame(CloseReason reason, uint8_t* out) {
    if (mode_ != Mode::kWebSocket) return 0;
    mode_ = Mode::kWsClosing;
    return ws::writeCloseFrame(out, ws::closeCodeFor(reason));
  }

  // True while input is incomplete (a frame, a WebSocket frame or the request head): the frame deadline.
  bool inputPending(const FrameParser& parser) const {
    return parser.midFrame() || (state_ && (mode_ == Mode::kHttpHead || state_->frames.midMessage()));
  }
  // When the oldest incomplete input started (valid while inputPending()).
  uint64_t inputStartedMs(const FrameParser& parser) const {
    if (!state_ || !(mode_ == Mode::kHttpHead || state_->frames.midMessage())) return parser.frameStartedMs();
    if (parser.midFrame() && parser.frameStartedMs() < state_->startedMs) return parser.frameStartedMs();
    return state_->startedMs;
  }
  // Frees what the step holds (session closing).
  void reset() { state_.reset(); }
  // The bytes of the one allocation a session that started an HTTP request holds.
  static constexpr size_t stateBytes();

 private:
  // 64 bytes: what a WebSocket session holds beyond a TCP one (docs/limits.md "Memory of an idle session").
  struct State {
    ws::FrameParser frames;
    uint64_t startedMs = 0;              // first byte of the request head / of the incomplete WebSocket frame
    std::unique_ptr<std::string> split;  // only while a request head split over reads is gathered
  };

  template <class QueueRaw>
  InputVerdict readHead(FrameParser& parser, SessionId id, uint8_t* data, size_t len, const EngineConfig& cfg,
                        uint64_t nowMs, EventWriter& ev, Counters& c, QueueRaw& queueRaw);
  template <class QueueRaw>
  InputVerdict answerHead(FrameParser& parser, SessionId id, uint8_t* head, size_t end, size_t len,
                          const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev, Counters& c,
                          QueueRaw& queueRaw);
  template <class QueueRaw>
  InputVerdict readWebSocket(FrameParser& parser, SessionId id, uint8_t* data, size_t len,
                             const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev, Counters& c,
                             QueueRaw& queueRaw);

  Mode mode_ = Mode::kFastPort;
  std::unique_ptr<State> state_;  // only for sessions that started an HTTP request
};

// ---- implementation ----

constexpr size_t WireProtocol::stateBytes() {
  return sizeof(State);
}

namespace ws_detail {

inline constexpr char kRequestTooLarge[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

// Where the head's blank line ends (index past "\r\n\r\n") searching from `from`, or 0.
inline size_t headEnd(const uint8_t* p, size_t len, size_t from) {
  std::string_view s(reinterpret_cast<const char*>(p), len);
  size_t at = s.find("\r\n\r\n", from);
  return at == std::string_view::npos ? 0 : at + 4;
}

}  // namespace ws_detail

template <class QueueRaw>
InputVerdict WireProtocol::receive(FrameParser& parser, SessionId id, uint8_t* data, size_t len,
                                   const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev, Counters& c,
                                   QueueRaw&& queueRaw) {
  if (len == 0) return {};
  if (mode_ == Mode::kSniff) {
    if (data[0] == 'G') {
      mode_ = Mode::kHttpHead;
      state_ = std::make_unique<State>();
      state_->startedMs = nowMs;
    } else {
      mode_ = Mode::kFastPort;
    }
  }
  switch (mode_) {
    case Mode::kFastPort:
    case Mode::kSniff:
      return {deliverFrames(parser, id, data, len, cfg.maxFrameBytes, nowMs, ev, c.framesIn), false};
    case Mode::kHttpHead:
      return readHead(parser, id, data, len, cfg, nowMs, ev, c, queueRaw);
    case Mode::kWebSocket:
      return readWebSocket(parser, id, data, len, cfg, nowMs, ev, c, queueRaw);
    case Mode::kHttpWait:  // the connection closes after the reply: what a client sends now is not read
    case Mode::kHttpDone:
    case Mode::kWsClosing:  // after a Close: input is discarded
      return {};
  }
  return {};
}

// The head is read where it lies when one read brought all of it (the usual case: no copy); a head split
// over reads is gathered in state_->split.
template <class QueueRaw>
InputVerdict WireProtocol::readHead(FrameParser& parser, SessionId id, uint8_t* data, size_t len,
                                    const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev, Counters& c,
                                    QueueRaw& queueRaw) {
  std::unique_ptr<std::string>& split = state_->split;
  size_t before = split ? split->size() : 0;
  if (split) split->append(reinterpret_cast<const char*>(data), len);
  uint8_t* head = split ? reinterpret_cast<uint8_t*>(split->data()) : data;
  size_t have = split ? split->size() : len;
  size_t method = have < 4 ? have : 4;
  if (std::string_view(reinterpret_cast<const char*>(head), method) != std::string_view("GET ", method)) {
    // Not "GET ": as a FastPort frame its length (>= 0x47000000) is far above any maxFrameBytes.
    return {CloseReason::kFrameTooLarge, false};
  }
  size_t end = ws_detail::headEnd(head, have, before > 3 ? before - 3 : 0);
  if ((end == 0 && have > kMaxRequestHeadBytes) || end > kMaxRequestHeadBytes) {
    queueRaw(reinterpret_cast<const uint8_t*>(ws_detail::kRequestTooLarge),
             sizeof ws_detail::kRequestTooLarge - 1);
    mode_ = Mode::kHttpDone;  // sends stay refused while the reply drains
    c.wsViolations.add();
    split.reset();
    return {CloseReason::kFrameTooLarge, true};
  }
  if (end == 0) {
    if (!split) split = std::make_unique<std::string>(reinterpret_cast<const char*>(data), len);
    return {};
  }
  if (!split) return answerHead(parser, id, head, end, have, cfg, nowMs, ev, c, queueRaw);
  std::unique_ptr<std::string> gathered = std::move(split);  // freed once the head is answered
  return answerHead(parser, id, reinterpret_cast<uint8_t*>(gathered->data()), end, have, cfg, nowMs, ev, c,
                    queueRaw);
}

// head[0, end) is the request head, head[end, len) bytes that came with it.
template <class QueueRaw>
InputVerdict WireProtocol::answerHead(FrameParser& parser, SessionId id, uint8_t* head, size_t end,
                                      size_t len, const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev,
                                      Counters& c, QueueRaw& queueRaw) {
  c.httpRequests.add();
  ws::HeadAnswer answer = ws::answerRequestHead(std::string_view(reinterpret_cast<const char*>(head), end),
                                                ws::UpgradeEndpoint{cfg.wsPath, cfg.wsOrigins});
  if (answer.verdict == ws::HeadVerdict::kToJs) {
    ev.http(id, head, end);  // bytes after the head are dropped: the reply closes the connection
    mode_ = Mode::kHttpWait;
    return {};
  }
  queueRaw(reinterpret_cast<const uint8_t*>(answer.reply.data()), answer.reply.size());
  if (answer.verdict == ws::HeadVerdict::kRefuse) {
    mode_ = Mode::kHttpDone;  // sends stay refused while the reply drains
    return {CloseReason::kProtocolError, true};
  }
  mode_ = Mode::kWebSocket;
  c.wsUpgrades.add();
  if (end == len) return {};
  // Frames sent before the 101 arrived (RFC 6455 says wait; some clients do not).
  return readWebSocket(parser, id, head + end, len - end, cfg, nowMs, ev, c, queueRaw);
}

template <class QueueRaw>
InputVerdict WireProtocol::readWebSocket(FrameParser& parser, SessionId id, uint8_t* data, size_t len,
                                         const EngineConfig& cfg, uint64_t nowMs, EventWriter& ev,
                                         Counters& c, QueueRaw& queueRaw) {
  struct Sink {
    WireProtocol& self;
    FrameParser& parser;
    SessionId id;
    const EngineConfig& cfg;
    uint64_t nowMs;
    EventWriter& ev;
    Counters& c;
    QueueRaw& queueRaw;
    InputVerdict verdict;

    bool payload(uint8_t* p, size_t n) {
      CloseReason bad = deliverFrames(parser, id, p, n, cfg.maxFrameBytes, nowMs, ev, c.framesIn);
      if (bad == CloseReason::kNone) return true;
      return fail(bad == CloseReason::kFrameTooLarge ? ws::kCloseTooBig : ws::kCloseInvalidPayload);
    }
    bool messageEnd() {
      // A message carries whole FastPort frames.
      return parser.midFrame() ? fail(ws::kCloseInvalidPayload) : true;
    }
    bool control(ws::Opcode op, uint8_t* p, size_t n) {
      uint8_t head[ws::kMaxServerHeaderBytes];
      if (op == ws::Opcode::kPing) {
        queueRaw(head, ws::writeServerHeader(head, ws::Opcode::kPong, n));
        if (n) queueRaw(p, n);
        return true;
      }
      if (op == ws::Opcode::kPong) return true;
      // Close: check the peer's code and reason, echo the code, close after the reply.
      uint16_t code = n >= 2 ? uint16_t((p[0] << 8) | p[1]) : 0;
      if (n == 1 || (n >= 2 && !ws::isValidCloseCode(code))) return fail(ws::kCloseProtocolError);
      if (n > 2 && !ws::isValidUtf8(p + 2, n - 2)) return fail(ws::kCloseInvalidPayload);
      queueRaw(head, ws::writeCloseFrame(head, code));
      self.mode_ = Mode::kWsClosing;
      verdict = {CloseReason::kPeerClosed, true};
      return false;
    }
    bool fail(uint16_t code) {
      uint8_t frame[ws::kMaxCloseFrameBytes];
      queueRaw(frame, ws::writeCloseFrame(frame, code));
      self.mode_ = Mode::kWsClosing;
      c.wsViolations.add();
      verdict = {ws::closeReasonForCode(code), true};
      return false;
    }
  };
  Sink sink{*this, parser, id, cfg, nowMs, ev, c, queueRaw, {}};
  bool wasMid = state_->frames.midMessage();
  if (uint16_t code = state_->frames.feed(data, len, cfg.maxFrameBytes, sink)) sink.fail(code);
  if (!wasMid && state_->frames.midMessage()) state_->startedMs = nowMs;
  return sink.verdict;
}

}  // namespace fastport
