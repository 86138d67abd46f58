// LatencyHistogram: counts of durations in power-of-two buckets.
//
// Used per port for "device read completed -> send to a client completed".
// Bucket i holds durations <= kBoundsMicros[i]; the last bucket is +Inf.
// Plain integers: owned and written by one worker, copied into snapshots.
#ifndef TTYHUB_ENGINE_LATENCY_HISTOGRAM_H_
#define TTYHUB_ENGINE_LATENCY_HISTOGRAM_H_

#include <array>
#include <chrono>
#include <cstdint>

namespace ttyhub {

class LatencyHistogram {
 public:
  // Upper bounds in microseconds: 8 us, 16 us, ... 2^20 us (~1.05 s).
  static constexpr int kFiniteBuckets = 18;
  static constexpr uint64_t BoundMicros(int i) { return uint64_t{8} << i; }

  void Record(std::chrono::nanoseconds d) {
    const int64_t ns = d.count() < 0 ? 0 : d.count();
    const uint64_t us = static_cast<uint64_t>(ns + 999) / 1000;  // round up: "<= bound"
    int i = 0;
    while (i < kFiniteBuckets && us > BoundMicros(i)) ++i;
    ++counts_[i];
    ++count_;
    sum_ns_ += static_cast<uint64_t>(ns);
  }

  // Non-cumulative count of bucket i (i == kFiniteBuckets is +Inf).
  uint64_t bucket(int i) const { return counts_[i]; }
  uint64_t count() const { return count_; }
  uint64_t sum_ns() const { return sum_ns_; }

 private:
  std::array<uint64_t, kFiniteBuckets + 1> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ns_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_LATENCY_HISTOGRAM_H_
