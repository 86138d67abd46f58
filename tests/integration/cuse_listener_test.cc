// Cuse listeners end to end (issue 13, sections 3 and 4): an application
// opens /dev/NAME, sets 9600 8E1 with two stop bits and RTS/CTS, and the
// settings reach the port behind another ttyhub through RFC 2217; bytes
// are exact both ways, 0xFF included; a read-only listener refuses
// changes; and where the kernel has no CUSE, ttyhub says so and serves
// the port's other listeners.
//
// The kernel must have CUSE (/dev/cuse) and the test must run as root;
// otherwise the CUSE tests skip, saying why. This machine's kernel has
// CONFIG_CUSE off: run them under Debian's kernel with
//   tools/run-on-kernel.sh -b BUILD_DIR -R cuse_listener_test
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/ctl_port_json.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// Why CUSE tests cannot run here, or "" if they can.
std::string NoCuse() {
  if (access("/dev/cuse", F_OK) != 0) {
    return "no /dev/cuse: this kernel has no CUSE (CONFIG_CUSE off, or the cuse module is not "
           "loaded). Run under Debian's kernel: tools/run-on-kernel.sh -R cuse_listener_test";
  }
  if (geteuid() != 0) return "CUSE needs root";
  return "";
}

std::string DeviceName(const char* what) {
  return absl::StrCat("ttyhubt", getpid() % 100000, what);
}

bool WaitForDevice(const std::string& path, Deadline deadline) {
  struct stat st {};
  while (!deadline.Expired()) {
    if (stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) return true;
    poll(nullptr, 0, 20);
  }
  return false;
}

// Every byte value, and sequences a telnet coder could mangle.
std::string AwkwardBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += std::string("\xff\xff\xff\r\n\r\0\r\r\n\xff\xf0\xff\xfa\x2c", 15);
  return s + Pattern(0, 16 * 1024, 0x5c);
}

// Writes all of `data` to the non-blocking `fd`, waiting with poll(2).
bool WriteAll(int fd, const std::string& data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size() && !deadline.Expired()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    pollfd p{fd, POLLOUT, 0};
    poll(&p, 1, deadline.PollMs());
  }
  return done == data.size();
}

// Reads exactly `n` bytes from the non-blocking `fd`, waiting with poll(2)
// (for a cuse device, that is its poll support at work).
bool ReadExactly(int fd, std::string* out, size_t n, Deadline deadline) {
  char buf[4096];
  while (out->size() < n && !deadline.Expired()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, deadline.PollMs()) <= 0) continue;
    const ssize_t got = read(fd, buf, std::min(sizeof(buf), n - out->size()));
    if (got > 0) out->append(buf, static_cast<size_t>(got));
    if (got < 0 && errno != EAGAIN && errno != EINTR) return false;
  }
  return out->size() == n;
}

// An application's line: 9600 baud, 8 data bits, even parity, 2 stop
// bits, RTS/CTS, raw.
termios NineSixHundredEightE2(int fd) {
  termios t{};
  tcgetattr(fd, &t);
  cfmakeraw(&t);
  cfsetispeed(&t, B9600);
  cfsetospeed(&t, B9600);
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARODD | CMSPAR);
  t.c_cflag |= CS8 | PARENB | CSTOPB | CRTSCTS | CLOCAL | CREAD;
  return t;
}

class CuseChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = NoCuse(); !why.empty()) GTEST_SKIP() << why;
    const auto ports = FreeTcpPorts(3);
    a_port_ = ports[0];
    a_url_ = absl::StrCat("http://127.0.0.1:", ports[1]);
    b_url_ = absl::StrCat("http://127.0.0.1:", ports[2]);
    name_ = DeviceName("c");
    path_ = "/dev/" + name_;
  }
  std::string ConfigA() const {
    return absl::StrCat("admin: {listen: \"", a_url_.substr(7), "\"}\nports:\n  - name: a\n",
                        "    device: ", pty_.slave_path(),
                        "\n    serial: 115200n81\n    listen: [{port: \"127.0.0.1:", a_port_,
                        "\", protocol: rfc2217}]\n");
  }
  std::string ConfigB(const std::string& access = "rw") const {
    return absl::StrCat("admin: {listen: \"", b_url_.substr(7),
                        "\"}\nports:\n  - name: b\n    device: rfc2217://127.0.0.1:", a_port_,
                        "\n    serial: 115200n81\n    listen: [{cuse: ", name_,
                        ", access: ", access, "}]\n");
  }

  TestPty pty_;
  TempDir dir_a_, dir_b_;
  uint16_t a_port_ = 0;
  std::string a_url_, b_url_, name_, path_;
};

