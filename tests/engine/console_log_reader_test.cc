// ConsoleLogFiles, TailStart, SinceStart, LogLineScanner and cursors, on
// real files in a temporary directory: rotated files (some missing), partial
// last lines, binary bytes, logs without timestamps, huge lines.
#include "engine/console_log_reader.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

class Dir {
 public:
  Dir() {
    char tmpl[] = "/tmp/console_log_reader_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~Dir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void Write(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

void Append(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string ReadAll(const ConsoleLogFiles& files, uint64_t from = 0) {
  std::string out(files.size() - from, '\0');
  EXPECT_EQ(files.ReadAt(from, out.data(), out.size()), out.size());
  return out;
}

ConsoleLogFiles OpenOk(const std::string& path, uint32_t keep) {
  auto files = ConsoleLogFiles::Open(path, keep);
  EXPECT_TRUE(files.ok()) << files.status();
  return files.ok() ? *std::move(files) : ConsoleLogFiles();
}

// The log line prefix for `unix_ms`, as the writer makes it.
std::string Stamp(int64_t unix_ms) {
  const time_t s = static_cast<time_t>(unix_ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         static_cast<int>(unix_ms % 1000));
}

constexpr int64_t kT0 = 1796115600000;  // 2026-12-01T09:00:00.000Z

TEST(ParseLogTimestampTest, ReadsTheWritersFormat) {
  EXPECT_EQ(Stamp(kT0), "2026-12-01T09:00:00.000Z ");
  EXPECT_EQ(ParseLogTimestamp("2026-12-01T09:00:00.123Z hello"), kT0 + 123);
  EXPECT_EQ(ParseLogTimestamp("2026-12-01T09:00:00.123Z "), kT0 + 123);
  EXPECT_EQ(ParseLogTimestamp("1970-01-01T00:00:00.000Z x"), 0);
  EXPECT_EQ(ParseLogTimestamp("2024-02-29T23:59:59.999Z x"), 1709251199999);
  for (int64_t ms : {int64_t{0}, kT0, kT0 + 86'399'999, int64_t{951782400000}}) {
    EXPECT_EQ(ParseLogTimestamp(Stamp(ms) + "line"), ms) << Stamp(ms);
  }
}

TEST(ParseLogTimestampTest, RefusesAnythingElse) {
  for (const char* bad :
       {"", "2026-12-01T09:00:00.123Z", "2026-12-01T09:00:00.123Zx", "2026-12-01 09:00:00.123Z x",
        "2026-13-01T09:00:00.123Z x", "2026-02-29T09:00:00.123Z x", "2026-04-31T09:00:00.123Z x",
        "2026-12-00T09:00:00.123Z x", "2026-12-01T24:00:00.123Z x", "2026-12-01T09:60:00.123Z x",
        "2026-12-01T09:00:00,123Z x", "2026-12-01T09:00:00.12xZ x",
        "[input] 2026-12-01T09:00:00.123Z x", "+026-12-01T09:00:00.123Z x"}) {
    EXPECT_EQ(ParseLogTimestamp(bad), std::nullopt) << bad;
  }
}

TEST(LogCursorTest, RoundTripsAndRefusesGarbage) {
  const LogCursor c{123456, 789, 0xdeadbeefcafe};
  const std::string text = FormatLogCursor(c);
  EXPECT_EQ(text, "123456-789-deadbeefcafe");
  const std::optional<LogCursor> back = ParseLogCursor(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->inode, c.inode);
  EXPECT_EQ(back->offset, c.offset);
  EXPECT_EQ(back->fingerprint, c.fingerprint);
  for (const char* bad : {"", "1-2", "1-2-3-4", "a-2-3", "1-b-3", "1-2-", "-1-2-3", " 1-2-3",
                          "+1-2-3", "1-2-x", "1-2-12345678901234567", "99999999999999999999-1-1"}) {
    EXPECT_EQ(ParseLogCursor(bad), std::nullopt) << bad;
  }
}

TEST(ConsoleLogFilesTest, NoFileYetIsAnEmptyLog) {
  Dir dir;
  ConsoleLogFiles none = OpenOk(dir.File("p1.log"), 8);
  EXPECT_EQ(none.size(), 0u);
  EXPECT_TRUE(none.files().empty());
  EXPECT_EQ(none.CursorAt(0).inode, 0u);
  ConsoleLogFiles unnamed = OpenOk("", 8);
  EXPECT_EQ(unnamed.size(), 0u);
}

TEST(ConsoleLogFilesTest, RotatedFilesOldestFirstWithGaps) {
  Dir dir;
  const std::string path = dir.File("p1.log");
  Write(path + ".4", "four\n");
  Write(path + ".2", "two\n");  // .3 and .1 are missing
  Write(path, "now\npartial");
  Write(path + ".9", "beyond keep\n");
  ConsoleLogFiles files = OpenOk(path, 8);
  ASSERT_EQ(files.files().size(), 3u);
  EXPECT_EQ(files.files()[0].path, path + ".4");
  EXPECT_EQ(files.files()[1].path, path + ".2");
  EXPECT_EQ(files.files()[2].path, path);
  EXPECT_EQ(files.files()[1].begin, 5u);
  EXPECT_EQ(files.files()[2].begin, 9u);
  EXPECT_EQ(ReadAll(files), "four\ntwo\nnow\npartial");
  EXPECT_EQ(ReadAll(files, 2), "ur\ntwo\nnow\npartial");
  // Reads that cross a file boundary, and one past the end.
  char buf[8];
  EXPECT_EQ(files.ReadAt(4, buf, 3), 3u);
  EXPECT_EQ(std::string(buf, 3), "\ntw");
  EXPECT_EQ(files.ReadAt(files.size(), buf, 8), 0u);
  EXPECT_EQ(files.ReadAt(files.size() - 2, buf, 8), 2u);
}

TEST(ConsoleLogFilesTest, TheSnapshotIgnoresLaterWrites) {
  Dir dir;
  const std::string path = dir.File("p1.log");
  Write(path, "one\n");
  ConsoleLogFiles files = OpenOk(path, 2);
  Append(path, "two\n");
  EXPECT_EQ(files.size(), 4u);
  EXPECT_EQ(ReadAll(files), "one\n");
}

TEST(ConsoleLogFilesTest, AFileSeenTwiceDuringARotationIsReadOnce) {
  Dir dir;
  const std::string path = dir.File("p1.log");
  Write(path, "current\n");
  // As if the file was renamed to .1 between opening PATH and PATH.1.
  ASSERT_EQ(link(path.c_str(), (path + ".1").c_str()), 0);
  ConsoleLogFiles files = OpenOk(path, 3);
  EXPECT_EQ(files.files().size(), 1u);
  EXPECT_EQ(ReadAll(files), "current\n");
}

TEST(ConsoleLogFilesTest, WhatIsNotARegularFileIsAnErrorNamingIt) {
  Dir dir;
  const std::string path = dir.File("p1.log");
  Write(path, "x\n");
  ASSERT_EQ(mkfifo((path + ".1").c_str(), 0600), 0);  // must not hang the reader
  auto fifo = ConsoleLogFiles::Open(path, 2);
  ASSERT_FALSE(fifo.ok());
  EXPECT_THAT(fifo.status().message(), HasSubstr(path + ".1: not a regular file"));
  std::filesystem::create_directory(dir.File("d.log"));
  auto directory = ConsoleLogFiles::Open(dir.File("d.log"), 0);
  EXPECT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("d.log"));
}

// The lines TailStart selects, as text.
std::string Tail(const ConsoleLogFiles& files, size_t lines, uint64_t max_bytes = 1 << 20,
                 bool* truncated = nullptr) {
  bool t = false;
  const uint64_t start = TailStart(files, files.size(), lines, max_bytes, &t);
  if (truncated != nullptr) *truncated = t;
  return ReadAll(files, start);
}

TEST(TailStartTest, LastLinesWithAndWithoutFinalNewline) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path, "a\nb\nc\n");
  ConsoleLogFiles full = OpenOk(path, 0);
  EXPECT_EQ(Tail(full, 0), "");
  EXPECT_EQ(Tail(full, 1), "c\n");
  EXPECT_EQ(Tail(full, 2), "b\nc\n");
  EXPECT_EQ(Tail(full, 3), "a\nb\nc\n");
  bool truncated = true;
  EXPECT_EQ(Tail(full, 100000, 1 << 20, &truncated), "a\nb\nc\n");  // more than there are
  EXPECT_FALSE(truncated);

