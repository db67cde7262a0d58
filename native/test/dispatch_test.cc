// Command log validation, application to a backend (in order, per owning loop) and routing to I/O loops;
// session ids and the connection budget.
#include <algorithm>
#include <string>
#include <vector>

#include "check.h"
#include "core/command_writer.h"
#include "engine/command_dispatch.h"

using namespace fastport;

namespace {

// Records the calls the dispatcher makes, as text.
class RecordingBackend final : public Backend {
 public:
  std::vector<std::string> calls;

  int pollFd() const override { return -1; }
  void poll(int) override {}
  void wake() override {}
  void sweep(uint64_t, bool) override {}
  int listen(uint32_t, const SocketAddress&, int, bool, uint16_t*) override { return 0; }
  void unlisten(uint32_t) override {}
  void connect(SessionId, const SocketAddress&, uint32_t) override {}
  void send(SessionId id, const uint8_t*, size_t length, uint32_t frames) override {
    calls.push_back("send " + std::to_string(id) + " " + std::to_string(length) + "B " +
                    std::to_string(frames));
  }
  void sendFrame(SessionId id, const uint8_t* header, const ByteSlice* parts, size_t count) override {
    std::string bytes(reinterpret_cast<const char*>(header), 10);
    for (size_t i = 0; i < count; ++i)
      bytes.append(reinterpret_cast<const char*>(parts[i].data), parts[i].len);
    calls.push_back("frame " + std::to_string(id) + " " + std::to_string(bytes.size()) + "B " +
                    bytes.substr(10) + (count > 1 ? " (" + std::to_string(count) + " parts)" : ""));
  }
  void close(SessionId id, CloseReason r) override {
    calls.push_back("close " + std::to_string(id) + " " + kCloseReasonNames[uint8_t(r)]);
  }
  void abort(SessionId id, CloseReason r) override {
    calls.push_back("abort " + std::to_string(id) + " " + kCloseReasonNames[uint8_t(r)]);
  }
  void pauseRead(SessionId id) override { calls.push_back("pause " + std::to_string(id)); }
  void resumeRead(SessionId id) override { calls.push_back("resume " + std::to_string(id)); }
  void flush() override { calls.push_back("flush"); }
  void shutdown() override {}
  size_t sessionCount() const override { return 0; }
};

std::vector<uint8_t> frames(int count, size_t payload) {
  std::vector<uint8_t> out;
  for (int i = 0; i < count; ++i) {
    uint32_t len = uint32_t(10 + payload);
    uint8_t h[10] = {
        uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), 0, 100, 0, 0, 0, 1};
    out.insert(out.end(), h, h + 10);
    out.insert(out.end(), payload, uint8_t(i));
  }
  return out;
}

ByteBuffer sampleLog() {
  ByteBuffer log;
  CommandWriter w(log);
  auto two = frames(2, 5);
  w.send(4, two.data(), uint32_t(two.size()));
  SessionId ids[] = {4, 5, 6, 7};
  auto one = frames(1, 3);
  w.broadcast(ids, 4, one.data(), uint32_t(one.size()));
  w.control(CommandOp::kPauseRead, 5);
  w.control(CommandOp::kClose, 6, 6);
  w.control(CommandOp::kAbort, 7, 200);  // unknown reason code -> server_close
  w.control(CommandOp::kResumeRead, 5);
  return log;
}

}  // namespace

TEST(dispatch_applies_in_order_then_flushes) {
  ByteBuffer log = sampleLog();
  CHECK(validateCommands(CommandBatch{log.data(), log.size()}, 1 << 20).empty());
  RecordingBackend b;
  applyCommands(b, CommandBatch{log.data(), log.size()}, 0, 1);
  std::vector<std::string> expected = {
      "send 4 30B 2", "send 4 13B 1",         "send 5 13B 1",         "send 6 13B 1", "send 7 13B 1",
      "pause 5",      "close 6 server_close", "abort 7 server_close", "resume 5",     "flush"};
  CHECK(b.calls == expected);
}