TEST_F(CuseChainTest, ParityReachesTheRemotePortAndBytesAreExact) {
  Daemon a(dir_a_);
  ASSERT_TRUE(a.Start(ConfigA()));
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB()));
  ASSERT_TRUE(b.WaitForLog(absl::StrCat("listening on cuse:", path_), Deadline::Seconds(10)))
      << b.Log();
  ASSERT_TRUE(WaitForDevice(path_, Deadline::Seconds(10))) << b.Log();
  std::string last;
  ASSERT_TRUE(WaitForPortValue(b_url_, "state", "open", Deadline::Seconds(20), &last)) << last;

  const int fd = open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path_ << ": " << std::strerror(errno) << "\n" << b.Log();
  EXPECT_EQ(isatty(fd), 1) << "TCGETS answers, so the device is a terminal";

  // The parity trap: 9600 8E1 (and 2 stop bits, RTS/CTS) set on the
  // device reaches A's port, which a pty listener could not carry.
  const termios want = NineSixHundredEightE2(fd);
  ASSERT_EQ(tcsetattr(fd, TCSADRAIN, &want), 0) << std::strerror(errno) << "\n" << b.Log();
  EXPECT_TRUE(WaitForPortValue(b_url_, "serial", "9600E82", Deadline::Seconds(10), &last))
      << last << "\n"
      << b.Log();
  EXPECT_TRUE(WaitForPortValue(a_url_, "serial", "9600E82", Deadline::Seconds(10), &last))
      << last << "\n"
      << a.Log();
  EXPECT_TRUE(WaitForPortValue(a_url_, "flow", "rtscts", Deadline::Seconds(10), &last)) << last;
  EXPECT_TRUE(a.WaitForLog("serial settings now 9600E82", Deadline::Seconds(10))) << a.Log();
  // A's device is a pty: it keeps the speed and the stop bits (and drops
  // parity, as Linux ptys do; only a UART shows parity on the wire).
  termios at_pty{};
  ASSERT_EQ(tcgetattr(pty_.master(), &at_pty), 0);
  EXPECT_EQ(cfgetospeed(&at_pty), static_cast<speed_t>(B9600));
  EXPECT_NE(at_pty.c_cflag & CSTOPB, 0u);

  // TCGETS reports the settings in force, as A answered them.
  termios got{};
  ASSERT_EQ(tcgetattr(fd, &got), 0);
  EXPECT_EQ(cfgetospeed(&got), static_cast<speed_t>(B9600));
  EXPECT_EQ(got.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_NE(got.c_cflag & PARENB, 0u);
  EXPECT_EQ(got.c_cflag & PARODD, 0u);
  EXPECT_NE(got.c_cflag & CSTOPB, 0u);
  EXPECT_NE(got.c_cflag & CRTSCTS, 0u);

  // Bytes exact both ways, 0xFF included, through two telnet codings.
  const std::string up = AwkwardBytes();
  ASSERT_TRUE(WriteAll(fd, up, Deadline::Seconds(60)));
  std::string at_a;
  ASSERT_TRUE(pty_.ReadExactly(&at_a, up.size(), Deadline::Seconds(60))) << at_a.size();
  EXPECT_TRUE(at_a == up);
  const std::string down = AwkwardBytes();
  ASSERT_TRUE(pty_.WriteAll(down, Deadline::Seconds(60)));
  std::string at_app;
  ASSERT_TRUE(ReadExactly(fd, &at_app, down.size(), Deadline::Seconds(60))) << at_app.size();
  EXPECT_TRUE(at_app == down);

  // Modem lines, tcdrain, a break.
  int bits = 0;
  ASSERT_EQ(ioctl(fd, TIOCMGET, &bits), 0) << std::strerror(errno);
  EXPECT_NE(bits & TIOCM_DTR, 0);
  const int dtr = TIOCM_DTR;
  EXPECT_EQ(ioctl(fd, TIOCMBIC, &dtr), 0) << std::strerror(errno);
  ASSERT_EQ(ioctl(fd, TIOCMGET, &bits), 0);
  EXPECT_EQ(bits & TIOCM_DTR, 0);
  EXPECT_EQ(tcdrain(fd), 0) << std::strerror(errno);
  EXPECT_EQ(tcsendbreak(fd, 0), 0) << std::strerror(errno);
  int queued = -1;
  EXPECT_EQ(ioctl(fd, TIOCINQ, &queued), 0);
  EXPECT_EQ(queued, 0);
  EXPECT_EQ(ioctl(fd, TIOCSTI, "x"), -1) << "an ioctl it does not implement";
  EXPECT_EQ(errno, ENOTTY);
  close(fd);

  // A change made elsewhere shows to the next application that opens it.
  std::string out;
  ASSERT_EQ(Ctl(b_url_, {"set", "b", "19200o71"}, &out), 0) << out;
  EXPECT_TRUE(WaitForPortValue(b_url_, "serial", "19200O71", Deadline::Seconds(10), &last)) << last;
  const int again = open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(again, 0) << std::strerror(errno);
  ASSERT_EQ(tcgetattr(again, &got), 0);
  EXPECT_EQ(cfgetospeed(&got), static_cast<speed_t>(B19200));
  EXPECT_EQ(got.c_cflag & (CSIZE | PARENB | PARODD), static_cast<tcflag_t>(CS7 | PARENB | PARODD));
  close(again);
}

