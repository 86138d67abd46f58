#include "engine/latency_histogram.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(LatencyHistogramTest, BucketsAreUpperBoundsInclusive) {
  LatencyHistogram h;
  h.Record(nanoseconds(0));           // <= 8 us
  h.Record(microseconds(8));          // <= 8 us
  h.Record(nanoseconds(8001));        // <= 16 us
  h.Record(microseconds(1000));       // <= 1024 us: bucket 7
  h.Record(std::chrono::seconds(5));  // beyond 2^20 us: +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(LatencyHistogram::BoundMicros(7), 1024u);
  EXPECT_EQ(h.bucket(7), 1u);
  EXPECT_EQ(h.bucket(LatencyHistogram::kFiniteBuckets), 1u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum_ns(), 0u + 8000 + 8001 + 1'000'000 + 5'000'000'000ull);
}

TEST(LatencyHistogramTest, NegativeDurationsCountAsZero) {
  LatencyHistogram h;
  h.Record(nanoseconds(-5));
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.sum_ns(), 0u);
}

}  // namespace
}  // namespace ttyhub
