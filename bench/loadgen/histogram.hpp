// Log-linear latency histogram in nanoseconds: 128 sub-buckets per power of two (<= 0.8% error).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace loadgen {

class Histogram {
 public:
  void record(uint64_t ns) {
    counts_[indexOf(ns)]++;
    total_++;
    sum_ += ns;
    max_ = std::max(max_, ns);
  }

  void merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); i++) counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }
  double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_); }

  // Value (ns, bucket midpoint, capped at the exact max) below which fraction q of the samples lie.
  uint64_t percentile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.999999);
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); i++) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpointOf(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;

  static size_t indexOf(uint64_t v) {
    if (v < 2 * kSub) return static_cast<size_t>(v);
    int msb = 63 - std::countl_zero(v);
    uint64_t top = v >> (msb - kSubBits);  // in [kSub, 2*kSub)
    return static_cast<size_t>((msb - kSubBits + 1) * kSub + (top - kSub));
  }

  static uint64_t midpointOf(size_t index) {
    if (index < 2 * kSub) return index;
    uint64_t block = index / kSub;  // >= 2
    int shift = static_cast<int>(block) - 1;
    uint64_t top = kSub + index % kSub;
    uint64_t low = top << shift;
    return low + (uint64_t{1} << shift) / 2;
  }

  std::array<uint64_t, 64 * kSub> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace loadgen
