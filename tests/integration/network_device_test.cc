// Network devices end to end (issue 13, section 1): a port whose device is
// tcp://, telnet:// or rfc2217://HOST:PORT, against real peers on loopback:
// another ttyhub daemon serving a pty over RFC 2217 (the chain of section
// 4: settings set on B reach the pty behind A, bytes are exact both ways
// with 0xFF, and B reconnects while its clients stay when A restarts), a
// plain TCP server, and the installed ser2net.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/ctl_port_json.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// Every byte value, and the sequences a telnet coder could mangle.
std::string AwkwardBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += std::string("\xff\xff\xff\r\n\r\0\r\r\n\xff\xf0\xff\xfa\x2c", 15);
  return s + Pattern(0, 64 * 1024, 0x5c);
}

// The line speed of the pty (the master reports the slave's termios).
speed_t PtySpeed(const TestPty& pty, tcflag_t* cflag = nullptr) {
  termios t{};
  if (tcgetattr(pty.master(), &t) != 0) return 0;
  if (cflag) *cflag = t.c_cflag;
  return cfgetospeed(&t);
}

bool WaitForPtySpeed(const TestPty& pty, speed_t want, Deadline deadline) {
  while (!deadline.Expired()) {
    if (PtySpeed(pty) == want) return true;
    poll(nullptr, 0, 20);
  }
  return false;
}

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto ports = FreeTcpPorts(4);
    a_port_ = ports[0];
    b_port_ = ports[1];
    b_ro_port_ = ports[2];
    b_url_ = absl::StrCat("http://127.0.0.1:", ports[3]);
  }
  std::string ConfigA(const std::string& access = "rw") const {
    return absl::StrCat("ports:\n  - name: a\n    device: ", pty_.slave_path(),
                        "\n    serial: 115200n81\n    listen: [{port: \"127.0.0.1:", a_port_,
                        "\", protocol: rfc2217, access: ", access, "}]\n");
  }
  std::string ConfigB() const {
    return absl::StrCat("admin: {listen: \"", b_url_.substr(7),
                        "\"}\nports:\n  - name: b\n    device: rfc2217://127.0.0.1:", a_port_,
                        "\n    serial: 9600n81\n    listen:\n      - {port: \"127.0.0.1:", b_port_,
                        "\"}\n      - {port: \"127.0.0.1:", b_ro_port_, "\", access: ro}\n");
  }

  TestPty pty_;
  TempDir dir_a_, dir_b_;
  uint16_t a_port_ = 0, b_port_ = 0, b_ro_port_ = 0;
  std::string b_url_;
};