TEST(dispatch_routes_each_session_to_its_loop) {
  ByteBuffer log = sampleLog();
  ByteBuffer inbox0, inbox1;
  std::vector<ByteBuffer*> inboxes = {&inbox0, &inbox1};
  routeCommands(CommandBatch{log.data(), log.size()}, inboxes);
  RecordingBackend loop0, loop1;
  applyCommands(loop0, CommandBatch{inbox0.data(), inbox0.size()}, 0, 2);
  applyCommands(loop1, CommandBatch{inbox1.data(), inbox1.size()}, 1, 2);
  // Even ids live on loop 0, odd ids on loop 1; the broadcast is split per loop, order kept per session.
  std::vector<std::string> even = {"send 4 30B 2", "send 4 13B 1", "send 6 13B 1", "close 6 server_close",
                                   "flush"};
  std::vector<std::string> odd = {"send 5 13B 1",         "send 7 13B 1", "pause 5",
                                  "abort 7 server_close", "resume 5",     "flush"};
  CHECK(loop0.calls == even);
  CHECK(loop1.calls == odd);
}

TEST(dispatch_rejects_bad_payloads_before_applying_anything) {
  ByteBuffer log;
  CommandWriter w(log);
  auto ok = frames(1, 3);
  w.send(1, ok.data(), uint32_t(ok.size()));
  auto big = frames(1, 100);
  w.send(2, big.data(), uint32_t(big.size()));
  CHECK(validateCommands(CommandBatch{log.data(), log.size()}, 1 << 20).empty());
  std::string error =
      validateCommands(CommandBatch{log.data(), log.size()}, 50);  // second frame is 110 bytes
  CHECK(error.find("command 1") != std::string::npos);
  auto cut = frames(1, 3);
  cut.pop_back();
  ByteBuffer bad;
  CommandWriter(bad).send(3, cut.data(), uint32_t(cut.size()));
  CHECK(!validateCommands(CommandBatch{bad.data(), bad.size()}, 1 << 20).empty());
}

namespace {

// The 10-byte wire header of a frame of payloadLength bytes (msgId 100, seq 1).
std::vector<uint8_t> wireHeader(size_t payloadLength) {
  std::vector<uint8_t> f = frames(1, payloadLength);
  f.resize(10);
  return f;
}

}  // namespace

TEST(dispatch_sends_a_handed_over_payload_in_log_order_and_routes_it_as_a_copy) {
  std::string a = "hello", b = "payload-two";
  ByteSlice payloads[] = {{reinterpret_cast<const uint8_t*>(a.data()), a.size()},
                          {reinterpret_cast<const uint8_t*>(b.data()), b.size()}};
  ByteBuffer log;
  CommandWriter w(log);
  auto one = frames(1, 3);
  w.send(4, one.data(), uint32_t(one.size()));
  w.sendPayload(4, 1, wireHeader(b.size()).data());
  w.sendPayload(5, 0, wireHeader(a.size()).data());
  CommandBatch batch{log.data(), log.size(), payloads, 2};
  CHECK(validateCommands(batch, 1 << 20).empty());
  RecordingBackend inline0;
  applyCommands(inline0, batch, 0, 1);
  std::vector<std::string> expected = {"send 4 13B 1", "frame 4 21B payload-two", "frame 5 15B hello",
                                       "flush"};
  CHECK(inline0.calls == expected);

  ByteBuffer inbox0, inbox1;
  std::vector<ByteBuffer*> inboxes = {&inbox0, &inbox1};
  routeCommands(batch, inboxes);
  a.assign(a.size(), 'X');  // the inboxes hold copies: the handed-over bytes may change after the call
  b.assign(b.size(), 'X');
  RecordingBackend loop0, loop1;
  applyCommands(loop0, CommandBatch{inbox0.data(), inbox0.size()}, 0, 2);
  applyCommands(loop1, CommandBatch{inbox1.data(), inbox1.size()}, 1, 2);
  std::vector<std::string> even = {"send 4 13B 1", "send 4 21B 1", "flush"};
  std::vector<std::string> odd = {"send 5 15B 1", "flush"};
  CHECK(loop0.calls == even);
  CHECK(loop1.calls == odd);
}

