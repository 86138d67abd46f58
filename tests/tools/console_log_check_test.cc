// Unit tests of ttyhub-bench's console log check (ttyhub-log): a log laid
// out as ttyhub writes it (a timestamp at each line's start, marker lines
// for what was not logged) verifies against the device's stream, whatever
// the chunking and file boundaries; loss with no marker, a corrupt byte, a
// line without a timestamp and a log that ends early are each caught; a
// line end the writer put before a marker is told from a device byte.
#include "tools/bench/console_log_check.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/bench/pattern.h"

namespace ttyhub::bench {
namespace {

const uint64_t kSeed = PatternSeed(3);
constexpr const char* kStamp = "2026-12-01T09:00:00.123Z ";
constexpr int64_t kStampMs = 1796115600123;  // kStamp in ms since the epoch

std::string Stream(uint64_t from, uint64_t to) {
  std::string s(to - from, '\0');
  FillPattern(kSeed, from, reinterpret_cast<uint8_t*>(s.data()), s.size());
  return s;
}

// The device's bytes [from, to) as ttyhub logs them: each line stamped; a
// last line with no '\n' is written stamped and left open.
std::string Logged(uint64_t from, uint64_t to) {
  const std::string device = Stream(from, to);
  std::string out;
  size_t pos = 0;
  while (pos < device.size()) {
    size_t end = device.find('\n', pos);
    end = end == std::string::npos ? device.size() : end + 1;
    absl::StrAppend(&out, kStamp, device.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::string Marker(uint64_t bytes) {
  return absl::StrCat(kStamp, "--- ttyhub: ", bytes, " bytes not logged (disk too slow) ---\n");
}

// The first stream offset >= `at` that is not a '\n' and not right after one
// (so that a line is open there).
uint64_t MidLine(uint64_t at) {
  const std::string s = Stream(0, at + 4096);
  while (s[at] == '\n' || (at > 0 && s[at - 1] == '\n')) ++at;
  return at;
}

// The first stream offset >= `at` right after a '\n'.
uint64_t LineStart(uint64_t at) {
  const std::string s = Stream(0, at + 8192);
  while (s[at - 1] != '\n') ++at;
  return at;
}

ConsoleLogCheck Parse(const std::vector<std::string>& files, size_t chunk) {
  ConsoleLogParser parser(kSeed);
  for (const std::string& f : files) {
    parser.BeginFile();
    for (size_t i = 0; i < f.size(); i += chunk) {
      parser.Feed(reinterpret_cast<const uint8_t*>(f.data()) + i, std::min(chunk, f.size() - i));
    }
  }
  return parser.Finish();
}

TEST(ConsoleLogCheckTest, ParsesTimestamps) {
  EXPECT_EQ(ConsoleLogParser::ParseStamp(kStamp, 25), kStampMs);
  EXPECT_FALSE(ConsoleLogParser::ParseStamp(kStamp, 24).has_value());
  EXPECT_FALSE(ConsoleLogParser::ParseStamp("2026-12-01 09:00:00.123Z ", 25).has_value());
  EXPECT_FALSE(ConsoleLogParser::ParseStamp("2026-12-01T09:00:00.123Z_", 25).has_value());
}

TEST(ConsoleLogCheckTest, ACompleteLogVerifiesWhateverTheChunking) {
  const uint64_t end = 200000;
  const std::string log = Logged(0, end);
  for (size_t chunk : {1u, 7u, 37u, 4096u, 1u << 20}) {
    const ConsoleLogCheck c = Parse({log}, chunk);
    EXPECT_TRUE(c.verify.Clean()) << chunk << ": " << c.verify.Describe();
    EXPECT_EQ(c.verify.verified_bytes, end) << chunk;
    EXPECT_EQ(c.device_bytes, end) << chunk;
    EXPECT_EQ(c.end_offset, end) << chunk;
    EXPECT_EQ(c.first_offset, 0u) << chunk;
    EXPECT_EQ(c.lines_without_timestamp, 0u) << chunk;
    EXPECT_EQ(c.marker_lines, 0u) << chunk;
    EXPECT_EQ(c.unannounced_gap_bytes, 0u) << chunk;
    EXPECT_EQ(c.file_bytes, log.size()) << chunk;
    EXPECT_EQ(c.first_stamp_ms, kStampMs);
    EXPECT_GT(c.lines, 200000u / 512);  // about one '\n' in 256 bytes
  }
}

TEST(ConsoleLogCheckTest, RotatedFilesReadInOrderAreOneStream) {
  const uint64_t cut = LineStart(50000), end = 120000;
  const ConsoleLogCheck c = Parse({Logged(0, cut), Logged(cut, end)}, 4096);
  EXPECT_TRUE(c.verify.Clean()) << c.verify.Describe();
  EXPECT_EQ(c.verify.verified_bytes, end);
  EXPECT_EQ(c.files, 2u);
  EXPECT_EQ(c.continued_lines, 0u);
}

TEST(ConsoleLogCheckTest, ALineSplitAcrossFilesIsOneLine) {
  const uint64_t end = 120000;
  const std::string log = Logged(0, end);
  // Split inside a line, as rotation does with a line too long for a file:
  // in its device bytes, and in its timestamp.
  size_t line = log.find('\n', 60000) + 1;
  while (log.find('\n', line) - line < 25 + 10) line = log.find('\n', line) + 1;
  for (size_t split : {line + 25 + 5, line + 10}) {
    const ConsoleLogCheck c = Parse({log.substr(0, split), log.substr(split)}, 4096);
    EXPECT_TRUE(c.verify.Clean()) << split << ": " << c.verify.Describe();
    EXPECT_EQ(c.verify.verified_bytes, end) << split;
    EXPECT_EQ(c.continued_lines, 0u) << split;
    EXPECT_EQ(c.lines_without_timestamp, 0u) << split;
  }
}

TEST(ConsoleLogCheckTest, TheOldestFileMayBeginInTheMiddleOfALine) {
  // Its predecessor, which held the line's start, was deleted by rotation.
  const std::string log = Logged(0, 120000);
  const size_t split = log.find('\n', 60000) + 1 + 25 + 5;
  const ConsoleLogCheck c = Parse({log.substr(split)}, 4096);
  EXPECT_EQ(c.continued_lines, 1u);
  EXPECT_EQ(c.lines_without_timestamp, 0u);
  EXPECT_TRUE(c.verify.Clean()) << c.verify.Describe();
  EXPECT_EQ(c.end_offset, 120000u);
}

TEST(ConsoleLogCheckTest, LossAnnouncedByAMarkerIsAGapNotAFinding) {
  const uint64_t from = LineStart(30000), lost = 70000, end = 150000;
  const std::string log = Logged(0, from) + Marker(lost) + Logged(from + lost, end);
  const ConsoleLogCheck c = Parse({log}, 999);
  EXPECT_EQ(c.marker_lines, 1u);
  EXPECT_EQ(c.marker_bytes, lost);
  EXPECT_EQ(c.verify.gaps, 1u);
  EXPECT_EQ(c.verify.gap_bytes, lost);
  EXPECT_EQ(c.verify.corrupt_bytes, 0u);
  EXPECT_EQ(c.verify.backward_jumps, 0u);
  EXPECT_EQ(c.unannounced_gap_bytes, 0u);
  EXPECT_EQ(c.inserted_line_ends, 0u);
  EXPECT_EQ(c.end_offset, end);
}

TEST(ConsoleLogCheckTest, TheLineEndTheWriterPutBeforeAMarkerIsNotADeviceByte) {
  // The ring lapped the logger in the middle of a line: the writer ends
  // the partial line itself, then writes the marker.
  const uint64_t from = MidLine(30000), lost = 5000, end = 90000;
  const std::string log = Logged(0, from) + "\n" + Marker(lost) + Logged(from + lost, end);
  for (size_t chunk : {1u, 4096u}) {
    const ConsoleLogCheck c = Parse({log}, chunk);
    EXPECT_EQ(c.inserted_line_ends, 1u) << chunk;
    EXPECT_EQ(c.verify.corrupt_bytes, 0u) << chunk;
    EXPECT_EQ(c.verify.gap_bytes, lost) << chunk;
    EXPECT_EQ(c.unannounced_gap_bytes, 0u) << chunk;
  }
}

TEST(ConsoleLogCheckTest, LossWithNoMarkerIsCaught) {
  const uint64_t from = LineStart(30000), end = 150000;
  const uint64_t resume = LineStart(from + 20000);
  const ConsoleLogCheck c = Parse({Logged(0, from) + Logged(resume, end)}, 4096);
  EXPECT_EQ(c.verify.gap_bytes, resume - from);
  EXPECT_EQ(c.unannounced_gap_bytes, resume - from);
}

TEST(ConsoleLogCheckTest, AMarkerCoversOnlyTheGapAfterIt) {
  const uint64_t a = LineStart(20000), b = LineStart(a + 1000), c_from = LineStart(b + 20000);
  const uint64_t d = LineStart(c_from + 3000), end = d + 30000;
  // Announced: the first gap (b - a). Not announced: the second (d - c_from).
  const std::string log = Logged(0, a) + Marker(b - a) + Logged(b, c_from) + Logged(d, end);
  const ConsoleLogCheck c = Parse({log}, 4096);
  EXPECT_EQ(c.verify.gaps, 2u);
  EXPECT_EQ(c.unannounced_gap_bytes, d - c_from);
}

TEST(ConsoleLogCheckTest, ACorruptByteIsCaught) {
  std::string log = Logged(0, 100000);
  const size_t at = log.find('\n', 50000) + 1 + 25 + 100;  // inside a line's device bytes
  log[at] = static_cast<char>(log[at] ^ 0x5a);
  if (log[at] == '\n') log[at] = 'x';
  const ConsoleLogCheck c = Parse({log}, 4096);
  EXPECT_GT(c.verify.corrupt_bytes, 0u);
}

TEST(ConsoleLogCheckTest, ALineWithoutATimestampIsCaught) {
  std::string log = Logged(0, 100000);
  const size_t line = log.find('\n', 50000) + 1;
  log.replace(line, 25, "");  // its stamp gone
  const ConsoleLogCheck c = Parse({log}, 4096);
  EXPECT_EQ(c.lines_without_timestamp, 1u);
  EXPECT_FALSE(c.first_bad_line.empty());
}

TEST(ConsoleLogCheckTest, ALogThatEndsEarlyShowsWhereItEnds) {
  const uint64_t end = MidLine(80000);
  const ConsoleLogCheck c = Parse({Logged(0, end)}, 4096);
  EXPECT_EQ(c.end_offset, end);  // the caller compares it with the device's end
  EXPECT_TRUE(c.verify.Clean());
}

TEST(ConsoleLogCheckTest, ReadsRotatedFilesOldestFirstAndSkipsMissingOnes) {
  char dir_template[] = "/tmp/console_log_check_test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string path = absl::StrCat(dir_template, "/p0.log");
  const uint64_t a = LineStart(40000), b = LineStart(90000), end = 130000;
  // PATH.3 (oldest kept), no PATH.2, PATH.1, then PATH.
  std::ofstream(path + ".3") << Logged(0, a);
  std::ofstream(path + ".1") << Logged(a, b);
  std::ofstream(path) << Logged(b, end);
  const absl::StatusOr<ConsoleLogCheck> c = CheckConsoleLog(path, 8, kSeed);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->files, 3u);
  EXPECT_TRUE(c->verify.Clean()) << c->verify.Describe();
  EXPECT_EQ(c->verify.verified_bytes, end);
  EXPECT_TRUE(absl::IsNotFound(CheckConsoleLog(path + "-none", 8, kSeed).status()));
  for (const char* f : {".3", ".1", ""}) unlink((path + f).c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace ttyhub::bench
