// ttyhubctl's log text: URL encoding, terminal-safe grep lines (no escape
// sequence from a device reaches the terminal), NDJSON line splitting, and
// the notes from grep's final record.
#include "tools/ctl/log_output.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LogOutputTest, UrlEncode) {
  EXPECT_EQ(UrlEncode("Kernel panic|Oops:"), "Kernel%20panic%7COops%3A");
  EXPECT_EQ(UrlEncode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(UrlEncode("&x=1#?/%+"), "%26x%3D1%23%3F%2F%25%2B");
  EXPECT_EQ(UrlEncode(std::string("\x00\xff", 2)), "%00%FF");
}

TEST(LogOutputTest, TerminalSafeShowsControlsInsteadOfSendingThem) {
  EXPECT_EQ(TerminalSafe("plain text\twith tab"), "plain text\twith tab");
  EXPECT_EQ(TerminalSafe("\x1b[2J\x1b]0;title\x07"), "\\x1b[2J\\x1b]0;title\\x07");
  EXPECT_EQ(TerminalSafe("cr\rlf\nbs\x08"
                         "del\x7f"),
            "cr\\x0dlf\\x0abs\\x08del\\x7f");
  EXPECT_EQ(TerminalSafe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // UTF-8 text passes
  EXPECT_EQ(TerminalSafe("\xc2\x9b"
                         "31m"),
            "\\u009b31m");  // C1 CSI
  EXPECT_EQ(TerminalSafe("\xc2\x85"), "\\u0085");
  EXPECT_EQ(TerminalSafe("\xc2\xa0"), "\xc2\xa0");             // NBSP is not a control
  EXPECT_EQ(TerminalSafe("\xff\xc3"), "\\xff\\xc3");           // not UTF-8
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(TerminalSafe(std::string("nul\0", 4)), "nul\\x00");
  // Whatever goes in, no ESC, C1 or other control reaches the output.
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
    all += "\xc2";
    all.push_back(static_cast<char>(i));
  }
  const std::string safe = TerminalSafe(all);
  for (size_t i = 0; i < safe.size(); ++i) {
    const auto c = static_cast<unsigned char>(safe[i]);
    EXPECT_FALSE(c < 0x20 && c != '\t') << i;
    EXPECT_NE(c, 0x7f) << i;
    if (c == 0xc2 && i + 1 < safe.size()) {
      EXPECT_GE(static_cast<unsigned char>(safe[i + 1]), 0xa0) << i;
    }
  }
}

TEST(LogOutputTest, LineSplitterKeepsPartialLines) {
  LineSplitter s;
  EXPECT_THAT(s.Feed("{\"a\":1}\n{\"b\""), ElementsAre("{\"a\":1}"));
  EXPECT_THAT(s.Feed(":2}"), ElementsAre());
  EXPECT_THAT(s.Feed("\n\n{\"c\":3}\n"), ElementsAre("{\"b\":2}", "", "{\"c\":3}"));
  EXPECT_EQ(s.rest(), "");
  s.Feed("tail");
  EXPECT_EQ(s.rest(), "tail");
}

TEST(LogOutputTest, GrepMatchLines) {
  EXPECT_EQ(
      RenderGrepMatch(nlohmann::json::parse(
          R"({"port":"sw1","time":"2026-12-01T09:00:00.123Z","line":"\u001b[31mKernel panic"})")),
      "sw1 2026-12-01T09:00:00.123Z \\x1b[31mKernel panic\n");
  EXPECT_EQ(RenderGrepMatch(nlohmann::json::parse(R"({"port":"p2","time":null,"line":"x"})")),
            "p2 - x\n");
  EXPECT_EQ(RenderGrepMatch(nlohmann::json::parse(R"({"port":"p2","line":"long","cut":true})")),
            "p2 - long [line cut: too long]\n");
}

TEST(LogOutputTest, GrepEndNotes) {
  EXPECT_THAT(GrepEndNotes(nlohmann::json::parse(
                  R"({"matches":3,"searched":["a"],"skipped":[],"errors":[],"truncated":null})")),
              ElementsAre());
  const auto notes = GrepEndNotes(nlohmann::json::parse(R"({"matches":10000,"searched":["a"],
      "skipped":[{"port":"b","reason":"its log has no timestamps, so since cannot apply"}],
      "errors":[{"port":"c","error":"cannot read console log /x: Permission denied"}],
      "truncated":"max_matches"})"));
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0], "port b not searched: its log has no timestamps, so since cannot apply");
  EXPECT_EQ(notes[1], "port c: cannot read console log /x: Permission denied");
  EXPECT_THAT(notes[2], HasSubstr("stopped early, at the limit on matches"));
  EXPECT_THAT(GrepEndNotes(nlohmann::json::parse(
                  R"({"matches":0,"searched":[],"skipped":[],"errors":[],"truncated":null})")),
              ElementsAre(HasSubstr("no port has a console log")));
}

}  // namespace
}  // namespace ttyhub::ctl