TEST_F(ChainTest, SettingsBytesAndARestartOfTheRemote) {
  auto a = std::make_unique<Daemon>(dir_a_);
  ASSERT_TRUE(a->Start(ConfigA()));
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB()));
  ASSERT_TRUE(b.WaitForLog("device rfc2217://127.0.0.1:", Deadline::Seconds(10))) << b.Log();
  ASSERT_TRUE(a->WaitForLog("client #1", Deadline::Seconds(10))) << a->Log();
  // B applies its own settings to its device on connect, as to a tty.
  EXPECT_TRUE(WaitForPtySpeed(pty_, B9600, Deadline::Seconds(10))) << PtySpeed(pty_);
  std::string last;
  ASSERT_TRUE(WaitForPortValue(b_url_, "state", "open", Deadline::Seconds(10), &last)) << last;
  const nlohmann::json p = PortJson(b_url_);
  EXPECT_EQ(p.value("remote", false), true);
  EXPECT_EQ(p.value("serial_applies", false), true);

  auto rw = TcpClient::Connect(b_port_, Deadline::Seconds(10));
  auto ro = TcpClient::Connect(b_ro_port_, Deadline::Seconds(10));
  ASSERT_NE(rw, nullptr);
  ASSERT_NE(ro, nullptr);
  ASSERT_TRUE(b.WaitForLog("client #2", Deadline::Seconds(10)));

  // Settings set on B reach the pty behind A; B reports A's answers.
  std::string out;
  ASSERT_EQ(Ctl(b_url_, {"set", "b", "19200e72"}, &out), 0) << out;
  EXPECT_TRUE(WaitForPtySpeed(pty_, B19200, Deadline::Seconds(10))) << PtySpeed(pty_);
  tcflag_t cflag = 0;
  PtySpeed(pty_, &cflag);
  EXPECT_NE(cflag & CSTOPB, 0u) << "two stop bits reach the pty (it keeps speed and stop bits)";
  EXPECT_TRUE(WaitForPortValue(b_url_, "serial", "19200E72", Deadline::Seconds(10), &last)) << last;
  EXPECT_TRUE(a->WaitForLog("serial settings now 19200E72", Deadline::Seconds(10))) << a->Log();

  // Bytes exact both ways, 0xFF included, through two telnet codings.
  const std::string down = AwkwardBytes();
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty_, {rw.get(), ro.get()}, down, &got, Deadline::Seconds(60)));
  EXPECT_TRUE(got[0] == down) << "rw client: " << got[0].size() << " bytes";
  EXPECT_TRUE(got[1] == down) << "ro client: " << got[1].size() << " bytes";
  const std::string up = AwkwardBytes();
  ASSERT_TRUE(rw->SendAll(up, Deadline::Seconds(30)));
  std::string at_pty;
  ASSERT_TRUE(pty_.ReadExactly(&at_pty, up.size(), Deadline::Seconds(30))) << at_pty.size();
  EXPECT_TRUE(at_pty == up);

  // A restarts: B reconnects, its clients stay connected, data flows again,
  // and B's live settings are applied to the device again.
  ASSERT_EQ(a->Stop(SIGTERM, Deadline::Seconds(10)), 0);
  a.reset();
  ASSERT_TRUE(b.WaitForLog("closed the connection); 2 clients stay connected; reopening",
                           Deadline::Seconds(10)))
      << b.Log();
  EXPECT_TRUE(WaitForPortValue(b_url_, "state", "reopening", Deadline::Seconds(10), &last)) << last;
  a = std::make_unique<Daemon>(dir_a_);
  ASSERT_TRUE(a->Start(ConfigA()));
  ASSERT_TRUE(b.WaitForLog("data flows again", Deadline::Seconds(20))) << b.Log();
  EXPECT_TRUE(WaitForPtySpeed(pty_, B19200, Deadline::Seconds(10))) << PtySpeed(pty_);
  const std::string after = Pattern(0, 4096, 0x77) + "\xff after";
  got.clear();
  ASSERT_TRUE(StreamToReaders(pty_, {rw.get(), ro.get()}, after, &got, Deadline::Seconds(30)));
  EXPECT_TRUE(got[0] == after);
  EXPECT_TRUE(got[1] == after);
  ASSERT_TRUE(rw->SendAll("typed\xff\r\n", Deadline::Seconds(5)));
  at_pty.clear();
  ASSERT_TRUE(pty_.ReadExactly(&at_pty, 8, Deadline::Seconds(10)));
  EXPECT_EQ(at_pty, "typed\xff\r\n");
  EXPECT_FALSE(rw->closed());
  EXPECT_FALSE(ro->closed());
}

TEST_F(ChainTest, TheSettingsReportedAreTheRemoteAnswers) {
  // A read-only listener answers every change with what holds: B must
  // report 115200N81 (A's), not the 9600N81 it asked for, nor 57600.
  Daemon a(dir_a_);
  ASSERT_TRUE(a.Start(ConfigA("ro")));
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB()));
  std::string last;
  EXPECT_TRUE(WaitForPortValue(b_url_, "serial", "115200N81", Deadline::Seconds(10), &last))
      << last << "\n"
      << b.Log();
  std::string out;
  ASSERT_EQ(Ctl(b_url_, {"set", "b", "57600n81"}, &out), 0) << out;
  EXPECT_TRUE(WaitForPortValue(b_url_, "serial", "115200N81", Deadline::Seconds(10), &last))
      << last;
  EXPECT_EQ(PtySpeed(pty_), static_cast<speed_t>(B115200));
}

TEST_F(ChainTest, ARemoteThatHangsUpAtOnceIsRetriedWithGrowingBackoff) {
  // A's only slot is taken: A accepts B, says it is full and hangs up, each
  // time. B must back off (200, 400, 800 ms...), not reconnect ten times a
  // second with a log line each time.
  Daemon a(dir_a_);
  ASSERT_TRUE(a.Start(absl::StrCat("ports:\n  - name: a\n    device: ", pty_.slave_path(),
                                   "\n    listen: [{port: \"127.0.0.1:", a_port_,
                                   "\", protocol: rfc2217, max_clients: 1}]\n")));
  auto holder = TcpClient::Connect(a_port_, Deadline::Seconds(10));
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(a.WaitForLog("client #1", Deadline::Seconds(10)));
  Daemon b(dir_b_);
  ASSERT_TRUE(b.Start(ConfigB()));
  const auto count = [&](const std::string& log) {
    size_t n = 0;
    for (size_t pos = log.find("data flows"); pos != std::string::npos;
         pos = log.find("data flows", pos + 1)) {
      ++n;
    }
    return n + (log.find("rfc2217://127.0.0.1:" + std::to_string(a_port_) + " open at") !=
                        std::string::npos
                    ? 1
                    : 0);
  };
  Deadline deadline = Deadline::Seconds(20);
  while (count(b.Log()) < 1 && !deadline.Expired()) poll(nullptr, 0, 10);
  const auto first = Clock::now();
  while (count(b.Log()) < 4 && !deadline.Expired()) poll(nullptr, 0, 10);
  ASSERT_GE(count(b.Log()), 4u) << b.Log();
  // Three waits of at least 200 + 400 + 800 ms; without backoff, about 300 ms.
  EXPECT_GE(Clock::now() - first, std::chrono::milliseconds(1200)) << b.Log();
}

