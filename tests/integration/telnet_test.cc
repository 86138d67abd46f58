// Telnet listeners end to end: negotiation, exact binary data both ways,
// NVT line endings without BINARY, a real telnet client (netkit) in
// character mode, and hostile input that must not hurt anyone else.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

constexpr char kIac = '\xff';
constexpr char kWill = '\xfb', kWont = '\xfc', kDo = '\xfd', kDont = '\xfe', kSb = '\xfa',
               kSe = '\xf0', kAyt = '\xf6';
constexpr char kBinary = 0, kEcho = 1, kSga = 3;

std::string Cmd(char verb, char option) { return std::string{kIac, verb, option}; }

// Strips telnet commands from what a server sent; IAC IAC becomes 0xFF.
std::string Unescape(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != kIac) {
      out += in[i];
    } else if (i + 1 < in.size() && in[i + 1] == kIac) {
      out += kIac;
      ++i;
    } else if (i + 1 < in.size() && (in[i + 1] >= kWill && in[i + 1] <= kDont)) {
      i += 2;
    } else {
      ++i;
    }
  }
  return out;
}

std::string Escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    out += c;
    if (c == kIac) out += kIac;
  }
  return out;
}

class TelnetTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& device = "") {
    pty_.LinkAs(dir_.File("dev0"));
    const auto ports = FreeTcpPorts(2);
    port_ = ports[0];
    raw_port_ = ports[1];
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "ports:\n  - name: p0\n    device: ", device.empty() ? dir_.File("dev0") : device,
        "\n    listen:\n      - {port: \"127.0.0.1:", port_, "\", protocol: telnet}\n",
        "      - {port: \"127.0.0.1:", raw_port_, "\", protocol: raw}\n")));
  }

  // Connects and reads the server's five opening offers.
  std::unique_ptr<TcpClient> Connect() {
    auto c = TcpClient::Connect(port_, Deadline::Seconds(10));
    if (!c) return nullptr;
    std::string offers;
    EXPECT_TRUE(c->ReadExactly(&offers, 15, Deadline::Seconds(10)));
    EXPECT_EQ(offers, Cmd(kWill, kEcho) + Cmd(kWill, kSga) + Cmd(kDo, kSga) + Cmd(kWill, kBinary) +
                          Cmd(kDo, kBinary));
    return c;
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t port_ = 0, raw_port_ = 0;
};

TEST_F(TelnetTest, BinaryDataWithIacAndCrNulRoundTripsExactly) {
  StartDaemon();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  // Accept everything offered: BINARY both ways.
  ASSERT_TRUE(c->SendAll(
      Cmd(kDo, kEcho) + Cmd(kDo, kSga) + Cmd(kWill, kSga) + Cmd(kDo, kBinary) + Cmd(kWill, kBinary),
      Deadline::Seconds(5)));
  std::string up;
  for (int i = 0; i < 256; ++i) up += static_cast<char>(i);
  up += std::string("\r\0\r\n\xff\xff\r", 7);
  ASSERT_TRUE(c->SendAll(Escape(up), Deadline::Seconds(5)));
  std::string at_device;
  ASSERT_TRUE(pty_.ReadExactly(&at_device, up.size(), Deadline::Seconds(10)))
      << at_device.size() << " bytes: " << at_device;
  EXPECT_TRUE(at_device == up) << "client -> device bytes changed";

  const std::string down = up;
  ASSERT_TRUE(pty_.WriteAll(down, Deadline::Seconds(5)));
  std::string wire;
  // Each 0xFF doubles on the wire: 1 + 2 in the block, 2 at the end.
  ASSERT_TRUE(c->ReadExactly(&wire, down.size() + 3, Deadline::Seconds(10)));
  EXPECT_TRUE(Unescape(wire) == down) << "device -> client bytes changed";
  // No NUL stuffing in binary mode.
  EXPECT_EQ(wire.size(), down.size() + 3);
}

