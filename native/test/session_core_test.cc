// The session core without sockets: a recording SessionIo stands in for the kernel side.
#include "core/session_core.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "core/wire.h"

namespace fastport {
namespace {

struct Kernel final : SessionIo {
  SessionCore* core = nullptr;
  int readChanges = 0, sendStarts = 0, finishes = 0, released = 0;
  bool synchronous = false;  // as epoll: startSend writes at once
  size_t acceptBytes = 0;    // with synchronous: what the "kernel" takes per startSend
  std::string written;       // with synchronous: the bytes it took
  bool sendsSynchronously() const override { return synchronous; }
  std::unique_ptr<CoreSession> newSession() override { return std::make_unique<CoreSession>(); }
  void readInterestChanged(CoreSession&) override { ++readChanges; }
  void startSend(CoreSession& s) override {
    ++sendStarts;
    if (!synchronous) return;
    ByteSlice slices[16];
    size_t n = s.queue.gather(slices, 16, acceptBytes);
    size_t took = 0;
    for (size_t i = 0; i < n; ++i) {
      written.append(reinterpret_cast<const char*>(slices[i].data), slices[i].len);
      took += slices[i].len;
    }
    s.queue.consume(core->pool(), took);
    core->sent(s, took);
  }
  void sendNow(CoreSession&) override {}
  void finishOutput(CoreSession&) override { ++finishes; }
  void closed(CoreSession& s) override {
    ++released;
    core->release(s);
  }
};

struct World {
  EngineConfig cfg{};
  EventWriter events;
  Counters counters;
  SessionBudget budget{100};
  Kernel kernel;
  SessionCore core{SessionCoreEnv{&cfg, &events, &counters, &budget, 110}, kernel};
  World() {
    cfg.maxFrameBytes = 1 << 20;
    cfg.sendSoftLimit = 1000;
    cfg.sendHardLimit = 10000;
    kernel.core = &core;
    core.setNow(1000);  // the clock of these tests (sweeps pass times after it)
  }
  CoreSession& open(SessionId id) {
    CHECK(core.admit());
    CoreSession* s = core.add(id);
    core.opened(*s, 1, "127.0.0.1:1");
    return *s;
  }
};

std::vector<uint8_t> frameBytes(uint32_t length) {
  std::vector<uint8_t> f(length < 10 ? 10 : length, 0);
  f[0] = uint8_t(length >> 24);
  f[1] = uint8_t(length >> 16);
  f[2] = uint8_t(length >> 8);
  f[3] = uint8_t(length);
  return f;
}

}  // namespace

TEST(session_slab_handle_of_a_freed_session_finds_nothing) {
  World w;
  CoreSession& a = w.open(5);
  SessionSlab::Handle old = SessionSlab::handleOf(a);
  w.core.abort(5, CloseReason::kServerClose);
  CHECK(w.core.at(old) == nullptr);
  CoreSession& b = w.open(6);  // reuses the slot with the next generation
  CHECK_EQ(b.slot, uint32_t(old));
  CHECK(w.core.at(old) == nullptr);
  CHECK(w.core.at(SessionSlab::handleOf(b)) == &b);
}

TEST(session_core_settles_recv_buffers_held_after_a_bad_header_in_two_pieces) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> bad = frameBytes(5);
  CHECK(w.core.received(s, bad.data(), 2));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(1));
  CHECK(!w.core.received(s, bad.data() + 2, bad.size() - 2));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  CHECK_EQ(w.counters.sessions.get(), uint64_t(0));
  CHECK_EQ(w.budget.used(), uint32_t(0));
}

TEST(session_core_stops_reading_above_the_soft_limit_until_half) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> f = frameBytes(600);
  w.core.send(5, f.data(), f.size(), 1);
  CHECK(s.wantsRead());
  w.core.send(5, f.data(), f.size(), 1);  // 1200 pending > soft 1000
  CHECK(!s.wantsRead());
  w.core.sent(s, 600);  // 600 pending: above half
  CHECK(!s.wantsRead());
  w.core.sent(s, 200);  // 400 pending: below half
  CHECK(s.wantsRead());
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(400));
}

TEST(session_core_answers_a_half_closed_peer_then_closes_after_js_caught_up) {
  World w;
  CoreSession& s = w.open(5);
  w.core.inputEnded(s);
  CHECK(!s.wantsRead());
  std::vector<uint8_t> f = frameBytes(100);
  w.core.send(5, f.data(), f.size(), 1);  // the reply
  w.core.flush();
  w.core.sweep(1000, false);
  CHECK_EQ(w.counters.closed.get(), uint64_t(0));  // JS has not caught up yet
  w.core.sweep(1010, true);
  CHECK_EQ(w.counters.closed.get(), uint64_t(0));  // the reply is still pending
  w.core.sent(s, f.size());
  w.core.sweep(1020, true);
  CHECK_EQ(w.counters.closed.get(), uint64_t(1));
  CHECK_EQ(w.kernel.finishes, 1);  // FIN after the reply
  CHECK_EQ(w.kernel.released, 1);
}