TEST_F(CuseChainTest, AReadOnlyListenerRefusesChanges) {
  Daemon a(dir_a_);
  ASSERT_TRUE(a.Start(ConfigA()));
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB("ro")));
  ASSERT_TRUE(WaitForDevice(path_, Deadline::Seconds(10))) << b.Log();
  std::string last;
  ASSERT_TRUE(WaitForPortValue(b_url_, "state", "open", Deadline::Seconds(20), &last)) << last;
  const int fd = open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  termios t{};
  ASSERT_EQ(tcgetattr(fd, &t), 0) << std::strerror(errno);
  EXPECT_EQ(cfgetospeed(&t), static_cast<speed_t>(B115200));
  const termios want = NineSixHundredEightE2(fd);
  EXPECT_EQ(tcsetattr(fd, TCSANOW, &want), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(write(fd, "x", 1), -1);
  EXPECT_EQ(errno, EPERM);
  // Device output still reaches it.
  ASSERT_TRUE(pty_.WriteAll("to the viewer\xff", Deadline::Seconds(10)));
  std::string got;
  ASSERT_TRUE(ReadExactly(fd, &got, 14, Deadline::Seconds(10))) << got;
  EXPECT_EQ(got, "to the viewer\xff");
  EXPECT_TRUE(WaitForPortValue(a_url_, "serial", "115200N81", Deadline::Seconds(10), &last))
      << last;
  close(fd);
}

TEST(CuseUnavailableTest, ThePortServesItsOtherListenersAndSaysWhy) {
  if (access("/dev/cuse", F_OK) == 0) GTEST_SKIP() << "this kernel has CUSE";
  TestPty pty;
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon d(dir);
  ASSERT_TRUE(d.Start(absl::StrCat("ports:\n  - name: p\n    device: ", pty.slave_path(),
                                   "\n    listen:\n      - {cuse: ", DeviceName("u"),
                                   "}\n      - {port: \"127.0.0.1:", port, "\"}\n")));
  EXPECT_TRUE(d.WaitForLog("CUSE not available in this kernel", Deadline::Seconds(10))) << d.Log();
  EXPECT_TRUE(d.WaitForLog("modprobe cuse", Deadline::Seconds(10))) << d.Log();
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(pty.WriteAll("still served\n", Deadline::Seconds(10)));
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, 13, Deadline::Seconds(10))) << got;
  EXPECT_EQ(got, "still served\n");
}

}  // namespace
}  // namespace ttyhub::testing
