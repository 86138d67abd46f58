// Bytes counted into fixed-width time buckets (e.g. 250 ms), to show a
// rate over time. Belongs to the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_BUCKET_SERIES_H_
#define TTYHUB_TOOLS_BENCH_BUCKET_SERIES_H_

#include <cstdint>
#include <vector>

#include "tools/bench/deadline.h"

namespace ttyhub::bench {

class BucketSeries {
 public:
  BucketSeries(Clock::time_point start, Duration width) : start_(start), width_(width) {}
  void Add(Clock::time_point when, uint64_t bytes);
  // Bytes per bucket; bucket i covers [start + i*width, start + (i+1)*width).
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  // Buckets up to `until` (empty ones included).
  std::vector<uint64_t> BucketsUntil(Clock::time_point until) const;
  Duration width() const { return width_; }
  Clock::time_point start() const { return start_; }

 private:
  Clock::time_point start_;
  Duration width_;
  std::vector<uint64_t> buckets_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_BUCKET_SERIES_H_
