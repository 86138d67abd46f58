// Recovering device bytes from the end of a console log file.
#include "engine/console_log_tail.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

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

}  // namespace
}  // namespace ttyhub