TEST(session_core_parks_bytes_that_arrive_while_paused_then_frames_them_before_the_fin) {
  World w;
  CoreSession& s = w.open(5);
  w.core.pauseRead(5);
  std::vector<uint8_t> f = frameBytes(100);
  CHECK(w.core.arrived(s, f.data(), f.size()));  // a receive that completed before its cancel
  w.core.inputEnded(s);                          // then the peer's FIN
  CHECK(s.state == SessionState::kOpen);         // waits behind the parked bytes
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(0));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(1));
  w.core.resumeRead(5);
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(1));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  CHECK(s.state == SessionState::kInputEnded);
  w.core.sweep(1010, true);
  CHECK_EQ(w.counters.closed.get(), uint64_t(1));  // nothing to answer: FIN, CLOSE peer_closed
}

TEST(session_core_settles_parked_bytes_when_a_paused_session_closes) {
  World w;
  CoreSession& s = w.open(5);
  w.core.pauseRead(5);
  std::vector<uint8_t> f = frameBytes(100);
  CHECK(w.core.arrived(s, f.data(), 40));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(1));
  w.core.abort(5, CloseReason::kServerClose);
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(0));
}

TEST(session_core_close_drains_then_fins) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> f = frameBytes(100);
  w.core.send(5, f.data(), f.size(), 1);
  w.core.close(5, CloseReason::kServerClose);
  CHECK(s.state == SessionState::kDraining);
  w.core.send(5, f.data(), f.size(), 1);  // after CLOSE: dropped
  CHECK_EQ(w.counters.sendsDropped.get(), uint64_t(1));
  w.core.sent(s, f.size());
  w.core.sendIdle(s);
  CHECK_EQ(w.kernel.finishes, 1);
  CHECK_EQ(w.counters.closed.get(), uint64_t(1));
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(0));
}

TEST(session_core_close_with_nothing_pending_fins_before_it_closes) {
  World w;
  w.open(5);
  w.core.close(5, CloseReason::kServerClose);  // everything went out before: no drain, but still a FIN
  CHECK_EQ(w.kernel.finishes, 1);
  CHECK_EQ(w.counters.closed.get(), uint64_t(1));
  CHECK(w.core.find(5) == nullptr);
}

TEST(session_core_broadcast_queues_one_shared_copy_with_exact_pending_bytes) {
  World w;
  CoreSession& a = w.open(5);
  CoreSession& b = w.open(6);
  std::vector<uint8_t> f = frameBytes(300);
  SessionId ids[] = {5, 6, 99};  // 99: unknown, dropped
  w.core.broadcast(ids, 3, f.data(), f.size(), 1);
  CHECK_EQ(a.pendingBytes, size_t(300));
  CHECK_EQ(b.pendingBytes, size_t(300));
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(600));
  CHECK_EQ(w.counters.framesOut.get(), uint64_t(2));
  CHECK_EQ(w.counters.sendsDropped.get(), uint64_t(1));
  ByteSlice sa, sb;
  CHECK_EQ(a.queue.gather(&sa, 1), size_t(1));
  CHECK_EQ(b.queue.gather(&sb, 1), size_t(1));
  CHECK(sa.data == sb.data);  // one copy for both
  CHECK_EQ(sa.len, size_t(300));
  a.queue.consume(w.core.pool(), 300);
  w.core.sent(a, 300);
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(300));
  b.queue.consume(w.core.pool(), 100);  // the rest is still readable after the other member let go
  CHECK_EQ(b.queue.gather(&sb, 1), size_t(1));
  CHECK_EQ(sb.len, size_t(200));
  CHECK(std::equal(sb.data, sb.data + 200, f.begin() + 100));
}

TEST(session_core_broadcast_above_the_hard_limit_closes_that_member_only) {
  World w;
  CoreSession& a = w.open(5);
  w.open(6);
  std::vector<uint8_t> big = frameBytes(9000);
  w.core.send(6, big.data(), big.size(), 1);  // 6 is near the hard limit (10000)
  std::vector<uint8_t> f = frameBytes(2000);
  SessionId ids[] = {6, 5};
  w.core.broadcast(ids, 2, f.data(), f.size(), 1);
  CHECK(w.core.find(6) == nullptr);  // closed backpressure
  CHECK_EQ(a.pendingBytes, size_t(2000));
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(2000));
}

