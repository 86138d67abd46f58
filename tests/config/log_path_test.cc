// Console log path templates: validation and ser2net's filename escapes.
#include "config/log_path.h"

#include <stdlib.h>
#include <time.h>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

class LogPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

TEST_F(LogPathTest, ExpandsThePortNameAndSer2netEscapes) {
  // 2026-03-04T05:06:07.089012Z, a Wednesday, day 63 of the year.
  const auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1772600767089012));
  const LogPathFields f{"sw1", "/dev/ttyUSB0", 2001};
  EXPECT_EQ(ExpandLogPath("/var/log/ttyhub/%n.log", f, t), "/var/log/ttyhub/sw1.log");
  EXPECT_EQ(ExpandLogPath("/tmp/tw-\\p-\\Y-\\M-\\D-\\H:\\i:\\s.\\U", f, t),
            "/tmp/tw-2001-2026-Mar-04-05:06:07.089012");
  EXPECT_EQ(ExpandLogPath("/l/\\d-\\m-\\y-\\A-\\h\\q\\P-\\S-\\e-%%-\\\\", f, t),
            "/l/ttyUSB0-03-063-Wed-05amAM-07-1772600767-%-\\");
}

TEST_F(LogPathTest, RejectsWhatIsNotASafeAbsoluteTemplate) {
  EXPECT_TRUE(ValidateLogPathTemplate("/var/log/ttyhub/%n.log").ok());
  EXPECT_TRUE(ValidateLogPathTemplate("/tmp/tr-\\p-\\Y-\\M-\\D-\\H:\\i:\\s.\\U").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("relative/%n.log").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/var/log/").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/var/log/%x.log").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/var/log/\\Z.log").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/var/log/trailing\\").ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/var/log/../etc/passwd").ok());
  EXPECT_FALSE(ValidateLogPathTemplate(std::string("/var/log/a\nb")).ok());
  EXPECT_FALSE(ValidateLogPathTemplate("/" + std::string(2000, 'a')).ok());
  const absl::Status s = ValidateLogPathTemplate("/var/log/\\Z.log");
  EXPECT_NE(s.message().find("\\Z"), absl::string_view::npos) << s;
}

TEST_F(LogPathTest, DeviceNamesStayOneHarmlessComponent) {
  const auto t = std::chrono::system_clock::time_point{};
  EXPECT_EQ(ExpandLogPath("/l/\\d", {"p", "..", 0}, t), "/l/device");
  EXPECT_EQ(ExpandLogPath("/l/\\d", {"p", "/dev/", 0}, t), "/l/device");
  EXPECT_EQ(ExpandLogPath("/l/\\d", {"p", "sim:console", 0}, t), "/l/sim:console");
}

}  // namespace
}  // namespace ttyhub
