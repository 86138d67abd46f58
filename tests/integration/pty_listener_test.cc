// Pty listeners end to end (issue 13, sections 2 and 4): a port served as a
// local serial device. The test is the program on the pty: it opens the
// listener's link, sets termios as a serial program does, and checks that
// the port's device (a pty the test holds, or the remote port behind an
// rfc2217:// device) shows them and that bytes are exact both ways.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// Every byte value (0xFF and the telnet specials included), then a pattern.
std::string AwkwardBytes(size_t pattern_bytes = 64 * 1024) {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += std::string("\xff\xff\xff\r\n\r\0\r\r\n\xff\xf0\xff\xfa\x2c", 15);
  return s + Pattern(0, pattern_bytes, 0x5c);
}

// The program: opens the link as a serial program would.
int OpenLink(const std::string& link) {
  return open(link.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

// Sets raw mode, `speed`, one stop bit and no flow control, plus the given
// cflag bits, on `fd` (tcsetattr).
bool SetLine(int fd, speed_t speed, tcflag_t add_cflag) {
  termios t{};
  if (tcgetattr(fd, &t) != 0) return false;
  cfmakeraw(&t);
  cfsetispeed(&t, speed);
  cfsetospeed(&t, speed);
  t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  t.c_cflag |= add_cflag;
  return tcsetattr(fd, TCSANOW, &t) == 0;
}

// Writes `out` to `wfd` while reading `rfd` into *got, until *got holds
// `want` bytes or the deadline passes.
bool Pump(int wfd, const std::string& out, int rfd, std::string* got, size_t want,
          Deadline deadline) {
  size_t written = 0;
  std::vector<char> buf(65536);
  while (got->size() < want && !deadline.Expired()) {
    pollfd p[2] = {{rfd, POLLIN, 0},
                   {wfd, static_cast<short>(written < out.size() ? POLLOUT : 0), 0}};
    if (poll(p, 2, deadline.PollMs()) <= 0) continue;
    if (p[1].revents & POLLOUT) {
      const ssize_t n =
          write(wfd, out.data() + written, std::min<size_t>(out.size() - written, 4096));
      if (n > 0) written += static_cast<size_t>(n);
    }
    if (p[0].revents & POLLIN) {
      const ssize_t n = read(rfd, buf.data(), buf.size());
      if (n > 0) got->append(buf.data(), static_cast<size_t>(n));
    }
  }
  return got->size() >= want;
}

bool Exact(int wfd, int rfd, const std::string& data, Deadline deadline, std::string* got) {
  got->clear();
  return Pump(wfd, data, rfd, got, data.size(), deadline) && *got == data;
}

struct Line {
  speed_t speed = 0;
  tcflag_t cflag = 0;
};

Line LineOf(int fd) {
  termios t{};
  if (tcgetattr(fd, &t) != 0) return {};
  return {cfgetospeed(&t), t.c_cflag};
}

bool WaitForLine(int fd, speed_t speed, tcflag_t cflag_bits, Deadline deadline) {
  while (!deadline.Expired()) {
    const Line l = LineOf(fd);
    if (l.speed == speed && (l.cflag & cflag_bits) == cflag_bits) return true;
    poll(nullptr, 0, 20);
  }
  return false;
}

std::string LinkTarget(const std::string& link) {
  char target[PATH_MAX];
  const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// The device is a pty the test holds (raw): what the port's device sees.
void MakeRaw(int fd) {
  termios t{};
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  cfmakeraw(&t);
  ASSERT_EQ(tcsetattr(fd, TCSANOW, &t), 0);
}

class PtyListenerTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& access = "rw", const std::string& extra = "") const {
    return absl::StrCat("ports:\n  - name: p\n    device: ", device_.slave_path(),
                        "\n    serial: 115200n81\n    listen:\n      - {pty: ", link_,
                        ", access: ", access, ", mode: \"0600\"", extra, "}\n");
  }
  TestPty device_;
  TempDir dir_;
  const std::string link_ = dir_.File("ttyV0");
};

TEST_F(PtyListenerTest, BytesExactBothWaysAndTheProgramsSettingsReachTheDevice) {
  Daemon d(dir_);
  ASSERT_TRUE(d.Start(Config()));
  MakeRaw(device_.master());
  // The link points at a fresh pty, with the mode configured.
  const std::string pts = LinkTarget(link_);
  ASSERT_EQ(pts.rfind("/dev/pts/", 0), 0u) << pts;
  struct stat st {};
  ASSERT_EQ(stat(pts.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(d.WaitForLog("connected on pty:" + link_ + " -> " + pts, Deadline::Seconds(10)))
      << d.Log();

  const int fd = OpenLink(link_);
  ASSERT_GE(fd, 0) << strerror(errno);
  // The program starts from the port's settings.
  EXPECT_EQ(LineOf(fd).speed, static_cast<speed_t>(B115200));
  EXPECT_TRUE(WaitForLine(device_.master(), B115200, 0, Deadline::Seconds(10)));
  // 9600 baud, 2 stop bits, RTS/CTS: the device behind the port shows them.
  ASSERT_TRUE(SetLine(fd, B9600, CSTOPB | CRTSCTS));
  EXPECT_TRUE(WaitForLine(device_.master(), B9600, CSTOPB | CRTSCTS, Deadline::Seconds(10)))
      << LineOf(device_.master()).speed << "\n"
      << d.Log();
  EXPECT_TRUE(d.WaitForLog("serial settings now 9600N82, flow rtscts", Deadline::Seconds(10)));

  std::string got;
  const std::string down = AwkwardBytes();
  EXPECT_TRUE(Exact(device_.master(), fd, down, Deadline::Seconds(30), &got))
      << "device -> program: " << got.size() << " of " << down.size();
  const std::string up = AwkwardBytes();
  EXPECT_TRUE(Exact(fd, device_.master(), up, Deadline::Seconds(30), &got))
      << "program -> device: " << got.size() << " of " << up.size();

  // Back to one stop bit and no flow control, at 19200.
  ASSERT_TRUE(SetLine(fd, B19200, 0));
  EXPECT_TRUE(WaitForLine(device_.master(), B19200, 0, Deadline::Seconds(10)));
  EXPECT_EQ(LineOf(device_.master()).cflag & (CSTOPB | CRTSCTS), 0u);
  close(fd);
}

TEST_F(PtyListenerTest, AReadOnlyListenerNeverChangesTheSettings) {
  Daemon d(dir_);
  ASSERT_TRUE(d.Start(Config("ro")));
  MakeRaw(device_.master());
  const int fd = OpenLink(link_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SetLine(fd, B9600, CSTOPB));
  ASSERT_TRUE(d.WaitForLog("not applied: read-only", Deadline::Seconds(10))) << d.Log();
  EXPECT_EQ(LineOf(device_.master()).speed, static_cast<speed_t>(B115200));
  // It still reads the device; what it writes goes nowhere.
  std::string got;
  EXPECT_TRUE(Exact(device_.master(), fd, "to the viewer\xff", Deadline::Seconds(10), &got)) << got;
  ASSERT_EQ(write(fd, "ignored", 7), 7);
  std::string at_device;
  EXPECT_EQ(device_.ReadSome(&at_device, 64, Deadline(std::chrono::milliseconds(500))), 0u)
      << at_device;
  close(fd);
}

TEST_F(PtyListenerTest, TheProgramClosesAndReopensAndTheLinkSurvivesARestart) {
  auto d = std::make_unique<Daemon>(dir_);
  ASSERT_TRUE(d->Start(Config()));
  MakeRaw(device_.master());
  const std::string pts = LinkTarget(link_);
  std::string got;
  for (int round = 0; round < 3; ++round) {
    const int fd = OpenLink(link_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SetLine(fd, B115200, 0));
    const std::string text = absl::StrCat("round ", round, "\xff\r\n");
    EXPECT_TRUE(Exact(device_.master(), fd, text, Deadline::Seconds(10), &got)) << got;
    EXPECT_TRUE(Exact(fd, device_.master(), text, Deadline::Seconds(10), &got)) << got;
    close(fd);
  }
  EXPECT_EQ(LinkTarget(link_), pts) << "closing the pty must not replace it";
  EXPECT_EQ(d->Log().find("fresh pty"), std::string::npos) << d->Log();

  // Stopped: the link goes. Started again: it is back, on a fresh pty.
  ASSERT_EQ(d->Stop(SIGTERM, Deadline::Seconds(10)), 0);
  struct stat st {};
  EXPECT_NE(lstat(link_.c_str(), &st), 0) << "the link outlived the daemon";
  d = std::make_unique<Daemon>(dir_);
  ASSERT_TRUE(d->Start(Config()));
  const int fd = OpenLink(link_);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_TRUE(SetLine(fd, B115200, 0));
  EXPECT_TRUE(Exact(device_.master(), fd, "after restart\xff", Deadline::Seconds(10), &got)) << got;
  EXPECT_TRUE(Exact(fd, device_.master(), "typed\xff", Deadline::Seconds(10), &got)) << got;
  close(fd);
}

TEST_F(PtyListenerTest, APtyNobodyReadsDoesNotHoldThePortAndStays) {
  // rw pty clients are lossless, but with no program reading the pty fills
  // and would hold the device back for good: after stall_timeout it stops
  // holding the port (a TCP client would be cut; the pty must stay).
  const uint16_t tcp = FreeTcpPorts(1)[0];
  Daemon d(dir_);
  ASSERT_TRUE(d.Start(absl::StrCat(Config("rw", ", stall_timeout: 1s"),
                                   "      - {port: \"127.0.0.1:", tcp, "\", access: ro}\n")));
  MakeRaw(device_.master());
  const std::string pts = LinkTarget(link_);
  auto viewer = TcpClient::Connect(tcp, Deadline::Seconds(10));
  ASSERT_NE(viewer, nullptr);
  ASSERT_TRUE(d.WaitForLog("client #2", Deadline::Seconds(10)));
  // Much more than the pty and the port's ring (256 KiB) hold.
  const std::string data = Pattern(0, 1024 * 1024, 0x21);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(device_, {viewer.get()}, data, &got, Deadline::Seconds(60)))
      << got[0].size() << "\n"
      << d.Log();
  EXPECT_TRUE(got[0] == data);
  EXPECT_TRUE(d.WaitForLog("no longer holding the port", Deadline::Seconds(10))) << d.Log();
  EXPECT_EQ(LinkTarget(link_), pts) << "the pty was replaced under its link";
  // A program that comes now reads and writes; the port holds for it again.
  const int fd = OpenLink(link_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SetLine(fd, B115200, 0));
  ASSERT_EQ(tcflush(fd, TCIFLUSH), 0);  // what waited in the pty is old
  std::string line;
  const std::string fresh = "fresh\xff\r\n";
  ASSERT_TRUE(device_.WriteAll(fresh, Deadline::Seconds(10)));
  Deadline until = Deadline::Seconds(10);
  while (line.find(fresh) == std::string::npos && !until.Expired()) {
    Pump(fd, "", fd, &line, line.size() + 1, Deadline(std::chrono::milliseconds(200)));
  }
  EXPECT_NE(line.find(fresh), std::string::npos) << line.size();
  EXPECT_TRUE(Exact(fd, device_.master(), "typed\xff", Deadline::Seconds(10), &line)) << line;
  close(fd);
}

TEST_F(PtyListenerTest, ConfigErrorsNameTheLine) {
  const std::string yaml = dir_.File("bad.yaml");
  // Not a symlink: a file ttyhub must not replace.
  const std::string file = dir_.File("file");
  {
    FILE* f = fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fclose(f);
  }
  const auto check = [&](const std::string& listener, const std::string& want) {
    FILE* f = fopen(yaml.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(absl::StrCat("ports:\n  - name: p\n    device: sim:echo\n    listen:\n      - ", listener,
                       "\n")
              .c_str(),
          f);
    fclose(f);
    std::string out;
    EXPECT_NE(Daemon::RunToCompletion({"--check", "-c", yaml}, &out, Deadline::Seconds(20)), 0)
        << out;
    EXPECT_NE(out.find(want), std::string::npos) << listener << "\n" << out;
  };
  check("{pty: " + dir_.File("no/such/dir/ttyV0") + "}",
        "bad.yaml:5:15: ports[0].listen[0].pty: the directory " + dir_.File("no/such/dir") +
            " does not exist");
  check("{pty: " + file + "}", "exists and is not a symlink");
  check("{pty: " + link_ + ", protocol: telnet}",
        "ports[0].listen[0].protocol: does not apply to a pty listener");
  check("{pty: " + link_ + ", port: 7000}", "a listener is TCP (port), unix or pty");
  check("{pty: " + link_ + ", owner: no-such-user-here}", "no user named 'no-such-user-here'");
  check("{pty: " + link_ + ", access: ro, slow_viewer: disconnect}",
        "cannot disconnect the program on its pty");
}

// Section 4: ttyhub A serves a pty-backed port over RFC 2217; ttyhub B's
// device is rfc2217://A, with a pty listener. The program on B's pty sets
// its line; A's pty shows it; bytes are exact both ways; A restarts and
// the program's descriptor keeps working.
class PtyChainTest : public ::testing::Test {
 protected:
  void SetUp() override { a_port_ = FreeTcpPorts(1)[0]; }
  std::string ConfigA() const {
    return absl::StrCat("ports:\n  - name: a\n    device: ", pty_.slave_path(),
                        "\n    serial: 115200n81\n    listen: [{port: \"127.0.0.1:", a_port_,
                        "\", protocol: rfc2217}]\n");
  }
  std::string ConfigB() const {
    return absl::StrCat("ports:\n  - name: b\n    device: rfc2217://127.0.0.1:", a_port_,
                        "\n    serial: 115200n81\n    listen: [{pty: ", link_, "}]\n");
  }
  TestPty pty_;  // the "physical" port behind A
  TempDir dir_a_, dir_b_;
  const std::string link_ = dir_b_.File("ttyV0");
  uint16_t a_port_ = 0;
};

TEST_F(PtyChainTest, SettingsAndBytesReachThePortBehindAAndSurviveARestartOfA) {
  auto a = std::make_unique<Daemon>(dir_a_);
  ASSERT_TRUE(a->Start(ConfigA()));
  MakeRaw(pty_.master());
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB()));
  ASSERT_TRUE(a->WaitForLog("client #1", Deadline::Seconds(10))) << a->Log();
  ASSERT_TRUE(b.WaitForLog("device rfc2217://127.0.0.1:", Deadline::Seconds(10))) << b.Log();

  const int fd = OpenLink(link_);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_TRUE(SetLine(fd, B9600, CSTOPB | CRTSCTS));
  EXPECT_TRUE(WaitForLine(pty_.master(), B9600, CSTOPB | CRTSCTS, Deadline::Seconds(10)))
      << LineOf(pty_.master()).speed << "\nA:\n"
      << a->Log() << "\nB:\n"
      << b.Log();

  std::string got;
  const std::string down = AwkwardBytes();
  EXPECT_TRUE(Exact(pty_.master(), fd, down, Deadline::Seconds(60), &got))
      << "A's device -> program on B: " << got.size() << " of " << down.size();
  const std::string up = AwkwardBytes();
  EXPECT_TRUE(Exact(fd, pty_.master(), up, Deadline::Seconds(60), &got))
      << "program on B -> A's device: " << got.size() << " of " << up.size();

  // Mid-stream: bytes on their way when A stops. B reconnects; the
  // program's descriptor stays open and works; B's settings are applied
  // to A's port again.
  ASSERT_EQ(write(pty_.master(), "before", 6), 6);
  ASSERT_EQ(a->Stop(SIGTERM, Deadline::Seconds(10)), 0);
  a.reset();
  ASSERT_TRUE(b.WaitForLog("reopening", Deadline::Seconds(10))) << b.Log();
  // What was on its way arrives whole or not at all (A flushes at stop).
  got.clear();
  Pump(fd, "", fd, &got, 6, Deadline(std::chrono::milliseconds(500)));
  EXPECT_TRUE(got.empty() || got == "before") << got;
  termios reset{};
  ASSERT_EQ(tcgetattr(pty_.master(), &reset), 0);
  cfsetospeed(&reset, B115200);
  cfsetispeed(&reset, B115200);
  reset.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  ASSERT_EQ(tcsetattr(pty_.master(), TCSANOW, &reset), 0);
  a = std::make_unique<Daemon>(dir_a_);
  ASSERT_TRUE(a->Start(ConfigA()));
  ASSERT_TRUE(b.WaitForLog("data flows again", Deadline::Seconds(20))) << b.Log();
  EXPECT_TRUE(WaitForLine(pty_.master(), B9600, CSTOPB | CRTSCTS, Deadline::Seconds(10)))
      << LineOf(pty_.master()).speed;
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC) << "the program's descriptor is still open";
  const std::string after = Pattern(0, 8192, 0x77) + "\xff after";
  EXPECT_TRUE(Exact(pty_.master(), fd, after, Deadline::Seconds(30), &got)) << got.size();
  EXPECT_TRUE(Exact(fd, pty_.master(), after, Deadline::Seconds(30), &got)) << got.size();
  close(fd);
}

}  // namespace
}  // namespace ttyhub::testing
