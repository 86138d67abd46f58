// TtyDevice on a real pty, observed through the TtyControl seam.
#include "engine/tty_device.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>

#include "gtest/gtest.h"
#include "tests/engine/recording_tty_control.h"

namespace ttyhub {
namespace {

class PtyFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master_, 0);
    ASSERT_EQ(grantpt(master_), 0);
    ASSERT_EQ(unlockpt(master_), 0);
    char name[128];
    ASSERT_EQ(ptsname_r(master_, name, sizeof(name)), 0);
    slave_path_ = name;
  }
  void TearDown() override { close(master_); }

  int master_ = -1;
  std::string slave_path_;
};

TEST_F(PtyFixture, AppliesFramingThroughTheSeam) {
  RecordingTtyControl tty;
  TtyDevice dev(slave_path_, tty);
  auto s = ParseSerialSettings("9600e72");
  ASSERT_TRUE(s.ok());
  s->flow = FlowControl::kRtsCts;
  ASSERT_TRUE(dev.Open(*s, /*local=*/false).ok());
  ASSERT_GE(dev.fd(), 0);
  EXPECT_NE(fcntl(dev.fd(), F_GETFL) & O_NONBLOCK, 0);

  ASSERT_EQ(tty.applied().size(), 1u);
  const SerialTermios told = tty.applied()[0];
  EXPECT_EQ(told.cflag & CSIZE, static_cast<uint32_t>(CS7));
  EXPECT_EQ(told.cflag & (PARENB | PARODD | CMSPAR), static_cast<uint32_t>(PARENB));
  EXPECT_NE(told.cflag & CSTOPB, 0u);
  EXPECT_NE(told.cflag & CRTSCTS, 0u);
  EXPECT_EQ(told.cflag & CLOCAL, 0u);
  EXPECT_EQ(told.cflag & CBAUD, static_cast<uint32_t>(B9600));

  // What the pty kept: speed and stop bits, but it forces CS8 and no parity.
  // This is why framing is checked at the seam, not on the pty.
  KernelTtyControl kernel;
  SerialTermios kept;
  ASSERT_TRUE(kernel.GetAttr(dev.fd(), &kept).ok());
  EXPECT_EQ(SettingsFromTermios(kept).baud, 9600u);
  EXPECT_NE(kept.cflag & CSTOPB, 0u);
  EXPECT_EQ(kept.cflag & CSIZE, static_cast<uint32_t>(CS8));
  EXPECT_EQ(kept.cflag & PARENB, 0u);
}

TEST_F(PtyFixture, ArbitraryBaudReachesThePty) {
  RecordingTtyControl tty;
  TtyDevice dev(slave_path_, tty);
  ASSERT_TRUE(dev.Open(*ParseSerialSettings("250000n81"), true).ok());
  KernelTtyControl kernel;
  SerialTermios kept;
  ASSERT_TRUE(kernel.GetAttr(dev.fd(), &kept).ok());
  EXPECT_EQ(SettingsFromTermios(kept).baud, 250000u);
}

TEST_F(PtyFixture, BytesPassUnchanged) {
  RecordingTtyControl tty;
  TtyDevice dev(slave_path_, tty);
  ASSERT_TRUE(dev.Open(*ParseSerialSettings("115200n81"), true).ok());
  // Raw mode: CR, LF, ^C, ^S, 0xFF all pass both ways untouched.
  const char bytes[] = "a\r\nb\x03\x13\x11\xff\x7f\x04";
  ASSERT_EQ(write(master_, bytes, sizeof(bytes)), static_cast<ssize_t>(sizeof(bytes)));
  char got[64];
  ssize_t n = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (n < static_cast<ssize_t>(sizeof(bytes)) && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{dev.fd(), POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t r = read(dev.fd(), got + n, sizeof(got) - static_cast<size_t>(n));
    if (r > 0) n += r;
  }
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof(bytes)));
  EXPECT_EQ(std::string(got, static_cast<size_t>(n)), std::string(bytes, sizeof(bytes)));
}

TEST(TtyDeviceTest, ErrorsNameThePath) {
  RecordingTtyControl tty;
  TtyDevice missing("/dev/ttyhub-does-not-exist", tty);
  auto s = missing.Open(SerialSettings{}, true);
  EXPECT_EQ(s.message(), "open /dev/ttyhub-does-not-exist: No such file or directory");
  TtyDevice not_tty("/dev/null", tty);
  EXPECT_EQ(not_tty.Open(SerialSettings{}, true).message(), "/dev/null is not a terminal device");
}

}  // namespace
}  // namespace ttyhub