TEST_F(TelnetTest, WithoutBinaryLineEndingsFollowTheNvt) {
  StartDaemon();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  // Character mode, but refuse BINARY both ways.
  ASSERT_TRUE(c->SendAll(Cmd(kDo, kEcho) + Cmd(kDo, kSga) + Cmd(kWill, kSga) + Cmd(kDont, kBinary) +
                             Cmd(kWont, kBinary),
                         Deadline::Seconds(5)));
  // Enter as CR NUL or CR LF is one CR for the device.
  ASSERT_TRUE(c->SendAll(std::string("ls\r\0pwd\r\nend", 12), Deadline::Seconds(5)));
  std::string at_device;
  ASSERT_TRUE(pty_.ReadUntil(&at_device, "end", Deadline::Seconds(10))) << at_device;
  EXPECT_EQ(at_device, "ls\rpwd\rend");
  // A bare CR from the device goes out as CR NUL.
  ASSERT_TRUE(pty_.WriteAll("a\rb\r\nc", Deadline::Seconds(5)));
  std::string wire;
  ASSERT_TRUE(c->ReadUntil(&wire, "c", Deadline::Seconds(10)));
  EXPECT_EQ(wire, std::string("a\r\0b\r\nc", 7));
}

TEST_F(TelnetTest, AreYouThereAndRefusals) {
  StartDaemon();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->SendAll(Cmd(kWill, 24) + std::string{kIac, kAyt}, Deadline::Seconds(5)));
  std::string wire;
  ASSERT_TRUE(c->ReadUntil(&wire, "[ttyhub: yes]\r\n", Deadline::Seconds(10)));
  EXPECT_EQ(wire, Cmd(kDont, 24) + "\r\n[ttyhub: yes]\r\n");
  // Raw listeners on the same port see none of this.
  auto raw = TcpClient::Connect(raw_port_, Deadline::Seconds(10));
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(daemon_.WaitForLog("client #2", Deadline::Seconds(10)));
  ASSERT_TRUE(pty_.WriteAll("\xff", Deadline::Seconds(5)));
  std::string raw_got;
  ASSERT_TRUE(raw->ReadExactly(&raw_got, 1, Deadline::Seconds(10)));
  EXPECT_EQ(raw_got, "\xff");
}

TEST_F(TelnetTest, NetkitTelnetNegotiatesCharacterMode) {
  if (access("/usr/bin/telnet", X_OK) != 0 && access("/usr/bin/telnet.netkit", X_OK) != 0) {
    GTEST_SKIP() << "no telnet client installed (tools/dev.sh test installs it)";
  }
  StartDaemon();
  int term = -1;
  const pid_t pid = forkpty(&term, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string port = std::to_string(port_);
    execlp("telnet", "telnet", "127.0.0.1", port.c_str(), nullptr);
    _exit(127);
  }
  fcntl(term, F_SETFL, O_NONBLOCK);
  auto read_term_until = [&](const std::string& needle, Deadline d) {
    std::string seen;
    while (seen.find(needle) == std::string::npos && !d.Expired()) {
      pollfd pfd{term, POLLIN, 0};
      poll(&pfd, 1, d.PollMs());
      char buf[1024];
      const ssize_t n = read(term, buf, sizeof(buf));
      if (n > 0) seen.append(buf, static_cast<size_t>(n));
    }
    return seen;
  };
  EXPECT_NE(read_term_until("Escape character", Deadline::Seconds(10)).find("Connected to"),
            std::string::npos);
  ASSERT_TRUE(daemon_.WaitForLog("client #1", Deadline::Seconds(10)));
  // In character mode each key goes out at once, no Enter needed; in line
  // mode nothing would reach the device.
  ASSERT_EQ(write(term, "xyz", 3), 3);
  std::string at_device;
  ASSERT_TRUE(pty_.ReadUntil(&at_device, "xyz", Deadline::Seconds(10))) << at_device;
  EXPECT_EQ(at_device, "xyz");
  ASSERT_TRUE(pty_.WriteAll("from the device", Deadline::Seconds(5)));
  EXPECT_NE(read_term_until("from the device", Deadline::Seconds(10)).find("from the device"),
            std::string::npos);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(term);
}