  Write(path, "a\nb\nprompt> ");  // a partial last line counts as a line
  ConsoleLogFiles partial = OpenOk(path, 0);
  EXPECT_EQ(Tail(partial, 1), "prompt> ");
  EXPECT_EQ(Tail(partial, 2), "b\nprompt> ");

  Write(path, "no newline at all");
  ConsoleLogFiles one = OpenOk(path, 0);
  EXPECT_EQ(Tail(one, 1), "no newline at all");
  EXPECT_EQ(Tail(one, 5), "no newline at all");

  Write(path, "\n\n\n");
  ConsoleLogFiles empty_lines = OpenOk(path, 0);
  EXPECT_EQ(Tail(empty_lines, 2), "\n\n");

  Write(path, "");
  ConsoleLogFiles empty = OpenOk(path, 0);
  EXPECT_EQ(Tail(empty, 10), "");
}

TEST(TailStartTest, ReadsBackAcrossRotatedFilesOnlyAsFarAsNeeded) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path + ".2", "old1\nold2\n");
  Write(path + ".1", "mid1\nmid2\n");
  Write(path, "new1\n");
  ConsoleLogFiles files = OpenOk(path, 2);
  EXPECT_EQ(Tail(files, 1), "new1\n");
  EXPECT_EQ(Tail(files, 2), "mid2\nnew1\n");
  EXPECT_EQ(Tail(files, 4), "old2\nmid1\nmid2\nnew1\n");
  EXPECT_EQ(Tail(files, 9), "old1\nold2\nmid1\nmid2\nnew1\n");
  // A line the writer split over a rotation (no timestamps: rotation may
  // fall mid-line) is one line of the stream.
  Write(path + ".1", "mid1\nhalf a ");
  Write(path, "line\nnew1\n");
  ConsoleLogFiles split = OpenOk(path, 2);
  EXPECT_EQ(Tail(split, 2), "half a line\nnew1\n");
}

