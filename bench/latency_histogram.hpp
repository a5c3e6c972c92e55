// Log-linear latency histogram in the HDR style: each power of two is split into 128 linear
// sub-buckets, so any value is kept to within 1/128 (< 0.8 %) in ~58 KiB of fixed memory, however
// long the run. Per-thread histograms merge by adding counts, so threads never share one.
#pragma once

#include <cstdint>
#include <vector>

namespace nt::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Records one value (nanoseconds). Not thread-safe: one histogram per thread.
  void record(uint64_t value_ns);
  // Adds every count of `other` into this one.
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  // Smallest value such that `fraction` (0..1] of the recorded values are at or below it, to
  // bucket precision (the bucket's midpoint, never above max()). 0 when nothing was recorded.
  uint64_t percentile(double fraction) const;

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace nt::bench
