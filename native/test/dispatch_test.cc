// Command log validation, application to a backend (in order, per owning loop) and routing to I/O loops;
// session ids and the connection budget.
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
  CHECK(validateCommands(log.data(), log.size(), 1 << 20).empty());
  RecordingBackend b;
  applyCommands(b, log.data(), log.size(), 0, 1);
  std::vector<std::string> expected = {
      "send 4 30B 2", "send 4 13B 1",         "send 5 13B 1",         "send 6 13B 1", "send 7 13B 1",
      "pause 5",      "close 6 server_close", "abort 7 server_close", "resume 5",     "flush"};
  CHECK(b.calls == expected);
}

TEST(dispatch_routes_each_session_to_its_loop) {
  ByteBuffer log = sampleLog();
  ByteBuffer inbox0, inbox1;
  std::vector<ByteBuffer*> inboxes = {&inbox0, &inbox1};
  routeCommands(log.data(), log.size(), inboxes);
  RecordingBackend loop0, loop1;
  applyCommands(loop0, inbox0.data(), inbox0.size(), 0, 2);
  applyCommands(loop1, inbox1.data(), inbox1.size(), 1, 2);
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
  CHECK(validateCommands(log.data(), log.size(), 1 << 20).empty());
  std::string error = validateCommands(log.data(), log.size(), 50);  // second frame is 110 bytes
  CHECK(error.find("command 1") != std::string::npos);
  auto cut = frames(1, 3);
  cut.pop_back();
  ByteBuffer bad;
  CommandWriter(bad).send(3, cut.data(), uint32_t(cut.size()));
  CHECK(!validateCommands(bad.data(), bad.size(), 1 << 20).empty());
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
