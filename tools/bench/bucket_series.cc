// See bucket_series.h.
#include "tools/bench/bucket_series.h"

namespace ttyhub::bench {

void BucketSeries::Add(Clock::time_point when, uint64_t bytes) {
  if (when < start_) return;
  const size_t index = static_cast<size_t>((when - start_) / width_);
  if (buckets_.size() <= index) buckets_.resize(index + 1, 0);
  buckets_[index] += bytes;
}

std::vector<uint64_t> BucketSeries::BucketsUntil(Clock::time_point until) const {
  std::vector<uint64_t> out = buckets_;
  if (until > start_) {
    const size_t count = static_cast<size_t>((until - start_) / width_);
    out.resize(count, 0);
  }
  return out;
}

}  // namespace ttyhub::bench
