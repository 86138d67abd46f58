// BusyPoll: the window after the last completion and the per-second CPU
// budget bound every grant; the counters add up what was charged.
#include "engine/busy_poll.h"

#include <chrono>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = BusyPoll::Clock;

// An arbitrary but fixed origin: the policy only ever sees differences.
const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

TEST(BusyPollTest, GrantsTheWindowAfterTheLastCompletion) {
  BusyPoll bp({microseconds(100), 50});
  EXPECT_EQ(bp.PollUntil(kT0, kT0), kT0 + microseconds(100));
  // 30 us later, 70 us of the window are left.
  EXPECT_EQ(bp.PollUntil(kT0, kT0 + microseconds(30)), kT0 + microseconds(100));
}

TEST(BusyPollTest, NoGrantOnceTheWindowHasPassed) {
  BusyPoll bp({microseconds(100), 50});
  const Clock::time_point now = kT0 + microseconds(100);
  EXPECT_EQ(bp.PollUntil(kT0, now), now);
  EXPECT_EQ(bp.PollUntil(kT0, now + milliseconds(5)), now + milliseconds(5));
}

TEST(BusyPollTest, TheBudgetCapsPollingPerSecond) {
  // 10 % of a second: 100 ms of polling, then none until the next second.
  BusyPoll bp({microseconds(10'000), 10});
  Clock::time_point now = kT0;
  Clock::duration granted{0};
  for (int i = 0; i < 1000; ++i) {
    const Clock::time_point until = bp.PollUntil(now, now);
    if (until <= now) break;
    bp.Charge(now, until, /*found=*/false);  // polled the whole grant, found nothing
    granted += until - now;
    now = until;
  }
  EXPECT_EQ(granted, milliseconds(100));
  EXPECT_EQ(bp.counters().polled_ns, 100'000'000u);
  EXPECT_EQ(bp.counters().budget_exhausted, 1u);
  // Still within the same second: nothing more, and exhaustion counted once.
  EXPECT_EQ(bp.PollUntil(now, now), now);
  EXPECT_EQ(bp.counters().budget_exhausted, 1u);
  // The next second starts a fresh budget.
  const Clock::time_point next = kT0 + std::chrono::seconds(1);
  EXPECT_EQ(bp.PollUntil(next, next), next + microseconds(10'000));
}

TEST(BusyPollTest, AGrantNeverCrossesIntoTheNextPeriod) {
  BusyPoll bp({microseconds(10'000), 100});
  ASSERT_EQ(bp.PollUntil(kT0, kT0), kT0 + microseconds(10'000));  // starts the period at kT0
  const Clock::time_point late = kT0 + milliseconds(995);
  EXPECT_EQ(bp.PollUntil(late, late), kT0 + std::chrono::seconds(1));
}

TEST(BusyPollTest, CountsPollsThatFoundACompletion) {
  BusyPoll bp({microseconds(100), 50});
  bp.Charge(kT0, kT0 + microseconds(7), /*found=*/true);
  bp.Charge(kT0, kT0 + microseconds(100), /*found=*/false);
  EXPECT_EQ(bp.counters().waits_saved, 1u);
  EXPECT_EQ(bp.counters().polled_ns, 107'000u);
}

TEST(BusyPollTest, ANewPolicyKeepsTheCounters) {
  BusyPoll bp({microseconds(100), 50});
  bp.Charge(kT0, kT0 + microseconds(5), /*found=*/true);
  bp.set_policy({microseconds(20), 100});
  EXPECT_EQ(bp.counters().waits_saved, 1u);
  EXPECT_EQ(bp.PollUntil(kT0 + microseconds(5), kT0 + microseconds(5)), kT0 + microseconds(25));
}

}  // namespace
}  // namespace ttyhub