TEST(dispatch_sends_a_frame_gathered_from_several_handed_over_payloads_and_routes_it_as_one_copy) {
  std::string head = "<", body = "big-field", tail = ">";
  ByteSlice payloads[] = {{reinterpret_cast<const uint8_t*>(head.data()), head.size()},
                          {reinterpret_cast<const uint8_t*>(body.data()), body.size()},
                          {reinterpret_cast<const uint8_t*>(tail.data()), tail.size()}};
  ByteBuffer log;
  CommandWriter(log).sendPayload(4, 0, wireHeader(11).data(), 3);
  CommandBatch batch{log.data(), log.size(), payloads, 3};
  CHECK(validateCommands(batch, 1 << 20).empty());
  RecordingBackend inline0;
  applyCommands(inline0, batch, 0, 1);
  std::vector<std::string> expected = {"frame 4 21B <big-field> (3 parts)", "flush"};
  CHECK(inline0.calls == expected);

  ByteBuffer inbox0;
  std::vector<ByteBuffer*> inboxes = {&inbox0};
  routeCommands(batch, inboxes);
  body.assign(body.size(), 'X');  // the inbox holds a copy of all three parts
  RecordingBackend loop0;
  applyCommands(loop0, CommandBatch{inbox0.data(), inbox0.size()}, 0, 1);
  std::vector<std::string> routed = {"send 4 21B 1", "flush"};
  CHECK(loop0.calls == routed);
  CHECK(std::string(reinterpret_cast<const char*>(inbox0.data()) + kCommandHeaderBytes + 10, 11) ==
        "<big-field>");
}

TEST(dispatch_rejects_a_send_payload_without_its_payload_or_with_a_wrong_length) {
  std::string a = "hello";
  ByteSlice payloads[] = {{reinterpret_cast<const uint8_t*>(a.data()), a.size()}};
  ByteBuffer missing;
  CommandWriter(missing).sendPayload(4, 1, wireHeader(a.size()).data());
  CHECK(validateCommands(CommandBatch{missing.data(), missing.size(), payloads, 1}, 1 << 20)
            .find("names no handed-over payload") != std::string::npos);
  ByteBuffer wrong;
  CommandWriter(wrong).sendPayload(4, 0, wireHeader(a.size() + 1).data());
  CHECK(validateCommands(CommandBatch{wrong.data(), wrong.size(), payloads, 1}, 1 << 20)
            .find("does not match") != std::string::npos);
  ByteBuffer none;  // zero parts
  CommandWriter(none).sendPayload(4, 0, wireHeader(0).data(), 0);
  CHECK(validateCommands(CommandBatch{none.data(), none.size(), payloads, 1}, 1 << 20)
            .find("names no handed-over payload") != std::string::npos);
  ByteBuffer pastEnd;  // parts 0 and 1 of a single payload
  CommandWriter(pastEnd).sendPayload(4, 0, wireHeader(2 * a.size()).data(), 2);
  CHECK(validateCommands(CommandBatch{pastEnd.data(), pastEnd.size(), payloads, 1}, 1 << 20)
            .find("names no handed-over payload") != std::string::npos);
  ByteBuffer ok;
  CommandWriter(ok).sendPayload(4, 0, wireHeader(a.size()).data());
  CHECK(validateCommands(CommandBatch{ok.data(), ok.size(), payloads, 1}, 1 << 20).empty());
  CHECK(validateCommands(CommandBatch{ok.data(), ok.size(), payloads, 1}, 14).find("exceeds") !=
        std::string::npos);
}