// A plain TCP server the test plays: accepts with a deadline.
class TcpServer {
 public:
  explicit TcpServer(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd_, 4) != 0) {
      ADD_FAILURE() << "cannot listen on " << port;
    }
  }
  ~TcpServer() {
    if (fd_ >= 0) close(fd_);
  }
  int Accept(Deadline deadline) {
    while (!deadline.Expired()) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, deadline.PollMs()) == 1) {
        const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) return c;
      }
    }
    return -1;
  }

 private:
  int fd_ = -1;
};

bool SendAllFd(int fd, const std::string& data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size() && !deadline.Expired()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, deadline.PollMs()) != 1) continue;
    const ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return done == data.size();
}

bool RecvExactlyFd(int fd, std::string* out, size_t n, Deadline deadline) {
  while (out->size() < n && !deadline.Expired()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, deadline.PollMs()) != 1) continue;
    char buf[65536];
    const ssize_t got = recv(fd, buf, std::min(sizeof(buf), n - out->size()), 0);
    if (got <= 0) return false;
    out->append(buf, static_cast<size_t>(got));
  }
  return out->size() == n;
}

TEST(RawTcpDeviceTest, BytesExactReconnectAndNoSettings) {
  TempDir dir;
  const auto ports = FreeTcpPorts(3);
  TcpServer server(ports[0]);
  const std::string url = absl::StrCat("http://127.0.0.1:", ports[2]);
  Daemon b(dir);
  ASSERT_TRUE(
      b.Start(absl::StrCat("admin: {listen: \"127.0.0.1:", ports[2],
                           "\"}\nports:\n  - name: b\n    device: tcp://localhost:", ports[0],
                           "\n    listen: [{port: \"127.0.0.1:", ports[1], "\"}]\n")));
  int conn = server.Accept(Deadline::Seconds(10));
  ASSERT_GE(conn, 0) << b.Log();
  auto client = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(b.WaitForLog("client #1", Deadline::Seconds(10)));

  const std::string data = AwkwardBytes();  // raw: nothing is escaped or interpreted
  ASSERT_TRUE(SendAllFd(conn, data, Deadline::Seconds(30)));
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, data.size(), Deadline::Seconds(30))) << got.size();
  EXPECT_TRUE(got == data);
  ASSERT_TRUE(client->SendAll(data, Deadline::Seconds(30)));
  std::string at_server;
  ASSERT_TRUE(RecvExactlyFd(conn, &at_server, data.size(), Deadline::Seconds(30)));
  EXPECT_TRUE(at_server == data);

  // No line to set: refused, and the JSON says so.
  std::string out;
  EXPECT_NE(Ctl(url, {"set", "b", "9600n81"}, &out), 0);
  EXPECT_NE(out.find("carries bytes only"), std::string::npos) << out;
  const nlohmann::json p = PortJson(url);
  EXPECT_EQ(p.value("remote", false), true);
  EXPECT_EQ(p.value("serial_applies", true), false);
  EXPECT_EQ(p.value("state", ""), "open");

  // The server hangs up: B reconnects, the client stays.
  close(conn);
  ASSERT_TRUE(
      b.WaitForLog("closed the connection); 1 clients stay connected", Deadline::Seconds(10)))
      << b.Log();
  conn = server.Accept(Deadline::Seconds(20));
  ASSERT_GE(conn, 0) << b.Log();
  ASSERT_TRUE(b.WaitForLog("data flows again", Deadline::Seconds(10))) << b.Log();
  ASSERT_TRUE(SendAllFd(conn, "again\xff", Deadline::Seconds(5)));
  got.clear();
  ASSERT_TRUE(client->ReadExactly(&got, 6, Deadline::Seconds(10)));
  EXPECT_EQ(got, "again\xff");
  EXPECT_FALSE(client->closed());
  close(conn);
}

