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

TEST(LoggerTest, ParsesLevels) {
  EXPECT_EQ(Logger::ParseLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(Logger::ParseLevel("WARN"), LogLevel::kWarn);
  EXPECT_EQ(Logger::ParseLevel("error"), LogLevel::kError);
  EXPECT_EQ(Logger::ParseLevel("chatty"), LogLevel::kInfo);
}

}  // namespace
}  // namespace ttyhub