TEST(dispatch_sends_a_span_of_a_handed_over_payload_as_it_is_and_routes_it_as_a_copy) {
  // An event batch stand-in: 6 bytes of something else, then two whole frames (13 B and 15 B).
  std::vector<uint8_t> batchBytes(6, 0xee);
  auto two = frames(1, 3), more = frames(1, 5);
  batchBytes.insert(batchBytes.end(), two.begin(), two.end());
  batchBytes.insert(batchBytes.end(), more.begin(), more.end());
  std::string other = "x";
  ByteSlice payloads[] = {{reinterpret_cast<const uint8_t*>(other.data()), other.size()},
                          {batchBytes.data(), batchBytes.size()}};
  ByteBuffer log;
  CommandWriter w(log);
  w.sendSpan(4, 1, 6, 28);   // both frames
  w.sendSpan(5, 1, 19, 15);  // the second one
  CommandBatch batch{log.data(), log.size(), payloads, 2};
  CHECK(validateCommands(batch, 1 << 20).empty());
  RecordingBackend inline0;
  applyCommands(inline0, batch, 0, 1);
  std::vector<std::string> expected = {"send 4 28B 2", "send 5 15B 1", "flush"};
  CHECK(inline0.calls == expected);

  ByteBuffer inbox0, inbox1;
  std::vector<ByteBuffer*> inboxes = {&inbox0, &inbox1};
  routeCommands(batch, inboxes);
  std::fill(batchBytes.begin(), batchBytes.end(), 0);  // the inboxes hold copies
  RecordingBackend loop0, loop1;
  applyCommands(loop0, CommandBatch{inbox0.data(), inbox0.size()}, 0, 2);
  applyCommands(loop1, CommandBatch{inbox1.data(), inbox1.size()}, 1, 2);
  std::vector<std::string> even = {"send 4 28B 2", "flush"};
  std::vector<std::string> odd = {"send 5 15B 1", "flush"};
  CHECK(loop0.calls == even);
  CHECK(loop1.calls == odd);
}

TEST(dispatch_rejects_a_send_span_outside_its_payload_or_not_whole_frames) {
  auto one = frames(1, 3);
  ByteSlice payloads[] = {{one.data(), one.size()}};
  auto errorOf = [&](uint32_t index, uint32_t offset, uint32_t length, uint32_t maxFrame = 1 << 20) {
    ByteBuffer log;
    CommandWriter(log).sendSpan(4, index, offset, length);
    return validateCommands(CommandBatch{log.data(), log.size(), payloads, 1}, maxFrame);
  };
  CHECK(errorOf(0, 0, 13).empty());
  CHECK(errorOf(1, 0, 13).find("names no handed-over payload") != std::string::npos);
  CHECK(errorOf(0, 1, 13).find("runs past its payload") != std::string::npos);
  CHECK(errorOf(0, 0xffffffffu, 2).find("runs past its payload") != std::string::npos);  // no wrap-around
  CHECK(errorOf(0, 0, 12).find("not a sequence of whole frames") != std::string::npos);
  CHECK(errorOf(0, 3, 10).find("not a sequence of whole frames") != std::string::npos);  // not a header
  CHECK(errorOf(0, 0, 13, 12).find("not a sequence of whole frames") != std::string::npos);
  ByteBuffer shortRecord;  // a SEND_SPAN body of 8 bytes
  uint32_t body[2] = {0, 0};
  uint8_t head[12] = {uint8_t(CommandOp::kSendSpan), 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0};
  shortRecord.append(head, 12);
  shortRecord.append(body, 8);
  CHECK(validateCommands(CommandBatch{shortRecord.data(), shortRecord.size(), payloads, 1}, 1 << 20)
            .find("send-span record") != std::string::npos);
}

TEST(session_ids_encode_the_loop_and_skip_zero) {
  SessionIds loop0(0, 3), loop2(2, 3);
  for (int i = 0; i < 100; ++i) {
    SessionId a = loop0.next(), b = loop2.next();
    CHECK(a != 0);
    CHECK_EQ(ownerLoop(a, 3), 0u);
    CHECK_EQ(ownerLoop(b, 3), 2u);
  }
  SessionIds single(0, 1);
  CHECK_EQ(single.next(), 1u);
  CHECK_EQ(single.next(), 2u);
}

TEST(session_budget_caps_sessions) {
  SessionBudget budget(2);
  CHECK(budget.tryAcquire());
  CHECK(budget.tryAcquire());
  CHECK(!budget.tryAcquire());
  budget.release();
  CHECK(budget.tryAcquire());
  CHECK_EQ(budget.used(), 2u);
}
