// Wire frames (docs/architecture.md): u32 BE length incl. the 10-byte header, u16 BE msgId, u32 BE seq,
// payload. Payload bytes are a deterministic function of the seq, so verify mode needs no copy of what was
// sent.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace loadgen {

constexpr uint32_t kHeaderBytes = 10;

inline uint32_t readU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint16_t readU16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline void writeU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

class PayloadSource {
 public:
  PayloadSource(uint32_t minSize, uint32_t maxSize, bool wrapProto)
      : minSize_(minSize), span_(maxSize - minSize + 1), wrap_(wrapProto), table_(maxSize + kPeriod) {
    for (size_t k = 0; k < table_.size(); k++) table_[k] = static_cast<uint8_t>(k * 7 + (k >> 8));
  }

  // Raw payload size of the frame with this seq (before protobuf wrapping).
  uint32_t sizeFor(uint32_t seq) const {
    if (span_ == 1) return minSize_;
    uint32_t h = seq * 2654435761u;
    return minSize_ + (h ^ (h >> 16)) % span_;
  }

  // Appends a whole frame to out; returns the offset of the raw payload inside out.
  size_t append(std::vector<uint8_t>& out, uint16_t msgId, uint32_t seq) const {
    uint32_t size = sizeFor(seq);
    uint8_t prefix[6];
    size_t prefixBytes = wrap_ ? protoPrefix(prefix, size) : 0;
    size_t start = out.size();
    out.resize(start + kHeaderBytes + prefixBytes + size);
    uint8_t* p = out.data() + start;
    writeU32(p, static_cast<uint32_t>(kHeaderBytes + prefixBytes + size));
    p[4] = static_cast<uint8_t>(msgId >> 8);
    p[5] = static_cast<uint8_t>(msgId);
    writeU32(p + 6, seq);
    std::memcpy(p + kHeaderBytes, prefix, prefixBytes);
    std::memcpy(p + kHeaderBytes + prefixBytes, table_.data() + seq % kPeriod, size);
    return start + kHeaderBytes + prefixBytes;
  }

  // True when payload (the frame minus its header) is exactly what append() sent for seq.
  bool matches(uint32_t seq, const uint8_t* payload, size_t length) const {
    uint32_t size = sizeFor(seq);
    uint8_t prefix[6];
    size_t prefixBytes = wrap_ ? protoPrefix(prefix, size) : 0;
    if (length != prefixBytes + size) return false;
    if (std::memcmp(payload, prefix, prefixBytes) != 0) return false;
    return std::memcmp(payload + prefixBytes, table_.data() + seq % kPeriod, size) == 0;
  }

  // Bytes before the raw payload when wrapped (tag of field 1, wire type 2, then the varint length).
  static size_t protoPrefix(uint8_t* out, uint32_t size) {
    size_t n = 0;
    out[n++] = 0x0a;
    do {
      uint8_t b = size & 0x7f;
      size >>= 7;
      out[n++] = static_cast<uint8_t>(size != 0 ? b | 0x80 : b);
    } while (size != 0);
    return n;
  }

 private:
  static constexpr uint32_t kPeriod = 251;
  uint32_t minSize_;
  uint32_t span_;
  bool wrap_;
  std::vector<uint8_t> table_;
};

}  // namespace loadgen
