// AlertMatcher: line assembly across feeds, CRLF, several alerts on one line,
// long lines bounded, binary junk shown safely, and linear-time matching of
// patterns that are catastrophic for a backtracking engine.
#include "engine/alert_matcher.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::ElementsAre;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class AlertMatcherTest : public ::testing::Test {
 protected:
  void Make(std::vector<AlertConfig> alerts) {
    auto m = AlertMatcher::Create(alerts);
    ASSERT_TRUE(m.ok()) << m.status();
    matcher_ = *std::move(m);
  }
  // Feeds `text` at time `now_ms`; records "alert:line" per match.
  void Feed(const std::string& text, int64_t now_ms = 1000) {
    matcher_->Feed(Bytes(text), now_ms,
                   [&](const AlertStats& a) { events_.push_back(a.name + ":" + a.last_line); });
  }
  const AlertStats& Alert(size_t i) const { return matcher_->alerts()[i]; }

  std::unique_ptr<AlertMatcher> matcher_;
  std::vector<std::string> events_;
};

TEST_F(AlertMatcherTest, MatchesACompleteLineOnce) {
  Make({{"panic", "Kernel panic|Oops:"}});
  Feed("booting\nKernel panic - not syncing: VFS\nfine\n", 1234);
  EXPECT_THAT(events_, ElementsAre("panic:Kernel panic - not syncing: VFS"));
  EXPECT_EQ(Alert(0).name, "panic");
  EXPECT_EQ(Alert(0).matches, 1u);
  EXPECT_EQ(Alert(0).last_match_unix_ms, 1234);
  EXPECT_EQ(Alert(0).last_line, "Kernel panic - not syncing: VFS");
}

TEST_F(AlertMatcherTest, ALineSplitAcrossFeedsWaitsForItsEnd) {
  Make({{"panic", "Kernel panic - not syncing"}});
  Feed("Kernel pa");
  Feed("nic - not");
  EXPECT_TRUE(events_.empty()) << "a partial line is not matched yet";
  Feed(" syncing\r\nnext", 2000);
  EXPECT_THAT(events_, ElementsAre("panic:Kernel panic - not syncing"));
  EXPECT_EQ(Alert(0).last_match_unix_ms, 2000);
}

TEST_F(AlertMatcherTest, CrlfLinesLoseTheirCarriageReturn) {
  Make({{"eol", "done$"}});
  Feed("step done\r\n");
  EXPECT_THAT(events_, ElementsAre("eol:step done"));
  // Split between the \r and the \n.
  Feed("again done\r");
  Feed("\n");
  EXPECT_EQ(Alert(0).matches, 2u);
  EXPECT_EQ(Alert(0).last_line, "again done");
}

TEST_F(AlertMatcherTest, SeveralAlertsOnOneLineEachCountOnce) {
  Make({{"oops", "Oops"}, {"trace", "Call Trace"}, {"never", "unrelated"}});
  Feed("Oops: Call Trace Oops Oops\n");
  EXPECT_THAT(events_,
              ElementsAre("oops:Oops: Call Trace Oops Oops", "trace:Oops: Call Trace Oops Oops"));
  EXPECT_EQ(Alert(0).matches, 1u) << "one line counts once, however often it matches";
  EXPECT_EQ(Alert(1).matches, 1u);
  EXPECT_EQ(Alert(2).matches, 0u);
  EXPECT_EQ(Alert(2).last_match_unix_ms, 0);
}

TEST_F(AlertMatcherTest, LongLinesAreMatchedInBoundedPieces) {
  Make({{"x", "x"}, {"end", "END"}});
  // 10 KiB without a newline: two full pieces are matched as they fill, the
  // remaining 2 KiB waits.
  std::string line(10 * 1024, 'x');
  Feed(line.substr(0, 3000));
  Feed(line.substr(3000));
  EXPECT_EQ(Alert(0).matches, 2u);
  EXPECT_EQ(Alert(0).last_line.size(), AlertMatcher::kMaxShownLineBytes);
  Feed("END\n");
  EXPECT_EQ(Alert(0).matches, 3u);
  EXPECT_EQ(Alert(1).matches, 1u);
  // A line of exactly kMaxLineBytes plus its newline is one line.
  Feed(std::string(AlertMatcher::kMaxLineBytes, 'x') + "\n");
  EXPECT_EQ(Alert(0).matches, 4u);
}

TEST_F(AlertMatcherTest, BinaryJunkIsMatchedAndShownEscaped) {
  Make({{"panic", "panic"}});
  static constexpr char kJunk[] = "\x01\xff\x00panic\x1b[0m\\\x00";
  const std::string junk(kJunk, sizeof(kJunk) - 1);
  Feed(junk + "\n");
  ASSERT_EQ(Alert(0).matches, 1u);
  EXPECT_EQ(Alert(0).last_line, "\\x01\\xff\\x00panic\\x1b[0m\\x5c\\x00");
  // Random bytes, with and without newlines, never crash and match nothing.
  std::string noise;
  uint32_t state = 12345;
  for (int i = 0; i < 100000; ++i) {
    state = state * 1103515245 + 12345;
    noise.push_back(static_cast<char>((state >> 16) & 0xff));
  }
  Feed(noise);
  Feed("\n");
  SUCCEED();
}

TEST_F(AlertMatcherTest, CatastrophicPatternsForBacktrackingCompleteAtOnce) {
  // Each makes a backtracking engine exponential in the length of a run of
  // 'a' or 'x' that does not match (a 30-byte run already takes it ~2^30
  // steps); RE2 is linear in the input. The bound is generous: this checks
  // that matching completes, not how fast.
  Make({{"nested", "(a+)+b"}, {"pairs", "(x+x+)+y"}, {"anchored", "^(a+)+$"}});
  const std::string a_line(100 * 1024, 'a');  // matched as 25 pieces of 4 KiB
  const std::string x_line(100 * 1024, 'x');
  std::string short_lines;  // 100 KB of lines that fail ^(a+)+$ at their last byte
  while (short_lines.size() < 100 * 1024) short_lines += std::string(40, 'a') + "!\n";
  const auto start = std::chrono::steady_clock::now();
  Feed(a_line + "\n");
  Feed(x_line + "\n");
  const uint64_t anchored_on_pieces = Alert(2).matches;  // all-'a' pieces match ^(a+)+$
  Feed(short_lines);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(Alert(0).matches, 0u);
  EXPECT_EQ(Alert(1).matches, 0u);
  EXPECT_EQ(Alert(2).matches, anchored_on_pieces) << "no short line matches";
  // And they still match what they should.
  Feed("aaaaaaab\nxxxxxxxxxxxxxy\naaaa\n");
  EXPECT_EQ(Alert(0).matches, 1u);
  EXPECT_EQ(Alert(1).matches, 1u);
  EXPECT_EQ(Alert(2).matches, anchored_on_pieces + 1);
}

TEST_F(AlertMatcherTest, CreateRefusesAnEmptyList) { EXPECT_FALSE(AlertMatcher::Create({}).ok()); }

}  // namespace
}  // namespace ttyhub
