// FrameParser: every split of a byte stream yields the same frames; length limits; no early allocation.
#include "core/frame_parser.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"

using fastport::FrameParser;

namespace {

struct Frame {
  uint16_t msgId;
  uint32_t seq;
  std::string payload;
  bool operator==(const Frame& o) const { return msgId == o.msgId && seq == o.seq && payload == o.payload; }
};

// lengthField < 0: the true length; else that value in the header (to forge bad headers).
void putFrame(std::vector<uint8_t>& out, uint16_t msgId, uint32_t seq, const std::string& payload,
              int64_t lengthField = -1) {
  uint32_t len = lengthField >= 0 ? uint32_t(lengthField) : uint32_t(10 + payload.size());
  uint8_t h[10] = {uint8_t(len >> 24),  uint8_t(len >> 16), uint8_t(len >> 8),  uint8_t(len),
                   uint8_t(msgId >> 8), uint8_t(msgId),     uint8_t(seq >> 24), uint8_t(seq >> 16),
                   uint8_t(seq >> 8),   uint8_t(seq)};
  out.insert(out.end(), h, h + 10);
  out.insert(out.end(), payload.begin(), payload.end());
}

// Feeds `stream` in pieces cut at `cuts` (ascending offsets); collects frames until a non-ok status.
FrameParser::Status feedPieces(FrameParser& p, const std::vector<uint8_t>& stream,
                               const std::vector<size_t>& cuts, uint32_t maxFrame, std::vector<Frame>& out) {
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  for (size_t end : ends) {
    // Copy each piece so a parser that kept pointers into an old piece would read garbage.
    std::vector<uint8_t> piece(stream.begin() + start, stream.begin() + end);
    auto s = p.feed(piece.data(), piece.size(), maxFrame, 0,
                    [&](uint16_t m, uint32_t q, const uint8_t* d, uint32_t n) {
                      out.push_back(Frame{m, q, std::string(reinterpret_cast<const char*>(d), n)});
                    });
    std::fill(piece.begin(), piece.end(), 0xEE);
    if (s != FrameParser::Status::kOk) return s;
    start = end;
  }
  return FrameParser::Status::kOk;
}

std::vector<uint8_t> sampleStream(std::vector<Frame>& expected) {
  std::vector<uint8_t> s;
  expected = {{1, 0, ""}, {100, 7, "hello"}, {65535, 0xFFFFFFFF, std::string(300, 'x')}, {2, 2, "z"}};
  for (auto& f : expected) putFrame(s, f.msgId, f.seq, f.payload);
  return s;
}

}  // namespace

TEST(framer_whole_stream) {
  std::vector<Frame> expected, got;
  auto stream = sampleStream(expected);
  FrameParser p;
  CHECK(feedPieces(p, stream, {}, 1 << 20, got) == FrameParser::Status::kOk);
  CHECK(got == expected);
  CHECK(!p.midFrame());
  CHECK_EQ(p.heldBytes(), size_t(0));
}

TEST(framer_every_single_split_and_byte_by_byte) {
  std::vector<Frame> expected;
  auto stream = sampleStream(expected);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameParser p;
    std::vector<Frame> got;
    CHECK(feedPieces(p, stream, {cut}, 1 << 20, got) == FrameParser::Status::kOk);
    CHECK(got == expected);
    CHECK(!p.midFrame());
  }
  for (size_t a = 1; a < stream.size(); a += 7) {
    for (size_t b = a; b < stream.size(); b += 3) {
      FrameParser p;
      std::vector<Frame> got;
      CHECK(feedPieces(p, stream, {a, b}, 1 << 20, got) == FrameParser::Status::kOk);
      CHECK(got == expected);
    }
  }
  std::vector<size_t> everyByte;
  for (size_t i = 1; i < stream.size(); ++i) everyByte.push_back(i);
  FrameParser p;
  std::vector<Frame> got;
  CHECK(feedPieces(p, stream, everyByte, 1 << 20, got) == FrameParser::Status::kOk);
  CHECK(got == expected);
}

