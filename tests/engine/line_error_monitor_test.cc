#include "engine/line_error_monitor.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

UartCounters Errors(uint64_t parity, uint64_t frame) {
  UartCounters c;
  c.parity = parity;
  c.frame = frame;
  return c;
}

TEST(LineErrorMonitorTest, QuietLineSaysNothing) {
  LineErrorMonitor m;
  const TimePoint t0 = Clock::now();
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(i), Errors(0, 0), "sw1", "9600N81"), std::nullopt);
  }
}

TEST(LineErrorMonitorTest, WarnsWithCountsWindowAndSettings) {
  LineErrorMonitor m;
  const TimePoint t0 = Clock::now();
  EXPECT_EQ(m.Sample(t0, Errors(100, 0), "sw1", "9600N81"), std::nullopt);  // baseline
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(10), Errors(412, 0), "sw1", "9600N81"),
            "port sw1: 312 parity errors in the last 10 s with 9600N81: check parity and baud");
}

TEST(LineErrorMonitorTest, RateLimitedAndReportsFraming) {
  LineErrorMonitor m(std::chrono::seconds(10), std::chrono::seconds(60));
  const TimePoint t0 = Clock::now();
  m.Sample(t0, Errors(0, 0), "p", "9600E71");
  EXPECT_TRUE(m.Sample(t0 + std::chrono::seconds(1), Errors(1, 1), "p", "9600E71").has_value());
  // Still erroring, but within a minute of the last warning: quiet.
  for (int i = 2; i < 60; ++i) {
    EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(i), Errors(i, i), "p", "9600E71"), std::nullopt);
  }
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(61), Errors(70, 61), "p", "9600E71"),
            "port p: 19 parity errors and 10 framing errors in the last 10 s with 9600E71: check "
            "parity and baud");
}

TEST(LineErrorMonitorTest, OldErrorsLeaveTheWindow) {
  LineErrorMonitor m(std::chrono::seconds(10), std::chrono::seconds(1));
  const TimePoint t0 = Clock::now();
  m.Sample(t0, Errors(0, 0), "p", "s");
  EXPECT_TRUE(m.Sample(t0 + std::chrono::seconds(1), Errors(5, 0), "p", "s").has_value());
  // No new errors for 20 s: the burst has aged out.
  for (int i = 2; i <= 20; ++i) m.Sample(t0 + std::chrono::seconds(i), Errors(5, 0), "p", "s");
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(21), Errors(5, 0), "p", "s"), std::nullopt);
}

TEST(LineErrorMonitorTest, AfterAGapTheBaselineIsTheNewestPointBeforeTheWindow) {
  LineErrorMonitor m(std::chrono::seconds(10), std::chrono::seconds(1));
  const TimePoint t0 = Clock::now();
  for (int i = 0; i <= 5; ++i) m.Sample(t0 + std::chrono::seconds(i), Errors(i, 0), "p", "s");
  // 25 s without a sample: all but the newest of those points leave at once.
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(30), Errors(5, 0), "p", "s"), std::nullopt);
  // Counted from the point at 5 s (5 errors then), not from 0 s or 30 s.
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(31), Errors(8, 0), "p", "s"),
            "port p: 3 parity errors in the last 26 s with s: check parity and baud");
}

TEST(LineErrorMonitorTest, CounterResetIsNotAnError) {
  LineErrorMonitor m;
  const TimePoint t0 = Clock::now();
  m.Sample(t0, Errors(500, 0), "p", "s");
  // The device was reopened: counters start again from 0.
  EXPECT_EQ(m.Sample(t0 + std::chrono::seconds(1), Errors(0, 0), "p", "s"), std::nullopt);
}

}  // namespace
}  // namespace ttyhub
