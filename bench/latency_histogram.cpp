#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>

namespace nt::bench {

namespace {

// Values below 2^kSubBits are stored exactly. Above that, a value with highest bit e is shifted
// right by (e - kSubBits + 1), leaving a mantissa in [kHalf, 2 * kHalf); bucket index is
// shift * kHalf + mantissa, which makes consecutive shifts contiguous.
constexpr int kSubBits = 8;
constexpr uint64_t kHalf = uint64_t{1} << (kSubBits - 1);
constexpr int kMaxShift = 64 - kSubBits;
constexpr size_t kBucketCount = (kMaxShift + 2) * kHalf;

size_t bucket_index(uint64_t v) {
  if (v < 2 * kHalf) return static_cast<size_t>(v);
  const int shift = std::bit_width(v) - kSubBits;
  return static_cast<size_t>(shift * kHalf + (v >> shift));
}

// Midpoint of the values that map to bucket `index`.
uint64_t bucket_midpoint(size_t index) {
  if (index < 2 * kHalf) return index;
  const int shift = static_cast<int>(index / kHalf) - 1;
  const uint64_t mantissa = index - shift * kHalf;
  const uint64_t low = mantissa << shift;
  return low + ((uint64_t{1} << shift) - 1) / 2;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

void LatencyHistogram::record(uint64_t value_ns) {
  ++counts_[bucket_index(value_ns)];
  ++count_;
  max_ = std::max(max_, value_ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  if (fraction >= 1.0) return max_;
  const auto wanted = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(bucket_midpoint(i), max_);
  }
  return max_;
}

}  // namespace nt::bench
