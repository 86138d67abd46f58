#include "engine/sim_device.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class SimConsoleScriptTest : public ::testing::Test {
 protected:
  void BootFully() {
    script_.Boot(t0_);
    std::string out;
    script_.Advance(t0_ + std::chrono::seconds(60), &out);
    ASSERT_TRUE(script_.booted());
    ASSERT_THAT(out, EndsWith("sim-console login: "));
  }
  std::string Type(const std::string& keys) {
    std::string out;
    script_.Input(keys, t0_ + std::chrono::seconds(61), &out);
    return out;
  }

  SimConsoleScript script_;
  TimePoint t0_ = Clock::now();
};

TEST_F(SimConsoleScriptTest, BootLogArrivesGradually) {
  script_.Boot(t0_);
  std::string out;
  script_.Advance(t0_, &out);
  EXPECT_THAT(out, StartsWith("[    0.000000] Linux version"));
  EXPECT_FALSE(script_.booted());
  const size_t first = out.size();
  script_.Advance(t0_ + std::chrono::milliseconds(500), &out);
  EXPECT_GT(out.size(), first);
  EXPECT_FALSE(script_.booted());
  EXPECT_EQ(Type("root\r"), "");  // typing during boot is lost
}

TEST_F(SimConsoleScriptTest, LoginAndCommands) {
  BootFully();
  EXPECT_EQ(Type("root\r"), "root\r\nPassword: ");
  EXPECT_EQ(Type("secret\r"),
            "\r\nLinux sim-console 6.1.0-sim-amd64 #1 SMP PREEMPT_DYNAMIC x86_64\r\n\r\n"
            "This is a simulated console served by ttyhub. Type 'help'.\r\n"
            "root@sim-console:~# ");
  EXPECT_EQ(Type("seq 3\r\n"), "seq 3\r\n1\r\n2\r\n3\r\nroot@sim-console:~# ");
  EXPECT_EQ(Type("frob\r"), "frob\r\n-sh: frob: command not found\r\nroot@sim-console:~# ");
  EXPECT_EQ(Type("ab\x7f\r"), "ab\b \b\r\n-sh: a: command not found\r\nroot@sim-console:~# ");
  EXPECT_THAT(Type("exit\r"), HasSubstr("logout\r\n\r\nsim-console login: "));
}

TEST_F(SimConsoleScriptTest, LongLinesAreBounded) {
  BootFully();
  const std::string out = Type(std::string(100000, 'x'));
  EXPECT_LE(out.size(), 1024u);
}

TEST_F(SimConsoleScriptTest, RebootStartsOver) {
  BootFully();
  Type("u\r");
  Type("p\r");
  EXPECT_THAT(Type("reboot\r"), HasSubstr("reboot: Restarting system"));
  EXPECT_FALSE(script_.booted());
}

}  // namespace
}  // namespace ttyhub