TEST(session_core_borrows_a_sends_frames_until_flush_and_keeps_only_what_the_kernel_left) {
  World w;
  w.kernel.synchronous = true;
  w.kernel.acceptBytes = 250;
  CoreSession& a = w.open(5);
  std::vector<uint8_t> f = frameBytes(400);
  for (size_t i = 10; i < f.size(); ++i) f[i] = uint8_t(i * 7);
  std::vector<uint8_t> expected = f;
  w.core.send(5, f.data(), f.size(), 1);
  CHECK(a.queue.borrowing());
  w.core.send(5, f.data(), f.size(), 1);  // a second record of the same turn borrows too
  CHECK_EQ(a.pendingBytes, size_t(800));
  w.core.flush();
  CHECK(!a.queue.borrowing());  // the rest was copied before flush() returned
  CHECK_EQ(a.pendingBytes, size_t(550));
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(550));
  std::fill(f.begin(), f.end(), uint8_t(0xEE));  // the command log is reused after the call
  w.kernel.acceptBytes = SIZE_MAX;
  w.core.send(5, f.data(), 10, 1);  // bytes pending from before: copied behind them, not borrowed
  CHECK(!a.queue.borrowing());
  w.core.flush();
  std::string all(expected.begin(), expected.end());
  all += all;
  all.append(10, char(0xEE));
  CHECK(w.kernel.written == all);
  CHECK_EQ(a.pendingBytes, size_t(0));
}

TEST(session_core_drops_the_borrow_of_a_session_closed_before_flush) {
  World w;
  w.kernel.synchronous = true;
  w.open(5);
  std::vector<uint8_t> f = frameBytes(400);
  w.core.send(5, f.data(), f.size(), 1);
  w.core.abort(5, CloseReason::kServerClose);
  w.core.flush();
  CHECK(w.core.find(5) == nullptr);
  CHECK(w.kernel.written.empty());
  CHECK_EQ(w.counters.sendBytesPending.get(), uint64_t(0));
}

// A read between frames lands at the end of the event batch: its whole frames become one FRAMES record
// there, the incomplete frame after them is kept by the parser and completes as a FRAME record.
TEST(session_core_receives_whole_frames_in_the_batch_and_keeps_the_tail) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> a = frameBytes(30), b = frameBytes(12), c = frameBytes(40);
  std::vector<uint8_t> bytes = a;
  bytes.insert(bytes.end(), b.begin(), b.end());
  bytes.insert(bytes.end(), c.begin(), c.begin() + 15);
  size_t before = w.events.size();
  BodyRoom room = w.core.batchRoom(s, 4096);
  CHECK_EQ(room.len, size_t(4096));
  std::memcpy(room.data, bytes.data(), bytes.size());
  CHECK(w.core.receivedInBatch(s, bytes.size()));
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(2));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(1));
  const uint8_t* record = w.events.data() + before;
  CHECK_EQ(record[0], uint8_t(EventType::kFrames));
  CHECK(std::memcmp(record + kEventHeaderBytes, bytes.data(), a.size() + b.size()) == 0);
  CHECK(w.core.batchRoom(s, 4096).len == 0);  // mid-frame: the rest goes through the parser
  CHECK(w.core.received(s, c.data() + 15, c.size() - 15));
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(3));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  CHECK_EQ(w.events.data()[w.events.size() - align4(kEventHeaderBytes + 30)], uint8_t(EventType::kFrame));
}

TEST(session_core_delivers_the_whole_frames_before_a_bad_header_then_closes) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> bytes = frameBytes(20), bad = frameBytes(4);
  bytes.insert(bytes.end(), bad.begin(), bad.end());
  size_t before = w.events.size();
  BodyRoom room = w.core.batchRoom(s, 4096);
  std::memcpy(room.data, bytes.data(), bytes.size());
  CHECK(!w.core.receivedInBatch(s, bytes.size()));
  CHECK_EQ(w.events.data()[before], uint8_t(EventType::kFrames));
  CHECK_EQ(w.events.data()[before + align4(kEventHeaderBytes + 20)], uint8_t(EventType::kClose));
  CHECK_EQ(w.counters.sessions.get(), uint64_t(0));
}