TEST(RawTcpDeviceTest, ARefusedConnectIsRetriedWithBackoff) {
  TempDir dir;
  const auto ports = FreeTcpPorts(2);
  Daemon b(dir);
  ASSERT_TRUE(b.Start(absl::StrCat("ports:\n  - name: b\n    device: tcp://127.0.0.1:", ports[0],
                                   "\n    listen: [{port: \"127.0.0.1:", ports[1], "\"}]\n")));
  ASSERT_TRUE(b.WaitForLog("Connection refused; retrying every 100 ms", Deadline::Seconds(10)))
      << b.Log();
  auto client = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(client, nullptr) << "the listener is up without the remote";
  TcpServer server(ports[0]);
  const int conn = server.Accept(Deadline::Seconds(20));
  ASSERT_GE(conn, 0) << b.Log();
  ASSERT_TRUE(b.WaitForLog("reopened after", Deadline::Seconds(10))) << b.Log();
  ASSERT_TRUE(SendAllFd(conn, "late", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, 4, Deadline::Seconds(10)));
  EXPECT_EQ(got, "late");
  close(conn);
}

// ser2net (Debian's, if installed) serving the pty; ttyhub connects to it.
class Ser2netTest : public ::testing::TestWithParam<const char*> {};

TEST_P(Ser2netTest, SettingsAndBytesThroughSer2net) {
  const std::string scheme = GetParam();
  if (access("/usr/sbin/ser2net", X_OK) != 0) GTEST_SKIP() << "ser2net is not installed";
  TempDir dir;
  TestPty pty;
  const auto ports = FreeTcpPorts(3);
  const std::string yaml = dir.File("ser2net.yaml");
  {
    std::string ignored;
    RunProgram("sh", {"-c", absl::StrCat("cat > ", yaml)},
               absl::StrCat("connection: &con0\n  accepter: telnet(rfc2217),tcp,127.0.0.1,",
                            ports[0], "\n  connector: serialdev,", pty.slave_path(),
                            ",9600n81,local\n  options:\n    kickolduser: true\n"),
               &ignored, Deadline::Seconds(5));
  }
  const pid_t ser2net = fork();
  if (ser2net == 0) {
    const int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl("/usr/sbin/ser2net", "ser2net", "-n", "-u", "-P", dir.File("ser2net.pid").c_str(), "-c",
          yaml.c_str(), nullptr);
    _exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } reaper{ser2net};
  // Wait for ser2net to listen.
  {
    Deadline d = Deadline::Seconds(10);
    std::unique_ptr<TcpClient> probe;
    while (!d.Expired() &&
           !(probe = TcpClient::Connect(ports[0], Deadline(std::chrono::milliseconds(200))))) {
      poll(nullptr, 0, 50);
    }
    ASSERT_NE(probe, nullptr) << "ser2net did not listen";
  }
  const std::string url = absl::StrCat("http://127.0.0.1:", ports[2]);
  Daemon b(dir);
  ASSERT_TRUE(b.Start(absl::StrCat(
      "admin: {listen: \"127.0.0.1:", ports[2], "\"}\nports:\n  - name: b\n    device: ", scheme,
      "://127.0.0.1:", ports[0], scheme == std::string("rfc2217") ? "\n    serial: 19200n81" : "",
      "\n    listen: [{port: \"127.0.0.1:", ports[1], "\"}]\n")));
  ASSERT_TRUE(b.WaitForLog("device " + scheme + "://127.0.0.1:", Deadline::Seconds(10))) << b.Log();
  auto client = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(b.WaitForLog("client #1", Deadline::Seconds(10)));
  if (scheme == "rfc2217") {
    EXPECT_TRUE(WaitForPtySpeed(pty, B19200, Deadline::Seconds(10))) << PtySpeed(pty);
    std::string out;
    ASSERT_EQ(Ctl(url, {"set", "b", "38400n82"}, &out), 0) << out;
    EXPECT_TRUE(WaitForPtySpeed(pty, B38400, Deadline::Seconds(10))) << PtySpeed(pty);
    std::string last;
    EXPECT_TRUE(WaitForPortValue(url, "serial", "38400N82", Deadline::Seconds(10), &last)) << last;
  }
  const std::string data = Pattern(0, 16 * 1024, 0x3a) + std::string("\xff\xff\r\n\r\0", 6);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {client.get()}, data, &got, Deadline::Seconds(30)));
  EXPECT_TRUE(got[0] == data) << got[0].size();
  ASSERT_TRUE(client->SendAll(data, Deadline::Seconds(30)));
  std::string at_pty;
  ASSERT_TRUE(pty.ReadExactly(&at_pty, data.size(), Deadline::Seconds(30))) << at_pty.size();
  EXPECT_TRUE(at_pty == data);
}

INSTANTIATE_TEST_SUITE_P(Schemes, Ser2netTest, ::testing::Values("telnet", "rfc2217"));

}  // namespace
}  // namespace ttyhub::testing