TEST(framer_keeps_only_the_incomplete_remainder) {
  std::vector<uint8_t> s;
  putFrame(s, 5, 1, "abc");
  putFrame(s, 6, 2, std::string(1000, 'q'));
  FrameParser p;
  std::vector<Frame> got;
  size_t firstPiece = 13 + 10 + 100;  // frame 1, header and 100 payload bytes of frame 2
  p.feed(s.data(), firstPiece, 1 << 20, 42, [&](uint16_t m, uint32_t q, const uint8_t* d, uint32_t n) {
    got.push_back(Frame{m, q, std::string(reinterpret_cast<const char*>(d), n)});
  });
  CHECK_EQ(got.size(), size_t(1));
  CHECK(p.midFrame());
  CHECK_EQ(p.heldBytes(), size_t(110));
  CHECK_EQ(p.frameStartedMs(), uint64_t(42));
  p.feed(s.data() + firstPiece, s.size() - firstPiece, 1 << 20, 99,
         [&](uint16_t m, uint32_t q, const uint8_t* d, uint32_t n) {
           got.push_back(Frame{m, q, std::string(reinterpret_cast<const char*>(d), n)});
         });
  CHECK_EQ(got.size(), size_t(2));
  CHECK(got[1] == (Frame{6, 2, std::string(1000, 'q')}));
  CHECK(!p.midFrame());
  CHECK_EQ(p.heldBytes(), size_t(0));
}

TEST(framer_max_and_max_plus_one) {
  const uint32_t max = 64;
  std::vector<uint8_t> ok;
  putFrame(ok, 9, 9, std::string(max - 10, 'm'));
  FrameParser p;
  std::vector<Frame> got;
  CHECK(feedPieces(p, ok, {3}, max, got) == FrameParser::Status::kOk);
  CHECK_EQ(got.size(), size_t(1));

  std::vector<uint8_t> big;
  putFrame(big, 9, 9, std::string(max - 9, 'm'));
  for (size_t cut = 0; cut <= 4; ++cut) {  // detected as soon as the 4 length bytes are in
    FrameParser q;
    got.clear();
    CHECK(feedPieces(q, big, {cut}, max, got) == FrameParser::Status::kTooLarge);
    CHECK(got.empty());
  }
}

TEST(framer_huge_length_rejected_before_allocation) {
  std::vector<uint8_t> s = {0xFF, 0xFF, 0xFF, 0xFF};  // 4 GiB announced, nothing else sent
  FrameParser p;
  std::vector<Frame> got;
  CHECK(feedPieces(p, s, {}, 64u << 20, got) == FrameParser::Status::kTooLarge);
  CHECK_EQ(p.heldBytes(), size_t(0));
}

TEST(framer_length_below_header_is_invalid) {
  for (int64_t len : {0, 1, 9}) {
    std::vector<uint8_t> s;
    putFrame(s, 1, 1, "", len);
    FrameParser p;
    std::vector<Frame> got;
    CHECK(feedPieces(p, s, {2}, 1 << 20, got) == FrameParser::Status::kInvalid);
  }
  std::vector<uint8_t> s;
  putFrame(s, 1, 1, "", 10);  // exactly a header: valid, empty payload
  FrameParser p;
  std::vector<Frame> got;
  CHECK(feedPieces(p, s, {5}, 1 << 20, got) == FrameParser::Status::kOk);
  CHECK_EQ(got.size(), size_t(1));
  CHECK(got[0].payload.empty());
}

TEST(framer_large_frame_in_many_pieces) {
  std::string payload(3 << 20, 0);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char(i * 31);
  std::vector<uint8_t> s;
  putFrame(s, 77, 1, payload);
  std::vector<size_t> cuts;
  for (size_t off = 65536; off < s.size(); off += 65536) cuts.push_back(off);
  FrameParser p;
  std::vector<Frame> got;
  CHECK(feedPieces(p, s, cuts, 4u << 20, got) == FrameParser::Status::kOk);
  CHECK_EQ(got.size(), size_t(1));
  CHECK(got[0].payload == payload);
}

