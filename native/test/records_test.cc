// Event records (EventWriter), command records (CommandWriter / CommandReader), frame counting, routing.
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "core/command_reader.h"
#include "core/command_writer.h"
#include "core/event_writer.h"
#include "core/wire.h"

using namespace fastport;

namespace {

struct Event {
  uint8_t type, reason;
  uint16_t msgId;
  uint32_t session, aux, length;
  std::string payload;
};

std::vector<Event> readEvents(const uint8_t* p, size_t len) {
  std::vector<Event> out;
  size_t off = 0;
  while (off < len) {
    Event e;
    e.type = p[off];
    e.reason = p[off + 1];
    std::memcpy(&e.msgId, p + off + 2, 2);
    std::memcpy(&e.session, p + off + 4, 4);
    std::memcpy(&e.aux, p + off + 8, 4);
    std::memcpy(&e.length, p + off + 12, 4);
    e.payload.assign(reinterpret_cast<const char*>(p + off + 16), e.length);
    out.push_back(e);
    off += (16 + e.length + 3) & ~size_t(3);
    CHECK_EQ(off % 4, size_t(0));
  }
  CHECK_EQ(off, len);
  return out;
}

std::vector<uint8_t> frame(uint16_t msgId, uint32_t seq, const std::string& payload) {
  uint32_t len = uint32_t(10 + payload.size());
  std::vector<uint8_t> f = {uint8_t(len >> 24),
                            uint8_t(len >> 16),
                            uint8_t(len >> 8),
                            uint8_t(len),
                            uint8_t(msgId >> 8),
                            uint8_t(msgId),
                            0,
                            0,
                            0,
                            uint8_t(seq)};
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

}  // namespace

TEST(event_writer_layout) {
  EventWriter w;
  w.open(7, 1, "127.0.0.1:5");
  const uint8_t payload[] = {1, 2, 3, 4, 5};
  w.frame(7, 300, 0xABCDEF01, payload, 5);
  w.blocked(7);
  w.writable(7);
  w.close(7, CloseReason::kFrameTooLarge, 104);
  auto ev = readEvents(w.data(), w.size());
  CHECK_EQ(ev.size(), size_t(5));
  CHECK_EQ(ev[0].type, 1);
  CHECK_EQ(ev[0].aux, 1u);
  CHECK(ev[0].payload == "127.0.0.1:5");
  CHECK_EQ(ev[1].type, 2);
  CHECK_EQ(ev[1].msgId, 300);
  CHECK_EQ(ev[1].aux, 0xABCDEF01u);
  CHECK(ev[1].payload == std::string("\1\2\3\4\5"));
  CHECK_EQ(ev[2].type, 4);
  CHECK_EQ(ev[3].type, 3);
  CHECK_EQ(ev[4].type, 5);
  CHECK_EQ(ev[4].reason, 3);
  CHECK_EQ(ev[4].aux, 104u);
  CHECK_EQ(ev[4].session, 7u);
}

TEST(event_writer_grows_for_big_frames) {
  EventWriter w;
  std::string big(10 << 20, 'b');
  w.frame(1, 2, 3, reinterpret_cast<const uint8_t*>(big.data()), uint32_t(big.size()));
  w.frame(1, 2, 4, nullptr, 0);
  auto ev = readEvents(w.data(), w.size());
  CHECK_EQ(ev.size(), size_t(2));
  CHECK(ev[0].payload == big);
  CHECK_EQ(ev[1].length, 0u);
}

// Payloads at or above the detach threshold go beside the batch, in record order; clear() frees them.
TEST(event_writer_detaches_big_payloads) {
  EventWriter w;
  w.detachFramesFrom(100);
  CHECK(!w.detaches(99));
  CHECK(w.detaches(100));
  const uint8_t small[] = {9};
  w.frame(1, 5, 1, small, 1);
  std::string big(150, 'z');
  w.frameDetached(1, 5, 2, fastport::copyToBlock(reinterpret_cast<const uint8_t*>(big.data()), big.size()),
                  uint32_t(big.size()));
  auto ev = readEvents(w.data(), w.size());
  CHECK_EQ(ev.size(), size_t(2));
  CHECK_EQ(ev[0].reason, 0);
  CHECK_EQ(ev[1].type, 2);
  CHECK_EQ(ev[1].reason, int(fastport::kDetachedPayload));
  CHECK_EQ(ev[1].aux, 2u);
  CHECK_EQ(ev[1].length, 0u);
  CHECK_EQ(w.detached().size(), size_t(1));
  CHECK_EQ(w.detached()[0].len, 150u);
  CHECK(std::string(reinterpret_cast<const char*>(w.detached()[0].block.get()), 150) == big);
  w.clear();
  CHECK(w.detached().empty());
}

// Bytes received at framesRoom() become one FRAMES record in place; what followed the whole frames is not
// part of it.
TEST(event_writer_commits_received_frames_in_place) {
  EventWriter w;
  w.writable(3);
  auto f1 = frame(100, 1, "abc");
  auto f2 = frame(101, 2, "");
  std::vector<uint8_t> bytes = f1;
  bytes.insert(bytes.end(), f2.begin(), f2.end());
  bytes.insert(bytes.end(), {0, 0, 0, 99});  // the start of a frame still arriving
  uint8_t* room = w.framesRoom(4096);
  std::memcpy(room, bytes.data(), bytes.size());
  WireRun run = leadingWireFrames(room, bytes.size(), 1 << 20);
  CHECK_EQ(run.frames, 2u);
  CHECK_EQ(run.bytes, f1.size() + f2.size());
  w.commitFrames(3, run.frames, run.bytes);
  auto ev = readEvents(w.data(), w.size());
  CHECK_EQ(ev.size(), size_t(2));
  CHECK_EQ(ev[1].type, int(EventType::kFrames));
  CHECK_EQ(ev[1].session, 3u);
  CHECK_EQ(ev[1].aux, 2u);
  CHECK(ev[1].payload == std::string(bytes.begin(), bytes.begin() + long(run.bytes)));
  CHECK_EQ(w.data()[w.size() - 1], 0);  // padding zeroed over the next frame's start
  // The pass budget counts each frame as a FRAME record of its own would take (at most).
  CHECK_EQ(w.heldBytes(), w.size() + 2 * (kEventHeaderBytes - kWireHeaderBytes + 3));
}

TEST(leading_wire_frames_stops_at_a_bad_or_incomplete_header) {
  auto f = frame(100, 1, "abcdef");
  std::vector<uint8_t> bytes = f;
  bytes.insert(bytes.end(), {0, 0, 0, 5, 0, 0, 0, 0, 0, 0});  // length 5: below the header
  CHECK_EQ(leadingWireFrames(bytes.data(), bytes.size(), 1 << 20).frames, 1u);
  CHECK_EQ(leadingWireFrames(bytes.data(), bytes.size(), 1 << 20).bytes, f.size());
  CHECK_EQ(leadingWireFrames(f.data(), f.size(), uint32_t(f.size() - 1)).frames, 0u);  // above the limit
  CHECK_EQ(leadingWireFrames(f.data(), 3, 1 << 20).frames, 0u);
  CHECK_EQ(leadingWireFrames(f.data(), f.size() - 1, 1 << 20).bytes, size_t(0));
}

TEST(command_round_trip) {
  ByteBuffer log;
  CommandWriter w(log);
  auto f1 = frame(100, 1, "abc");
  w.send(5, f1.data(), uint32_t(f1.size()));
  SessionId ids[] = {5, 6, 9};
  w.broadcast(ids, 3, f1.data(), uint32_t(f1.size()));
  w.control(CommandOp::kClose, 6, 6);
  w.control(CommandOp::kPauseRead, 9);
  CommandReader r(log.data(), log.size());
  Command c;
  CHECK(r.next(c));
  CHECK(c.op == CommandOp::kSend);
  CHECK_EQ(c.session, 5u);
  CHECK_EQ(countWireFrames(c.payload, c.length, 1 << 20), int64_t(1));
  CHECK(r.next(c));
  CHECK(c.op == CommandOp::kBroadcast);
  CHECK_EQ(c.session, 3u);
  CHECK_EQ(c.broadcastTarget(2), 9u);
  CHECK_EQ(c.broadcastFramesLength(), uint32_t(f1.size()));
  CHECK(std::memcmp(c.broadcastFrames(), f1.data(), f1.size()) == 0);
  CHECK(r.next(c));
  CHECK(c.op == CommandOp::kClose);
  CHECK_EQ(c.reason, 6);
  CHECK(r.next(c));
  CHECK(c.op == CommandOp::kPauseRead);
  CHECK(!r.next(c));
  CHECK(r.error() == nullptr);
}

TEST(command_reader_rejects_malformed_logs) {
  ByteBuffer log;
  CommandWriter w(log);
  auto f1 = frame(100, 1, "abc");
  w.send(5, f1.data(), uint32_t(f1.size()));
  Command c;
  // Cut anywhere inside the record: an error, never a read past the end. (The last record's padding may
  // be missing: a log may end right after its last payload byte.)
  for (size_t len = 1; len < kCommandHeaderBytes + f1.size(); ++len) {
    std::vector<uint8_t> copy(log.data(), log.data() + len);
    CommandReader r(copy.data(), copy.size());
    CHECK(!r.next(c));
    CHECK(r.error() != nullptr);
  }
  uint8_t badOp[12] = {9};
  CommandReader r1(badOp, sizeof badOp);
  CHECK(!r1.next(c));
  CHECK(r1.error() != nullptr);
  uint8_t hugeBroadcast[12] = {2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
  CommandReader r2(hugeBroadcast, sizeof hugeBroadcast);
  CHECK(!r2.next(c));
  CHECK(r2.error() != nullptr);
}

TEST(count_wire_frames_checks_every_frame) {
  auto a = frame(1, 1, "x");
  auto b = frame(2, 2, std::string(50, 'y'));
  std::vector<uint8_t> two = a;
  two.insert(two.end(), b.begin(), b.end());
  CHECK_EQ(countWireFrames(two.data(), two.size(), 1 << 20), int64_t(2));
  CHECK_EQ(countWireFrames(two.data(), two.size() - 1, 1 << 20), int64_t(-1));  // cut frame
  CHECK_EQ(countWireFrames(two.data(), two.size(), 59), int64_t(-1));           // second frame too large
  CHECK_EQ(countWireFrames(two.data(), two.size(), 60), int64_t(2));
  std::vector<uint8_t> tiny = {0, 0, 0, 9, 0, 0, 0, 0, 0, 0};
  CHECK_EQ(countWireFrames(tiny.data(), tiny.size(), 1 << 20), int64_t(-1));
  CHECK_EQ(countWireFrames(nullptr, 0, 1 << 20), int64_t(0));
}