// With detached payloads a read is shorter than the smallest detached frame: no whole frame in it detaches.
TEST(session_core_batch_room_stays_below_the_detached_frame_size) {
  World w;
  CoreSession& s = w.open(5);
  w.events.detachFramesFrom(32 * 1024);
  CHECK_EQ(w.core.batchRoom(s, 256 * 1024).len, size_t(32 * 1024 + kWireHeaderBytes - 1));
  w.events.detachFramesFrom(SessionCore::kMinBatchRoomBytes - 1);
  CHECK_EQ(w.core.batchRoom(s, 256 * 1024).len, size_t(0));
  w.events.detachFramesFrom(0);
  w.core.pauseRead(5);
  CHECK_EQ(w.core.batchRoom(s, 256 * 1024).len, size_t(0));
}

namespace {

struct SeenFrame {
  uint16_t msgId;
  uint32_t seq;
  std::string payload;
  bool operator==(const SeenFrame& o) const {
    return msgId == o.msgId && seq == o.seq && payload == o.payload;
  }
};

// Every frame of a batch in order: FRAME records (detached ones from the writer's detached payloads) and
// each frame of a FRAMES record.
std::vector<SeenFrame> framesIn(EventWriter& events) {
  std::vector<SeenFrame> out;
  size_t detached = 0;
  const uint8_t* p = events.data();
  for (size_t at = 0; at < events.size();) {
    uint16_t msgId;
    uint32_t aux, len;
    std::memcpy(&msgId, p + at + 2, 2);
    std::memcpy(&aux, p + at + 8, 4);
    std::memcpy(&len, p + at + 12, 4);
    const uint8_t* body = p + at + kEventHeaderBytes;
    if (p[at] == uint8_t(EventType::kFrame) && p[at + 1] == kDetachedPayload) {
      DetachedPayload& d = events.detached()[detached++];
      out.push_back({msgId, aux, std::string(reinterpret_cast<const char*>(d.block.get()), d.len)});
    } else if (p[at] == uint8_t(EventType::kFrame)) {
      out.push_back({msgId, aux, std::string(reinterpret_cast<const char*>(body), len)});
    } else if (p[at] == uint8_t(EventType::kFrames)) {
      for (size_t f = 0; f < len;) {
        uint32_t frameLen = readBe32(body + f);
        CHECK(frameLen >= kWireHeaderBytes && f + frameLen <= len);
        out.push_back(
            {readBe16(body + f + 4), readBe32(body + f + 6),
             std::string(reinterpret_cast<const char*>(body + f + kWireHeaderBytes), frameLen - 10)});
        f += frameLen;
      }
    }
    at += align4(kEventHeaderBytes + len);
  }
  return out;
}

// A stream of `count` frames with payloads of 0 .. maxPayload bytes, its frames listed in `sent`.
std::vector<uint8_t> randomStream(uint32_t& x, int count, uint32_t maxPayload, std::vector<SeenFrame>& sent) {
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  std::vector<uint8_t> stream;
  for (int i = 0; i < count; ++i) {
    SeenFrame f{uint16_t(next()), next(), std::string(next() % (maxPayload + 1), char('a' + i % 26))};
    uint32_t len = uint32_t(kWireHeaderBytes + f.payload.size());
    uint8_t head[10] = {uint8_t(len >> 24),    uint8_t(len >> 16), uint8_t(len >> 8),    uint8_t(len),
                        uint8_t(f.msgId >> 8), uint8_t(f.msgId),   uint8_t(f.seq >> 24), uint8_t(f.seq >> 16),
                        uint8_t(f.seq >> 8),   uint8_t(f.seq)};
    stream.insert(stream.end(), head, head + 10);
    stream.insert(stream.end(), f.payload.begin(), f.payload.end());
    sent.push_back(std::move(f));
  }
  return stream;
}

}  // namespace

// However a stream is cut into reads, and whichever of them land in the batch (between frames) or go
// through the parser (mid-frame), JS gets exactly the frames sent, in order; with detached payloads too.
TEST(session_core_batch_and_parser_reads_give_the_frames_sent_for_any_split) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    World w;
    uint32_t detach = seed % 3 == 0 ? 4096 : 0;
    w.events.detachFramesFrom(detach);
    CoreSession& s = w.open(5);
    uint32_t x = seed * 2654435761u;
    std::vector<SeenFrame> sent;
    std::vector<uint8_t> stream = randomStream(x, 40, seed % 2 ? 300 : 9000, sent);
    size_t off = 0;
    while (off < stream.size()) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      size_t chunk = 1 + x % (seed % 4 == 0 ? 64 : 20000);
      if (chunk > stream.size() - off) chunk = stream.size() - off;
      BodyRoom room = w.core.batchRoom(s, chunk);
      if (room.len) {
        std::memcpy(room.data, stream.data() + off, room.len);
        CHECK(w.core.receivedInBatch(s, room.len));
        off += room.len;
      } else {
        CHECK(w.core.received(s, stream.data() + off, chunk));
        off += chunk;
      }
    }
    CHECK(framesIn(w.events) == sent);
    CHECK_EQ(w.counters.framesIn.get(), uint64_t(sent.size()));
    CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  }
}