// A big frame in receive-sized pieces: the payload block grows a few times, to at most 4x what arrived,
// and its last size is the payload exactly (no final regrowth, i.e. no copy of the whole frame, for its
// tail).
TEST(framer_body_grows_in_few_steps_to_the_exact_payload) {
  for (size_t piece : {size_t(16384), size_t(32768), size_t(65536)}) {
    std::string payload(1 << 20, 'b');
    std::vector<uint8_t> s;
    putFrame(s, 3, 3, payload);
    FrameParser p;
    std::vector<size_t> caps;
    size_t frames = 0;
    for (size_t off = 0; off < s.size(); off += piece) {
      size_t len = std::min(piece, s.size() - off);
      CHECK(p.feed(s.data() + off, len, 2u << 20, 0, [&](uint16_t, uint32_t, const uint8_t*, uint32_t n) {
        CHECK_EQ(n, uint32_t(payload.size()));
        ++frames;
      }) == FrameParser::Status::kOk);
      if (!p.midFrame()) break;
      CHECK(p.bodyCapacity() <= 4 * p.heldBytes());
      if (caps.empty() || caps.back() != p.bodyCapacity()) caps.push_back(p.bodyCapacity());
    }
    CHECK_EQ(frames, size_t(1));
    CHECK(caps.size() <= 4);
    CHECK_EQ(caps.back(), payload.size());
  }
}