// A suspended rw client is lossless: it holds the ring, so the device (and
// every other client) waits for it, for at most stall_timeout.
TEST(Rfc2217SuspendTest, SuspendedReadWriteClientHoldsThePortForAtMostStallTimeout) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(
      daemon.Start(absl::StrCat("ports:\n  - name: p0\n    device: ", dir.File("dev0"),
                                "\n    buffer: 64KiB\n    stall_timeout: 1s\n    listen:\n",
                                "      - {port: \"127.0.0.1:", ports[0], "\", protocol: rfc2217}\n",
                                "      - {port: \"127.0.0.1:", ports[1], "\", protocol: raw}\n")));
  auto rfc = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto raw = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(rfc, nullptr);
  ASSERT_NE(raw, nullptr);
  std::string offers;
  ASSERT_TRUE(rfc->ReadExactly(&offers, 15, Deadline::Seconds(10)));
  // COM-PORT on, then FLOWCONTROL-SUSPEND: "send me nothing for now".
  ASSERT_TRUE(rfc->SendAll(Cmd(kWill, '\x2c') + std::string{kIac, kSb, '\x2c', 8, kIac, kSe},
                           Deadline::Seconds(5)));
  std::string answer;
  ASSERT_TRUE(rfc->ReadExactly(&answer, 3, Deadline::Seconds(10)));
  EXPECT_EQ(answer, Cmd(kDo, '\x2c'));
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));
  // 4 MiB through a 64 KiB ring: the suspended rw client holds the port for
  // stall_timeout, is disconnected, and the raw client gets every byte.
  const std::string data = Pattern(0, 4 << 20, 4);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {raw.get()}, data, &got, Deadline::Seconds(60)));
  EXPECT_TRUE(got[0] == data);
  EXPECT_NE(daemon.Log().find("(rw) disconnected: stalled"), std::string::npos) << daemon.Log();
  // While suspended it was sent no port data at all.
  std::string rest;
  EXPECT_TRUE(rfc->ReadUntilClosed(&rest, Deadline::Seconds(10)));
  EXPECT_EQ(rest, "");
}

uint64_t RssKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      uint64_t kib = 0;
      std::istringstream(line.substr(6)) >> kib;
      return kib;
    }
  }
  return 0;
}

TEST_F(TelnetTest, HostileInputIsBoundedAndHarmsNoOne) {
  StartDaemon();
  auto good = Connect();
  ASSERT_NE(good, nullptr);
  ASSERT_TRUE(good->SendAll(Cmd(kDo, kBinary) + Cmd(kWill, kBinary), Deadline::Seconds(5)));
  const uint64_t rss_before = RssKiB(daemon_.pid());

  // 1: a subnegotiation that never ends (32 MiB of it).
  auto sb = Connect();
  ASSERT_NE(sb, nullptr);
  ASSERT_TRUE(sb->SendAll(std::string{kIac, kSb, '\x2c'}, Deadline::Seconds(5)));
  const std::string junk(1 << 20, 'A');
  for (int i = 0; i < 32; ++i) ASSERT_TRUE(sb->SendAll(junk, Deadline::Seconds(30)));
  // 2: truncated and nonsensical sequences.
  auto odd = Connect();
  ASSERT_NE(odd, nullptr);
  ASSERT_TRUE(odd->SendAll(std::string{kIac, kSe, kIac, '\x01', kIac, kSb, kIac, kDo, 0, kIac},
                           Deadline::Seconds(5)));
  // 3: a flood of requests whose answers it never reads.
  auto flood = Connect();
  ASSERT_NE(flood, nullptr);
  std::string ayt;
  for (int i = 0; i < 20000; ++i) ayt += std::string{kIac, kAyt};
  bool sent = true;
  for (int i = 0; i < 20 && sent; ++i) sent = flood->SendAll(ayt, Deadline::Seconds(10));
  ASSERT_TRUE(daemon_.WaitForLog("telnet answers and notifications piling up unread",
                                 Deadline::Seconds(30)))
      << daemon_.Log();

  // The well-behaved client still works both ways.
  ASSERT_TRUE(pty_.WriteAll("still fine", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(good->ReadUntil(&got, "still fine", Deadline::Seconds(10)));
  ASSERT_TRUE(good->SendAll("typed", Deadline::Seconds(5)));
  std::string at_device;
  ASSERT_TRUE(pty_.ReadUntil(&at_device, "typed", Deadline::Seconds(10)));
  EXPECT_EQ(at_device, "typed") << "hostile bytes reached the device";
  // Memory did not grow with the junk: 32 MiB went in; allow 16 MiB of
  // allocator noise (ASan builds keep freed memory in quarantine).
  const uint64_t rss_after = RssKiB(daemon_.pid());
  EXPECT_LT(rss_after, rss_before + 16 * 1024) << rss_before << " KiB -> " << rss_after << " KiB";
  // And the daemon is fine: it stops cleanly.
  sb.reset();
  odd.reset();
  EXPECT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0) << daemon_.Log();
}

}  // namespace
}  // namespace ttyhub::testing