TEST(TailStartTest, BoundedInBytes) {
  Dir dir;
  const std::string path = dir.File("p.log");
  std::string text;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&text, "line ", 1000 + i, "\n");  // 10 bytes
  Write(path, text);
  ConsoleLogFiles files = OpenOk(path, 0);
  bool truncated = false;
  // 100 lines take 1000 bytes; 95 bytes hold the last 9 lines and a half.
  EXPECT_EQ(Tail(files, 100, 95, &truncated), text.substr(text.size() - 90));
  EXPECT_TRUE(truncated);
  EXPECT_EQ(Tail(files, 9, 95, &truncated), text.substr(text.size() - 90));
  EXPECT_FALSE(truncated);
  EXPECT_EQ(Tail(files, 100, 100, &truncated), text.substr(text.size() - 100));
  EXPECT_TRUE(truncated);  // 10 whole lines fit exactly, 90 more were asked for

  // One huge line, longer than the cap: its last max_bytes, mid-line.
  std::string huge(3 << 20, 'x');
  huge[0] = 'S';
  Write(path, "before\n" + huge);
  ConsoleLogFiles big = OpenOk(path, 0);
  EXPECT_EQ(Tail(big, 1, 1 << 20, &truncated), std::string(1 << 20, 'x'));
  EXPECT_TRUE(truncated);
  EXPECT_EQ(Tail(big, 1, 4 << 20, &truncated), huge);
  EXPECT_FALSE(truncated);
}

TEST(TailStartTest, BinaryBytesAreJustBytes) {
  Dir dir;
  const std::string path = dir.File("p.log");
  const std::string binary("\x00\xff\x1b[2J\r\n\x00\x00\xfe\n\x01", 13);
  Write(path, binary);
  ConsoleLogFiles files = OpenOk(path, 0);
  EXPECT_EQ(Tail(files, 1), std::string("\x01", 1));
  EXPECT_EQ(Tail(files, 2), std::string("\x00\x00\xfe\n\x01", 5));
  EXPECT_EQ(Tail(files, 3), binary);
}

