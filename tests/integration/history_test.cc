// History replay (issue 10, section 2, from the port's ring): a client that
// connects late first gets the last part of the port's output, then live
// data, with no gap and no duplicate byte at the seam.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// Port p0 on a test pty: a reference raw listener (no history) on ports[0]
// and the listener under test on ports[1].
std::string Config(const TempDir& dir, const std::vector<uint16_t>& ports,
                   const std::string& listener) {
  return absl::StrCat("ports:\n  - name: p0\n    device: ", dir.File("dev0"),
                      "\n    listen:\n      - {port: \"127.0.0.1:", ports[0], "\"}\n",
                      "      - {port: \"127.0.0.1:", ports[1], "\", ", listener, "}\n");
}

// Writes `data` to the device and waits until the reference client has it
// all, so the port has read it into its ring.
void DeviceSays(TestPty& pty, TcpClient& reference, const std::string& data) {
  ASSERT_TRUE(pty.WriteAll(data, Deadline::Seconds(10)));
  std::string got;
  ASSERT_TRUE(reference.ReadExactly(&got, data.size(), Deadline::Seconds(10)));
  ASSERT_EQ(got, data);
}

TEST(HistoryTest, ALateRawClientGetsTheLastBytesThenLiveDataWithNoSeam) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, ports, "history: 4096")));
  auto reference = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  ASSERT_NE(reference, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  DeviceSays(pty, *reference, Pattern(0, 10000, 0x5a));

  auto late = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(late, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));
  DeviceSays(pty, *reference, Pattern(10000, 20000, 0x5a));
  // History: the last 4096 bytes before it came; then everything live.
  std::string got;
  ASSERT_TRUE(late->ReadExactly(&got, 4096 + 20000, Deadline::Seconds(10)));
  EXPECT_TRUE(got == Pattern(10000 - 4096, 4096 + 20000, 0x5a)) << "gap or duplicate at the seam";
}

TEST(HistoryTest, LinesHistoryStartsAtALineBoundary) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, ports, "history: 200 lines")));
  auto reference = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  ASSERT_NE(reference, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  std::string boot;
  for (int i = 0; i < 500; ++i) absl::StrAppend(&boot, "line ", i, "\n");
  DeviceSays(pty, *reference, boot);

  auto late = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(late, nullptr);
  std::string got;
  ASSERT_TRUE(late->ReadUntil(&got, "line 499\n", Deadline::Seconds(10)));
  EXPECT_EQ(got.rfind("line 300\n", 0), 0u) << got.substr(0, 40);
  ASSERT_TRUE(pty.WriteAll("live\n", Deadline::Seconds(5)));
  ASSERT_TRUE(late->ReadUntil(&got, "live\n", Deadline::Seconds(10)));
  std::string want;
  for (int i = 300; i < 500; ++i) absl::StrAppend(&want, "line ", i, "\n");
  EXPECT_EQ(got, want + "live\n");
}

TEST(HistoryTest, TelnetClientsGetAMarkerBeforeAndAfterTheHistory) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, ports, "protocol: telnet, history: 64KiB")));
  auto reference = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  ASSERT_NE(reference, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  DeviceSays(pty, *reference, "Linux version 6.1\nboot done\n");

  auto late = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(late, nullptr);
  std::string got;
  ASSERT_TRUE(late->ReadUntil(&got, "live from here ---\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(pty.WriteAll("login: ", Deadline::Seconds(5)));
  ASSERT_TRUE(late->ReadUntil(&got, "login: ", Deadline::Seconds(10)));
  const size_t before = got.find("--- ttyhub: port p0: history, the last 28 bytes ---");
  const size_t history = got.find("Linux version 6.1\nboot done\n");
  const size_t after = got.find("--- ttyhub: end of history; live from here ---");
  const size_t live = got.find("login: ");
  ASSERT_NE(before, std::string::npos) << got;
  ASSERT_NE(history, std::string::npos) << got;
  ASSERT_NE(after, std::string::npos) << got;
  EXPECT_LT(before, history);
  EXPECT_LT(history, after);
  EXPECT_LT(after, live);
}

}  // namespace
}  // namespace ttyhub::testing
