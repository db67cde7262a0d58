// libFuzzer harness for FrameParser (core/frame_parser.h). Input: byte 0..3 = maxFrameBytes seed, byte 4 =
// chunking seed, rest = the received stream. The stream is fed in chunks whose sizes come from the seed and
// must yield exactly the frames (and the final status) of a plain one-pass reference splitter: any split of
// a byte stream gives the same frames, whether a frame's end is fed or handed to finishFrame(). Also checks
// the held bytes never exceed the frame limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/frame_parser.h"

namespace {

struct Frame {
  uint16_t msgId;
  uint32_t seq;
  std::vector<uint8_t> payload;
  bool operator==(const Frame& o) const { return msgId == o.msgId && seq == o.seq && payload == o.payload; }
};

using fastport::FrameParser;

// The reference: walk whole frames; stop at the first bad length; report whether a frame is left unfinished.
FrameParser::Status reference(const uint8_t* data, size_t len, uint32_t maxFrameBytes,
                              std::vector<Frame>& out, bool& unfinished) {
  size_t off = 0;
  unfinished = false;
  while (off < len) {
    if (len - off < 4) {
      unfinished = true;
      return FrameParser::Status::kOk;
    }
    uint32_t frameLen = fastport::readBe32(data + off);
    if (frameLen < fastport::kWireHeaderBytes) return FrameParser::Status::kInvalid;
    if (frameLen > maxFrameBytes) return FrameParser::Status::kTooLarge;
    if (len - off < frameLen) {
      unfinished = true;
      return FrameParser::Status::kOk;
    }
    const uint8_t* f = data + off;
    out.push_back(Frame{fastport::readBe16(f + 4), fastport::readBe32(f + 6),
                        std::vector<uint8_t>(f + fastport::kWireHeaderBytes, f + frameLen)});
    off += frameLen;
  }
  return FrameParser::Status::kOk;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  if (size < 5) return 0;
  // Small limits make "too large" reachable; 10 is the smallest legal limit.
  uint32_t maxFrameBytes = 10 + fastport::readBe32(input) % 4096;
  uint32_t chunkSeed = input[4];
  const uint8_t* data = input + 5;
  size_t len = size - 5;

  std::vector<Frame> expected;
  bool unfinished = false;
  FrameParser::Status want = reference(data, len, maxFrameBytes, expected, unfinished);

  FrameParser parser;
  std::vector<Frame> got;
  FrameParser::Status status = FrameParser::Status::kOk;
  size_t off = 0;
  uint32_t x = chunkSeed * 2654435761u + 1;
  while (off < len && status == FrameParser::Status::kOk) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    size_t chunk = chunkSeed == 0 ? len - off : 1 + x % (chunkSeed < 8 ? chunkSeed : 64);
    if (chunk > len - off) chunk = len - off;
    // Copy the chunk so the parser cannot read past it unnoticed (ASan guards the exact size).
    std::vector<uint8_t> piece(data + off, data + off + chunk);
    size_t rest = parser.frameRest();
    if (rest && rest <= chunk && (x & 1)) {
      // A completion engine ends the frame from where its rest lies (finishFrame), then feeds what follows.
      parser.finishFrame(piece.data(), rest,
                         [&](const uint8_t* header, const uint8_t* kept, uint32_t keptLen,
                             const uint8_t* tail, uint32_t tailLen) {
                           Frame f{fastport::readBe16(header + 4), fastport::readBe32(header + 6), {}};
                           f.payload.assign(kept, kept + keptLen);
                           f.payload.insert(f.payload.end(), tail, tail + tailLen);
                           if (fastport::readBe32(header) != fastport::kWireHeaderBytes + f.payload.size())
                             abort();
                           got.push_back(std::move(f));
                         });
      if (parser.midFrame()) abort();
      piece.erase(piece.begin(), piece.begin() + long(rest));
    }
    status =
        parser.feed(piece.data(), piece.size(), maxFrameBytes, off,
                    [&](uint16_t msgId, uint32_t seq, const uint8_t* payload, uint32_t payloadLen) {
                      got.push_back(Frame{msgId, seq, std::vector<uint8_t>(payload, payload + payloadLen)});
                    });
    if (parser.heldBytes() > maxFrameBytes) abort();
    off += chunk;
  }
  if (status != want) abort();
  if (got != expected) abort();
  if (status == FrameParser::Status::kOk && parser.midFrame() != unfinished) abort();
  parser.reset();
  if (parser.midFrame() || parser.heldBytes() != 0) abort();
  return 0;
}