// A big first piece (epoll reads 256 KiB) lets the block take the frame's size at once: 4x what arrived
// covers it, so the rest needs no regrowth (no copy of what arrived).
TEST(framer_body_takes_its_final_size_when_a_quarter_arrived) {
  std::string payload((1 << 20) - 10, 'c');
  std::vector<uint8_t> s;
  putFrame(s, 4, 4, payload);
  FrameParser p;
  size_t frames = 0;
  auto onFrame = [&](uint16_t, uint32_t, const uint8_t*, uint32_t n) {
    CHECK_EQ(n, uint32_t(payload.size()));
    ++frames;
  };
  size_t quarter = (payload.size() + 3) / 4;  // frame bytes (header included) that let the block be 4x
  CHECK(p.feed(s.data(), quarter, 2u << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK_EQ(p.bodyCapacity(), payload.size());
  CHECK(p.feed(s.data() + quarter, s.size() - quarter, 2u << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK_EQ(frames, size_t(1));
  // One byte less: a step below (the bound holds).
  FrameParser q;
  CHECK(q.feed(s.data(), quarter - 1, 2u << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK(q.bodyCapacity() < payload.size());
  CHECK(q.bodyCapacity() <= 4 * q.heldBytes());
}

// A frame assembled in the parser's body can be taken inside onFrame (no copy); a frame that arrived whole
// in one feed has no body to take; the parser goes on normally after either.
TEST(framer_take_body_only_for_assembled_frames) {
  std::string big(100000, 0);
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 7);
  std::vector<uint8_t> s;
  putFrame(s, 5, 1, big);
  putFrame(s, 6, 2, "whole");
  FrameParser p;
  std::vector<std::string> taken;
  std::vector<bool> hadBody;
  auto onFrame = [&](uint16_t, uint32_t, const uint8_t* d, uint32_t n) {
    fastport::PayloadBlock body = p.takeBody();
    hadBody.push_back(bool(body));
    if (body) CHECK(body.get() == d);
    taken.emplace_back(reinterpret_cast<const char*>(d), n);
  };
  size_t firstPiece = 5000;
  CHECK(p.feed(s.data(), firstPiece, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK(p.takeBody() == nullptr);  // outside onFrame: never the partial body
  CHECK(p.midFrame());
  CHECK(p.feed(s.data() + firstPiece, s.size() - firstPiece, 1 << 20, 0, onFrame) ==
        FrameParser::Status::kOk);
  CHECK_EQ(taken.size(), size_t(2));
  CHECK(taken[0] == big);
  CHECK(taken[1] == "whole");
  CHECK(hadBody == std::vector<bool>({true, false}));
  CHECK(!p.midFrame());
}

// The rest of a frame received straight into bodyRoom() (as epoll does with readv) gives the same frames as
// feeding it: the room never passes what the frame still needs, grows at most 4x what arrived, is empty
// between frames and mid-header, and the completed frame's body is the block the room pointed into.
TEST(framer_body_received_in_room) {
  std::string big(300000, 0);
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 13);
  std::vector<uint8_t> s;
  putFrame(s, 9, 3, big);
  putFrame(s, 10, 4, "next");
  FrameParser p;
  std::vector<std::string> got;
  std::vector<bool> tookBody;
  auto onFrame = [&](uint16_t, uint32_t, const uint8_t* d, uint32_t n) {
    fastport::PayloadBlock body = p.takeBody();  // owns d when set: read before it goes
    tookBody.push_back(bool(body));
    got.emplace_back(reinterpret_cast<const char*>(d), n);
  };
  CHECK(p.bodyRoom().len == 0);  // between frames
  CHECK(p.feed(s.data(), 6, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK(p.bodyRoom().len == 0);  // header incomplete
  size_t off = 6;
  CHECK(p.feed(s.data() + off, 1000, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  off += 1000;
  size_t frameEnd = 10 + big.size();
  while (off < frameEnd) {
    fastport::BodyRoom room = p.bodyRoom();
    CHECK(room.len > 0);
    CHECK(room.len <= frameEnd - off);
    CHECK_EQ(room.frameRest, frameEnd - off);
    CHECK_EQ(room.framePayload, big.size());
    CHECK(p.heldBytes() - 10 + room.len <= 4 * (off - 10) + 4096);
    size_t n = room.len < 50000 ? room.len : 50000;  // a short read fills part of the room
    std::memcpy(room.data, s.data() + off, n);
    p.bodyReceived(n, onFrame);
    off += n;
  }
  CHECK(!p.midFrame());
  CHECK(p.bodyRoom().len == 0);
  CHECK(p.feed(s.data() + off, s.size() - off, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  CHECK_EQ(got.size(), size_t(2));
  CHECK(got[0] == big);
  CHECK(got[1] == "next");
  CHECK(tookBody == std::vector<bool>({true, false}));
}

// An engine that lets the kernel write into bodyRoom() on its own time holds the block meanwhile: the frame
// completes the same once it is handed back, and a reset() (session closed) while it is lent leaves the
// block alive for the writer.
TEST(framer_lent_body_survives_reset) {
  std::string big(100000, 0);
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 7);
  std::vector<uint8_t> s;
  putFrame(s, 5, 6, big);
  FrameParser p;
  std::vector<std::string> got;
  auto onFrame = [&](uint16_t, uint32_t, const uint8_t* d, uint32_t n) {
    got.emplace_back(reinterpret_cast<const char*>(d), n);
  };
  CHECK(p.feed(s.data(), 5000, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  size_t off = 5000;
  while (off < s.size()) {
    fastport::BodyRoom room = p.bodyRoom();
    fastport::PayloadBlock lent = p.lendBody();
    std::memcpy(room.data, s.data() + off, room.len);  // the kernel writes while the block is lent
    p.returnBody(std::move(lent));
    p.bodyReceived(room.len, onFrame);
    off += room.len;
  }
  CHECK_EQ(got.size(), size_t(1));
  CHECK(got[0] == big);

  CHECK(p.feed(s.data(), 5000, 1 << 20, 0, onFrame) == FrameParser::Status::kOk);
  fastport::BodyRoom room = p.bodyRoom();
  fastport::PayloadBlock lent = p.lendBody();
  p.reset();
  CHECK(!p.midFrame());
  std::memset(room.data, 0xab, room.len);  // still valid: sanitizer builds catch a freed block here
  CHECK(lent.get() != nullptr);
}
