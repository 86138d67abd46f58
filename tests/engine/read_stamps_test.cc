// Which device reads a send delivered, for the delivery latency histogram.
#include "engine/read_stamps.h"

#include <chrono>
#include <vector>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using std::chrono::microseconds;

class ReadStampsTest : public ::testing::Test {
 protected:
  // Read k ends at ring position 10 * (k + 1) and completed at t0 + k us.
  void Reads(int n) {
    for (int k = 0; k < n; ++k) stamps_.Stamp(10 * (k + 1), t0_ + microseconds(k));
  }
  // The latencies, in us before `now` = t0 + 1000 us, for a send of [from, to).
  std::vector<int64_t> Delivered(uint64_t from, uint64_t to) {
    std::vector<int64_t> out;
    stamps_.ForEachDelivered(from, to, t0_ + microseconds(1000), [&](std::chrono::nanoseconds d) {
      out.push_back(std::chrono::duration_cast<microseconds>(d).count());
    });
    return out;
  }

  const TimePoint t0_ = TimePoint{} + std::chrono::hours(1);
  ReadStamps stamps_;
};

TEST_F(ReadStampsTest, EachReadASendCoversIsOneObservation) {
  EXPECT_TRUE(Delivered(0, 10).empty()) << "nothing stamped yet";
  Reads(3);
  EXPECT_EQ(Delivered(0, 30), (std::vector<int64_t>{1000, 999, 998}));
  EXPECT_EQ(Delivered(15, 20), (std::vector<int64_t>{999})) << "the read that ended at 20";
  EXPECT_EQ(Delivered(20, 25), std::vector<int64_t>{}) << "read 3 has not all gone out";
  EXPECT_TRUE(Delivered(30, 30).empty());
}

TEST_F(ReadStampsTest, ReadsOlderThanTheStampsGiveOneLowerBound) {
  const int n = static_cast<int>(ReadStamps::kStamps) + 68;
  Reads(n);
  // The oldest stamp kept is read 68 (ends at 690, completed at t0 + 68 us).
  const std::vector<int64_t> all = Delivered(0, 10 * n);
  ASSERT_EQ(all.size(), ReadStamps::kStamps) << "one for reads 0..68, one each for the rest";
  EXPECT_EQ(all.front(), 1000 - 68) << "a lower bound for the reads before the stamps";
  EXPECT_EQ(all.back(), 1000 - (n - 1));
  // A send that starts inside the oldest stamped read: that read, exactly.
  EXPECT_EQ(Delivered(685, 700), (std::vector<int64_t>{1000 - 68, 1000 - 69}));
}

}  // namespace
}  // namespace ttyhub