// A timestamped log over three files, one line a second from kT0, every
// fifth line followed by a continuation without timestamp, and some input
// and marker lines. Returns each stamped line's stream offset and time.
struct Written {
  std::vector<std::pair<uint64_t, int64_t>> stamped;
  std::string all;
};
Written WriteStampedLog(const std::string& path, int lines) {
  Written w;
  std::string files[3];
  for (int i = 0; i < lines; ++i) {
    std::string& f = files[i * 3 / lines];
    const int64_t ms = kT0 + i * 1000LL;
    w.stamped.emplace_back(w.all.size(), ms);
    std::string line = Stamp(ms);
    if (i % 17 == 3) {
      absl::StrAppend(&line, "[input] show version\n");
    } else if (i % 29 == 5) {
      absl::StrAppend(&line, "--- ttyhub: 12 bytes not logged (disk too slow) ---\n");
    } else {
      absl::StrAppend(&line, "console line ", i, " some text to make it longer\r\n");
    }
    if (i % 5 == 0) absl::StrAppend(&line, "continued without a stamp\r\n");
    f += line;
    w.all += line;
  }
  Write(path + ".2", files[0]);
  Write(path + ".1", files[1]);
  Write(path, files[2]);
  return w;
}

TEST(SinceStartTest, FindsTheFirstLineAtOrAfterATime) {
  Dir dir;
  const std::string path = dir.File("p.log");
  constexpr int kLines = 30000;  // about 2 MB: many binary-search steps
  const Written w = WriteStampedLog(path, kLines);
  ConsoleLogFiles files = OpenOk(path, 2);
  ASSERT_EQ(ReadAll(files), w.all);
  const uint64_t end = files.size();
  for (int i : {0, 1, 2, 5, 999, 10000, 10001, 19999, 20000, 20001, 29998, 29999}) {
    auto at = SinceStart(files, end, kT0 + i * 1000LL);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, w.stamped[i].first) << i;
    // Between two lines' times: the later line.
    auto between = SinceStart(files, end, kT0 + i * 1000LL - 500);
    ASSERT_TRUE(between.ok());
    EXPECT_EQ(*between, w.stamped[i].first) << i;
  }
  EXPECT_EQ(*SinceStart(files, end, kT0 - 3600'000), 0u);
  EXPECT_EQ(*SinceStart(files, end, kT0 + kLines * 1000LL), end);
  // Only part of the stream: the answer is bounded by `end`.
  EXPECT_EQ(*SinceStart(files, w.stamped[100].first, kT0 + 200'000), w.stamped[100].first);
}

TEST(SinceStartTest, OldLinesWithoutTimestampsCountAsOlder) {
  Dir dir;
  const std::string path = dir.File("p.log");
  // The first 200 KB were written before timestamps were turned on.
  std::string text;
  while (text.size() < 200'000) text += "an old line from before timestamps\n";
  const uint64_t stamped_from = text.size();
  for (int i = 0; i < 100; ++i) absl::StrAppend(&text, Stamp(kT0 + i * 1000), "line ", i, "\n");
  Write(path, text);
  ConsoleLogFiles files = OpenOk(path, 0);
  EXPECT_EQ(*SinceStart(files, files.size(), kT0 - 1), stamped_from);
  auto at = SinceStart(files, files.size(), kT0 + 50'000);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(text.substr(*at, 29), Stamp(kT0 + 50'000) + "line");
}

TEST(SinceStartTest, GivesUpBeyondItsScanLimit) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path, std::string(100'000, 'x') + "\n");  // no timestamp anywhere
  ConsoleLogFiles files = OpenOk(path, 0);
  auto at = SinceStart(files, files.size(), kT0, /*max_scan=*/1000);
  EXPECT_EQ(at.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(*SinceStart(files, files.size(), kT0), files.size());  // within the default
}

std::vector<std::string> ScanAll(const ConsoleLogFiles& files, uint64_t begin, uint64_t end,
                                 size_t max_line, uint64_t max_read = UINT64_MAX,
                                 bool* limited = nullptr) {
  LogLineScanner scanner(files, begin, end, max_line, max_read);
  LogLineScanner::Line line;
  std::vector<std::string> out;
  uint64_t expected_offset = begin;
  while (scanner.Next(&line)) {
    std::string s(line.text);
    if (line.cut) s += "<cut>";
    if (!line.complete) s += "<partial>";
    out.push_back(s);
    EXPECT_GE(line.offset, expected_offset);
    expected_offset = line.offset + 1;
  }
  if (limited != nullptr) *limited = scanner.read_limit_reached();
  return out;
}

TEST(LogLineScannerTest, LinesAcrossFilesPartialLastLineAndBinary) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path + ".1", std::string("one\r\ntw", 7));
  Write(path, std::string("o\n\x00\xff\x1b[0m\nlast", 13));
  ConsoleLogFiles files = OpenOk(path, 1);
  EXPECT_THAT(
      ScanAll(files, 0, files.size(), 100),
      ::testing::ElementsAre("one\r", "two", std::string("\x00\xff\x1b[0m", 6), "last<partial>"));
  EXPECT_THAT(ScanAll(files, 5, 9, 100), ::testing::ElementsAre("two"));
  EXPECT_THAT(ScanAll(files, 5, 8, 100), ::testing::ElementsAre("two<partial>"));
}

TEST(LogLineScannerTest, HugeLinesAreCutAndSkipped) {
  Dir dir;
  const std::string path = dir.File("p.log");
  const std::string huge(5 << 20, 'h');
  Write(path, "short\n" + huge + "\nafter\n" + huge);
  ConsoleLogFiles files = OpenOk(path, 0);
  const std::vector<std::string> lines = ScanAll(files, 0, files.size(), 1000);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "short");
  EXPECT_EQ(lines[1], std::string(1000, 'h') + "<cut><partial>");
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(lines[3], std::string(1000, 'h') + "<cut><partial>");
  // The offsets of the lines after a cut one are right.
  LogLineScanner scanner(files, 0, files.size(), 1000);
  LogLineScanner::Line line;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(scanner.Next(&line));
  EXPECT_EQ(line.offset, 6 + huge.size() + 1);
}

TEST(LogLineScannerTest, StopsAtItsReadLimit) {
  Dir dir;
  const std::string path = dir.File("p.log");
  std::string text;
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&text, "line ", i, "\n");
  Write(path, text);
  ConsoleLogFiles files = OpenOk(path, 0);
  bool limited = false;
  const auto lines = ScanAll(files, 0, files.size(), 100, 200'000, &limited);
  EXPECT_TRUE(limited);
  EXPECT_LT(lines.size(), 100000u);
  EXPECT_GT(lines.size(), 10000u);
  ScanAll(files, 0, files.size(), 100, UINT64_MAX, &limited);
  EXPECT_FALSE(limited);
}

TEST(LogCursorTest, FollowsTheFileThroughARotation) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path, Stamp(kT0) + "first\n");
  ConsoleLogFiles before = OpenOk(path, 3);
  const LogCursor at_end = before.CursorAt(before.size());
  const LogCursor at_start = before.CursorAt(0);
  Append(path, Stamp(kT0 + 1) + "second\n");
  // Rotation: the current file becomes .1, a new one starts.
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  Write(path, Stamp(kT0 + 2) + "third\n");
  ConsoleLogFiles after = OpenOk(path, 3);
  const std::optional<uint64_t> found = after.Find(at_end);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(ReadAll(after, *found), Stamp(kT0 + 1) + "second\n" + Stamp(kT0 + 2) + "third\n");
  EXPECT_EQ(after.Find(at_start), 0u);

  // The file truncated and rewritten in place (copytruncate): not the same.
  Write(path + ".1", Stamp(kT0 + 5) + "rewritten, and longer than before\n");
  ConsoleLogFiles rewritten = OpenOk(path, 3);
  EXPECT_EQ(rewritten.Find(at_end), std::nullopt);
  // Deleted (rotated past keep): gone.
  std::filesystem::remove(path + ".1");
  ConsoleLogFiles gone = OpenOk(path, 3);
  EXPECT_EQ(gone.Find(at_end), std::nullopt);
  EXPECT_EQ(gone.Find(LogCursor{}), std::nullopt);
}

TEST(LogCursorTest, AtTheEndOfAnEmptyCurrentFile) {
  Dir dir;
  const std::string path = dir.File("p.log");
  Write(path + ".1", "rotated\n");
  Write(path, "");
  ConsoleLogFiles files = OpenOk(path, 1);
  const LogCursor end = files.CursorAt(files.size());
  EXPECT_EQ(end.inode, files.files().back().inode);
  EXPECT_EQ(end.offset, 0u);
  Append(path, "new\n");
  ConsoleLogFiles later = OpenOk(path, 1);
  ASSERT_TRUE(later.Find(end).has_value());
  EXPECT_EQ(ReadAll(later, *later.Find(end)), "new\n");
}

}  // namespace
}  // namespace ttyhub
