#include "engine/logger.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(LogRateLimiterTest, BurstThenOnePerInterval) {
  LogRateLimiter limiter(std::chrono::seconds(10), 2);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(limiter.Admit(t0), 0u);
  EXPECT_EQ(limiter.Admit(t0), 0u);
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(1)), std::nullopt);
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(2)), std::nullopt);
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(9)), std::nullopt);
  // After the interval, one gets through and reports the three held back.
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(10)), 3u);
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(11)), std::nullopt);
  limiter.Reset();
  EXPECT_EQ(limiter.Admit(t0 + std::chrono::seconds(12)), 0u);
}

TEST(LogBudgetTest, AdmitsPerWindowThenCountsAndReportsOnceTheWindowEnds) {
  LogBudget budget(std::chrono::seconds(10), 3);
  const auto t0 = std::chrono::steady_clock::now();
  const auto at = [&](int ms) { return t0 + std::chrono::milliseconds(ms); };
  EXPECT_TRUE(budget.Admit(at(0)));
  EXPECT_TRUE(budget.Admit(at(1)));
  EXPECT_TRUE(budget.Admit(at(2)));
  EXPECT_FALSE(budget.Admit(at(3)));
  EXPECT_FALSE(budget.Admit(at(9999)));
  // Nothing to report while the window is open.
  EXPECT_EQ(budget.TakeSuppressed(at(9999)), std::nullopt);
  EXPECT_EQ(budget.TakeSuppressed(at(10000)), 2u);
  EXPECT_EQ(budget.TakeSuppressed(at(10001)), std::nullopt);
  // A new window admits again.
  EXPECT_TRUE(budget.Admit(at(20000)));
  EXPECT_TRUE(budget.Admit(at(20001)));
  EXPECT_TRUE(budget.Admit(at(20002)));
  EXPECT_FALSE(budget.Admit(at(20003)));
  EXPECT_EQ(budget.TakeSuppressed(at(30002)), 1u);
}

TEST(LogBudgetTest, QuietStreamIsNeverSuppressed) {
  LogBudget budget(std::chrono::seconds(10), 2);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    // Two per window, every window.
    EXPECT_TRUE(budget.Admit(t0 + std::chrono::seconds(10 * i))) << i;
    EXPECT_TRUE(budget.Admit(t0 + std::chrono::seconds(10 * i + 5))) << i;
    EXPECT_EQ(budget.TakeSuppressed(t0 + std::chrono::seconds(10 * i + 9)), std::nullopt);
  }
}

TEST(LoggerTest, ParsesLevels) {
  EXPECT_EQ(Logger::ParseLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(Logger::ParseLevel("WARN"), LogLevel::kWarn);
  EXPECT_EQ(Logger::ParseLevel("error"), LogLevel::kError);
  EXPECT_EQ(Logger::ParseLevel("chatty"), LogLevel::kInfo);
}

}  // namespace
}  // namespace ttyhub