// A completion engine's buffers: a frame split across two of them completes in the batch as a FRAMES record
// from the kept start and the second buffer (not through its payload block), and the whole frames after it
// follow as another FRAMES record.
TEST(session_core_completes_a_frame_split_across_buffers_in_the_batch) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> a = frameBytes(30), c = frameBytes(40), b = frameBytes(12);
  for (size_t i = 10; i < c.size(); ++i) c[i] = uint8_t(i);
  std::vector<uint8_t> first = a, second(c.begin() + 15, c.end());
  first.insert(first.end(), c.begin(), c.begin() + 15);
  second.insert(second.end(), b.begin(), b.end());
  CHECK(w.core.arrivedInBuffer(s, first.data(), first.size()));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(1));
  size_t before = w.events.size();
  CHECK(w.core.arrivedInBuffer(s, second.data(), second.size()));
  const uint8_t* record = w.events.data() + before;
  uint32_t len;
  std::memcpy(&len, record + 12, 4);
  CHECK_EQ(record[0], uint8_t(EventType::kFrames));
  CHECK_EQ(len, uint32_t(c.size()));
  CHECK(std::memcmp(record + kEventHeaderBytes, c.data(), c.size()) == 0);
  CHECK_EQ(record[align4(kEventHeaderBytes + c.size())], uint8_t(EventType::kFrames));
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(3));
  CHECK_EQ(w.counters.bytesIn.get(), uint64_t(first.size() + second.size()));
  CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
}

// A frame whose payload detaches still leaves as its own block when it ends in a later buffer.
TEST(session_core_detaches_a_big_frame_split_across_buffers) {
  World w;
  w.events.detachFramesFrom(SessionCore::kMinBatchRoomBytes);
  CoreSession& s = w.open(5);
  std::vector<uint8_t> big = frameBytes(10 + 5000);
  CHECK(w.core.arrivedInBuffer(s, big.data(), 3000));
  size_t before = w.events.size();
  CHECK(w.core.arrivedInBuffer(s, big.data() + 3000, big.size() - 3000));
  CHECK_EQ(w.events.data()[before], uint8_t(EventType::kFrame));
  CHECK_EQ(w.events.data()[before + 1], kDetachedPayload);
  CHECK_EQ(w.events.detached().size(), size_t(1));
  CHECK_EQ(w.events.detached()[0].len, uint32_t(5000));
}

// Bytes that arrive in a buffer while reading is paused are parked whole, even those ending a frame.
TEST(session_core_parks_a_buffer_ending_a_frame_while_paused) {
  World w;
  CoreSession& s = w.open(5);
  std::vector<uint8_t> c = frameBytes(40);
  CHECK(w.core.arrivedInBuffer(s, c.data(), 15));
  w.core.pauseRead(5);
  CHECK(w.core.arrivedInBuffer(s, c.data() + 15, c.size() - 15));
  CHECK_EQ(w.counters.framesIn.get(), uint64_t(0));
  CHECK_EQ(s.parked.size(), c.size() - 15);
}

// However a stream is cut into a completion engine's buffers, JS gets exactly the frames sent, in order;
// with detached payloads too.
TEST(session_core_buffers_give_the_frames_sent_for_any_split) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    World w;
    w.events.detachFramesFrom(seed % 3 == 0 ? SessionCore::kMinBatchRoomBytes : 0);
    CoreSession& s = w.open(5);
    uint32_t x = seed * 2246822519u;
    std::vector<SeenFrame> sent;
    std::vector<uint8_t> stream = randomStream(x, 40, seed % 2 ? 300 : 9000, sent);
    for (size_t off = 0; off < stream.size();) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      size_t chunk = 1 + x % (seed % 4 == 0 ? 64 : 20000);
      if (chunk > stream.size() - off) chunk = stream.size() - off;
      CHECK(w.core.arrivedInBuffer(s, stream.data() + off, chunk));
      off += chunk;
    }
    CHECK(framesIn(w.events) == sent);
    CHECK_EQ(w.counters.framesIn.get(), uint64_t(sent.size()));
    CHECK_EQ(w.counters.bytesIn.get(), uint64_t(stream.size()));
    CHECK_EQ(w.counters.recvBuffersHeld.get(), uint64_t(0));
  }
}

}  // namespace fastport
