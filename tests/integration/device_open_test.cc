// How and when a device is opened (issue 11, ser2net semantics), end to
// end on a real pty: `open: on_connect` with open_string and close_string,
// and `write_only` (ser2net's rawlp).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

class DeviceOpenTest : public ::testing::Test {
 protected:
  void Start(const std::string& port_keys) {
    pty_.LinkAs(dir_.File("dev"));
    const auto ports = FreeTcpPorts(2);
    admin_ = ports[0];
    tcp_ = ports[1];
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", admin_, "\"}\nports:\n  - name: p\n    device: ",
        dir_.File("dev"), "\n", port_keys, "    listen: [{port: \"127.0.0.1:", tcp_, "\"}]\n")));
  }
  std::string State() {
    std::string out;
    if (RunProgram("curl",
                   {"-s", "-f", "--max-time", "10",
                    absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/ports/p")},
                   "", &out, Deadline::Seconds(20)) != 0) {
      return "?";
    }
    const auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_object() ? j.value("state", "?") : "?";
  }
  bool WaitForState(const std::string& state) {
    const Deadline deadline = Deadline::Seconds(10);
    while (!deadline.Expired()) {
      if (State() == state) return true;
      poll(nullptr, 0, deadline.PollMs(50));
    }
    return false;
  }
  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t admin_ = 0, tcp_ = 0;
};

TEST_F(DeviceOpenTest, OnConnectOpensForTheFirstClientAndClosesAfterTheLast) {
  Start(
      "    open: on_connect\n    open_string: 'hello \\N\\r\\n'\n"
      "    close_string: 'bye\\r\\n'\n");
  EXPECT_EQ(State(), "idle") << "closed until someone connects";
  auto a = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(a);
  std::string got;
  ASSERT_TRUE(pty_.ReadExactly(&got, 9, Deadline::Seconds(10)));
  EXPECT_EQ(got, "hello p\r\n") << "open_string, expanded like a banner";
  EXPECT_EQ(State(), "open");
  auto b = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(b);
  std::vector<std::string> out;
  ASSERT_TRUE(
      StreamToReaders(pty_, {a.get(), b.get()}, "console\r\n", &out, Deadline::Seconds(10)));
  a.reset();
  EXPECT_EQ(State(), "open") << "one client is still there";
  ASSERT_TRUE(b->SendAll("last words\r", Deadline::Seconds(5)));
  b.reset();
  got.clear();
  ASSERT_TRUE(pty_.ReadExactly(&got, 16, Deadline::Seconds(10)));
  EXPECT_EQ(got, "last words\rbye\r\n") << "queued input first, then close_string";
  ASSERT_TRUE(WaitForState("idle"));
  // And again.
  auto c = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(c);
  got.clear();
  ASSERT_TRUE(pty_.ReadExactly(&got, 9, Deadline::Seconds(10)));
  EXPECT_EQ(got, "hello p\r\n");
}

TEST_F(DeviceOpenTest, WriteOnlyNeverReadsAndLeavesTermiosAlone) {
  // Termios as someone else left it: not raw. ttyhub must not change it.
  termios before{};
  const int slave = open(pty_.slave_path().c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  ASSERT_EQ(tcgetattr(slave, &before), 0);
  Start("    write_only: true\n");
  ASSERT_TRUE(WaitForState("open"));
  termios after{};
  ASSERT_EQ(tcgetattr(slave, &after), 0);
  close(slave);
  EXPECT_EQ(before.c_lflag, after.c_lflag);
  EXPECT_EQ(before.c_iflag, after.c_iflag);
  EXPECT_EQ(before.c_cflag, after.c_cflag);
  auto client = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->SendAll("PRINT\n", Deadline::Seconds(5)));
  std::string printed;
  // The tty's own output processing (ONLCR, left on) turns \n into \r\n:
  // proof again that ttyhub did not make it raw.
  ASSERT_TRUE(pty_.ReadUntil(&printed, "\r\n", Deadline::Seconds(10))) << printed;
  EXPECT_EQ(printed, "PRINT\r\n");
  ASSERT_TRUE(pty_.WriteAll("from the printer\n", Deadline::Seconds(5)));
  // Nothing comes back: ReadExactly of one byte times out with nothing.
  std::string got;
  EXPECT_FALSE(client->ReadExactly(&got, 1, Deadline(std::chrono::milliseconds(700))));
  EXPECT_EQ(got, "");
}

}  // namespace
}  // namespace ttyhub::testing

namespace ttyhub::testing {
namespace {

// Debian's default ser2net.yaml: one device at two speeds on two TCP ports.
// The first port to get a client has the device; the other refuses clients
// until it is given back.
TEST(SharedDeviceTest, TheFirstOnConnectPortToGetAClientHasTheDevice) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("ttyS0"));
  Daemon daemon(dir);
  const auto tcp = FreeTcpPorts(2);
  ASSERT_TRUE(daemon.Start(absl::StrCat(
      "workers: 2\nports:\n"
      "  - {name: slow, device: ",
      dir.File("ttyS0"), ", serial: 9600n81, open: on_connect, listen: [{port: \"127.0.0.1:",
      tcp[0], "\"}]}\n  - {name: fast, device: ", dir.File("ttyS0"),
      ", serial: 115200n81, open: on_connect, listen: [{port: \"127.0.0.1:", tcp[1], "\"}]}\n")));
  auto first = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(first);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {first.get()}, "slow port\r\n", &got, Deadline::Seconds(10)));
  auto second = TcpClient::Connect(tcp[1], Deadline::Seconds(10));
  ASSERT_TRUE(second);
  std::string refused;
  ASSERT_TRUE(second->ReadUntilClosed(&refused, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(refused, "ttyhub: port fast: device "));
  EXPECT_TRUE(absl::StrContains(refused, " is in use by port slow")) << refused;
  // Given back when its client leaves: then the other port gets it, at its
  // own speed.
  first.reset();
  const Deadline deadline = Deadline::Seconds(10);
  std::unique_ptr<TcpClient> third;
  while (!deadline.Expired()) {
    third = TcpClient::Connect(tcp[1], Deadline::Seconds(5));
    ASSERT_TRUE(third);
    std::string probe;
    // Refused clients are closed at once; a served one stays connected.
    if (!third->ReadUntilClosed(&probe, Deadline(std::chrono::milliseconds(300)))) break;
    third.reset();
  }
  ASSERT_TRUE(third) << "the fast port never got the device";
  ASSERT_TRUE(StreamToReaders(pty, {third.get()}, "fast port\r\n", &got, Deadline::Seconds(10)));
  termios t{};
  const int slave = open(pty.slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(slave, 0);
  ASSERT_EQ(tcgetattr(slave, &t), 0);
  close(slave);
  EXPECT_EQ(cfgetospeed(&t), B115200);
}

}  // namespace
}  // namespace ttyhub::testing
