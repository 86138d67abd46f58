// ConsoleLogGrep and CompileGrepRegex: what matches, what a match holds,
// bad regexes, budgets, and a pattern that would take a backtracking engine
// forever.
#include "engine/console_log_grep.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace ttyhub {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GrepTest : public ::testing::Test {
 protected:
  GrepTest() {
    char tmpl[] = "/tmp/console_log_grep_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/p.log";
  }
  ~GrepTest() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, const std::string& data) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
  }

  // Every match of `regex` in the log at path_ (and its rotated files), as
  // "time|text" (plus "<cut>").
  std::vector<std::string> Grep(const std::string& regex, bool timestamps, uint32_t keep = 0,
                                size_t max_line = 1000) {
    auto re = CompileGrepRegex(regex);
    EXPECT_TRUE(re.ok()) << re.status();
    if (!re.ok()) return {};
    auto files = ConsoleLogFiles::Open(path_, keep);
    EXPECT_TRUE(files.ok()) << files.status();
    ConsoleLogGrep grep(*files, 0, files->size(), **re, timestamps, max_line, UINT64_MAX);
    std::vector<std::string> out;
    LogMatch m;
    for (;;) {
      const ConsoleLogGrep::Step step = grep.Next(1 << 20, &m);
      if (step == ConsoleLogGrep::Step::kEnd) break;
      if (step == ConsoleLogGrep::Step::kMore) continue;
      out.push_back(absl::StrCat(m.time, "|", m.text, m.cut ? "<cut>" : ""));
    }
    return out;
  }

  std::string dir_;
  std::string path_;
};

constexpr char kStamp[] = "2026-12-01T09:00:00.123Z";

TEST_F(GrepTest, MatchesTheLineWithoutItsTimestampAndLineEnding) {
  Write(path_, absl::StrCat(kStamp, " Booting Linux\r\n", kStamp, " Kernel panic - not syncing\r\n",
                            "  continued: Kernel panic again\r\n", kStamp, " [input] echo panic\n",
                            kStamp, " login: "));
  EXPECT_THAT(Grep("panic", true),
              ElementsAre(absl::StrCat(kStamp, "|Kernel panic - not syncing"),
                          "|  continued: Kernel panic again",  // no stamp of its own
                          absl::StrCat(kStamp, "|[input] echo panic")));
  // Anchors work at the device's line, not at the timestamp.
  EXPECT_THAT(Grep("^Kernel", true),
              ElementsAre(absl::StrCat(kStamp, "|Kernel panic - not syncing")));
  EXPECT_THAT(Grep("syncing$", true),
              ElementsAre(absl::StrCat(kStamp, "|Kernel panic - not syncing")));
  EXPECT_THAT(Grep("login: $", true), ElementsAre(absl::StrCat(kStamp, "|login: ")));  // partial
  // The stamp itself is not searched.
  EXPECT_THAT(Grep("09:00", true), ElementsAre());
}

TEST_F(GrepTest, WithoutTimestampsTheWholeLineIsSearched) {
  Write(path_, absl::StrCat(kStamp, " looks like a stamp\nplain line\n"));
  EXPECT_THAT(Grep("stamp|plain", false),
              ElementsAre(absl::StrCat("|", kStamp, " looks like a stamp"), "|plain line"));
}

TEST_F(GrepTest, RotatedFilesOldestFirst) {
  Write(path_ + ".2", "error one\n");
  Write(path_ + ".1", "fine\nerror two\n");
  Write(path_, "error three\n");
  EXPECT_THAT(Grep("error", false, 2), ElementsAre("|error one", "|error two", "|error three"));
}

TEST_F(GrepTest, BinaryBytesAndHugeLines) {
  const std::string binary("\x1b[31mred\x00\xff alarm\r\n", 18);
  const std::string huge = "alarm at the start " + std::string(3 << 20, 'z') + " alarm at the end";
  Write(path_, binary + huge + "\nalarm after\n");
  const std::vector<std::string> got = Grep("alarm", false, 0, 1000);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "|" + binary.substr(0, 16));
  EXPECT_EQ(got[1], "|" + huge.substr(0, 1000) + "<cut>");
  EXPECT_EQ(got[2], "|alarm after");
  // Only the first max_line bytes of a long line are searched.
  EXPECT_THAT(Grep("at the end", false, 0, 1000), ElementsAre());
  // A NUL byte and invalid UTF-8 are matched as bytes.
  EXPECT_THAT(Grep("red\\x00", false), ::testing::SizeIs(1));
}

TEST_F(GrepTest, BadRegexesAreClearErrors) {
  auto empty = CompileGrepRegex("");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("re: is empty"));
  auto bad = CompileGrepRegex("(unclosed");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("re: is not a valid RE2 regular expression: "));
  EXPECT_THAT(bad.status().message(), HasSubstr("missing )"));
  auto backref = CompileGrepRegex("(a)\\1");  // RE2 has no backreferences
  EXPECT_EQ(backref.status().code(), absl::StatusCode::kInvalidArgument);
  auto long_text = CompileGrepRegex(std::string(kMaxGrepRegexBytes + 1, 'a'));
  EXPECT_THAT(long_text.status().message(), HasSubstr("at most 1024"));
  auto large = CompileGrepRegex("((((((((((a{100}){100}){100}){100})))))))");
  EXPECT_EQ(large.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GrepTest, ACatastrophicPatternForBacktrackingIsLinear) {
  // (a*)*b over a long run of a's: exponential for a backtracking engine.
  std::string text;
  for (int i = 0; i < 2000; ++i) text += std::string(500, 'a') + "\n";
  Write(path_, text);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Grep("(a*)*b", false), ElementsAre());
  EXPECT_THAT(Grep("(a|aa)+$x", false), ElementsAre());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(GrepTest, ReturnsWhenItsBudgetIsSpent) {
  std::string text;
  for (int i = 0; i < 200000; ++i) absl::StrAppend(&text, "nothing to see ", i, "\n");
  text += "needle\n";
  Write(path_, text);
  auto re = CompileGrepRegex("needle");
  ASSERT_TRUE(re.ok());
  auto files = ConsoleLogFiles::Open(path_, 0);
  ASSERT_TRUE(files.ok());
  ConsoleLogGrep grep(*files, 0, files->size(), **re, false, 1000, UINT64_MAX);
  LogMatch m;
  int steps = 0;
  ConsoleLogGrep::Step step;
  uint64_t last_read = 0;
  while ((step = grep.Next(100'000, &m)) == ConsoleLogGrep::Step::kMore) {
    ++steps;
    // One call reads its budget and at most one more block.
    EXPECT_LE(grep.bytes_read() - last_read, 100'000u + 64 * 1024);
    last_read = grep.bytes_read();
  }
  EXPECT_GT(steps, 10);
  ASSERT_EQ(step, ConsoleLogGrep::Step::kMatch);
  EXPECT_EQ(m.text, "needle");
  EXPECT_EQ(m.offset, text.size() - 7);
  EXPECT_EQ(grep.Next(100'000, &m), ConsoleLogGrep::Step::kEnd);
  EXPECT_FALSE(grep.read_limit_reached());

  // A read limit below the file's size: it ends early, and says so.
  ConsoleLogGrep limited(*files, 0, files->size(), **re, false, 1000, 500'000);
  while ((step = limited.Next(1 << 20, &m)) == ConsoleLogGrep::Step::kMore) {
  }
  EXPECT_EQ(step, ConsoleLogGrep::Step::kEnd);
  EXPECT_TRUE(limited.read_limit_reached());
}

}  // namespace
}  // namespace ttyhub
