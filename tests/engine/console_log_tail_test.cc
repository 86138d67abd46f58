// Recovering device bytes from the end of a console log file.
#include "engine/console_log_tail.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

constexpr char kLog[] =
    "2026-12-01T09:00:00.000Z first line\r\n"
    "2026-12-01T09:00:00.100Z [input] show ver\n"
    "2026-12-01T09:00:00.200Z --- ttyhub: 12 bytes not logged (disk too slow) ---\n"
    "2026-12-01T09:00:00.300Z second\r\n"
    "2026-12-01T09:00:01.300Z login: ";

TEST(ConsoleLogTailTest, StripsTimestampsInputAndMarkers) {
  EXPECT_EQ(DeviceBytesFromLogText(kLog, true, true, true), "first line\r\nsecond\r\nlogin: ");
  // Without input logging, a device line that looks like input is output.
  EXPECT_EQ(DeviceBytesFromLogText(kLog, true, true, false),
            "first line\r\n[input] show ver\nsecond\r\nlogin: ");
}

TEST(ConsoleLogTailTest, DropsTheFirstLineOfATailThatStartsMidFile) {
  const std::string tail = std::string(kLog).substr(10);
  EXPECT_EQ(DeviceBytesFromLogText(tail, false, true, true), "second\r\nlogin: ");
  EXPECT_EQ(DeviceBytesFromLogText("tail of a line\nraw\x01\xff\n", false, false, false),
            "raw\x01\xff\n");
}

TEST(ConsoleLogTailTest, ReadsTheLastBytesOfAFile) {
  char path[] = "/tmp/ttyhub-tail-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "0123456789", 10), 10);
  close(fd);
  auto all = ReadFileTail(path, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->text, "0123456789");
  EXPECT_TRUE(all->from_file_start);
  auto last = ReadFileTail(path, 4);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->text, "6789");
  EXPECT_FALSE(last->from_file_start);
  unlink(path);
  auto missing = ReadFileTail(path, 4);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->text, "");
}

// History older than the ring: the text before a known end of the open
// file, carried on into the rotated files when the open one holds less.
TEST(ConsoleLogTailTest, ReadsLogTextBeforeAnEndAcrossRotatedFiles) {
  char dir[] = "/tmp/ttyhub-tail-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string base = std::string(dir) + "/c.log";
  auto put = [](const std::string& path, const std::string& text) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
  };
  put(base + ".2", "oldest\n");
  put(base + ".1", "older\n");
  put(base, "now\nin flight");  // only the first 4 bytes are known written
  const std::vector<std::string> files = {base, base + ".1", base + ".2"};
  auto some = ReadLogTextBefore(files, 4, 100);
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_EQ(some->text, "oldest\nolder\nnow\n");
  EXPECT_TRUE(some->from_file_start);
  auto last = ReadLogTextBefore(files, 4, 8);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->text, "der\nnow\n");
  EXPECT_FALSE(last->from_file_start);
  // A missing older file ends the text: it starts a file.
  unlink((base + ".1").c_str());
  auto gap = ReadLogTextBefore(files, 4, 100);
  ASSERT_TRUE(gap.ok());
  EXPECT_EQ(gap->text, "now\n");
  EXPECT_TRUE(gap->from_file_start);
  // Someone cut the open file shorter than ttyhub wrote it.
  put(base, "no");
  EXPECT_FALSE(ReadLogTextBefore(files, 4, 100).ok());
  unlink(base.c_str());
  unlink((base + ".2").c_str());
  rmdir(dir);
}

// What a failed write did not log is counted in console bytes, as a lap
// is: not the timestamps, input marks or markers that ttyhub added.
TEST(ConsoleLogTailTest, CountsTheConsoleBytesLogTextCarries) {
  // "first line\r\n" 12, "show ver" 8, "second\r\n" 8, "login: " 7.
  EXPECT_EQ(ContentBytesInLogText(kLog, false, true, true), 12u + 8 + 8 + 7);
  EXPECT_EQ(ContentBytesInLogText("raw\x01\n", false, false, false), 5u);
  // A buffer that carries on a line starts without a timestamp.
  EXPECT_EQ(ContentBytesInLogText("rest of it\n2026-12-01T09:00:00.000Z next\n", true, true, false),
            11u + 5);
  EXPECT_EQ(ContentBytesInLogText("", true, true, true), 0u);
}

}  // namespace
}  // namespace ttyhub
