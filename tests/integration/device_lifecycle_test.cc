// Devices that vanish and return, are missing at startup, or talk to nobody.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

std::string Config(const TempDir& dir, uint16_t port) {
  return absl::StrCat("ports:\n  - name: p0\n    device: ", dir.File("dev0"),
                      "\n    listen: [{port: \"127.0.0.1:", port, "\"}]\n");
}

TEST(DeviceLifecycleTest, DeviceVanishesAndReturnsWhileClientsStayConnected) {
  TempDir dir;
  auto first = std::make_unique<TestPty>();
  first->LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, port)));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  ASSERT_TRUE(first->WriteAll("before\n", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(client->ReadUntil(&got, "before\n", Deadline::Seconds(10)));

  // Unplug: the device's far end goes away.
  first.reset();
  ASSERT_TRUE(daemon.WaitForLog("failed (read", Deadline::Seconds(10))) << daemon.Log();
  // Plug a new one in at the same path.
  TestPty second;
  second.LinkAs(dir.File("dev0"));
  ASSERT_TRUE(daemon.WaitForLog("reopened after", Deadline::Seconds(20))) << daemon.Log();

  // Same client, same socket: data flows both ways again.
  ASSERT_TRUE(second.WriteAll("after\n", Deadline::Seconds(5)));
  ASSERT_TRUE(client->ReadUntil(&got, "after\n", Deadline::Seconds(10)));
  EXPECT_EQ(got, "before\nafter\n");
  ASSERT_TRUE(client->SendAll("typed\n", Deadline::Seconds(5)));
  std::string at_device;
  ASSERT_TRUE(second.ReadUntil(&at_device, "typed\n", Deadline::Seconds(10)));
  EXPECT_FALSE(client->closed());
}

TEST(DeviceLifecycleTest, DeviceMissingAtStartupIsRetried) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, port)));
  EXPECT_NE(daemon.Log().find("cannot open device"), std::string::npos);
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr) << "the listener must be up without the device";
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  ASSERT_TRUE(daemon.WaitForLog("reopened after", Deadline::Seconds(20))) << daemon.Log();
  ASSERT_TRUE(pty.WriteAll("hello", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, 5, Deadline::Seconds(10)));
  EXPECT_EQ(got, "hello");
}

TEST(DeviceLifecycleTest, RepeatedFailuresAreRateLimitedInTheLog) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, port), {"--log-level", "debug"}));
  // Every attempt is visible at debug level; the warning is admitted twice
  // (the burst) and then at most once per 30 s.
  ASSERT_TRUE(daemon.WaitForLog("open attempt 6 failed", Deadline::Seconds(30))) << daemon.Log();
  const std::string log = daemon.Log();
  size_t count = 0;
  for (size_t pos = log.find("cannot open device"); pos != std::string::npos;
       pos = log.find("cannot open device", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << log;
}

TEST(DeviceLifecycleTest, OutputWithNobodyWatchingIsStillRead) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, port)));
  // With no client connected, 4 MiB must still drain from the device: a pty
  // holds only a few KiB, so the writer would block if nobody read it.
  EXPECT_TRUE(pty.WriteAll(Pattern(0, 4 << 20), Deadline::Seconds(60)));
}

TEST(DeviceLifecycleTest, SigtermExitsCleanlyAndFlushesQueuedInput) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(dir, port)));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  // Queue input the device does not read yet: the pty accepts a few KiB,
  // ttyhub's input queue holds the rest.
  const std::string typed = Pattern(0, 40000, 1);
  ASSERT_TRUE(client->SendAll(typed, Deadline::Seconds(10)));
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  kill(daemon.pid(), SIGTERM);
  // While it flushes (bounded by shutdown_timeout, 2 s), the device reads.
  std::string at_device;
  EXPECT_TRUE(pty.ReadExactly(&at_device, typed.size(), Deadline::Seconds(10)));
  EXPECT_TRUE(at_device == typed);
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0) << daemon.Log();
  EXPECT_NE(daemon.Log().find("stopped"), std::string::npos);
  std::string rest;
  EXPECT_TRUE(client->ReadUntilClosed(&rest, Deadline::Seconds(5)));
}

}  // namespace
}  // namespace ttyhub::testing
