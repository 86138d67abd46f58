// Hundreds of ports on one daemon: each port's data stays its own, idle
// ports cost no kernel worker threads, and shutdown is clean.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

constexpr int kPorts = 512;

TEST(ScaleTest, FiveHundredTwelvePortsWithOneClientEach) {
  RaiseFileLimit();
  TempDir dir;
  std::vector<std::unique_ptr<TestPty>> ptys;
  const std::vector<uint16_t> tcp = FreeTcpPorts(kPorts);
  ASSERT_EQ(tcp.size(), static_cast<size_t>(kPorts));
  std::string yaml = "workers: 2\nports:\n";
  for (int i = 0; i < kPorts; ++i) {
    ptys.push_back(std::make_unique<TestPty>());
    const std::string link = dir.File(absl::StrCat("dev", i));
    ptys.back()->LinkAs(link);
    absl::StrAppend(&yaml, "  - {name: p", i, ", device: ", link,
                    ", buffer: 16KiB, listen: [{port: \"127.0.0.1:", tcp[i], "\"}]}\n");
  }
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(yaml, {}, Deadline::Seconds(60)));
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < kPorts; ++i) {
    clients.push_back(TcpClient::Connect(tcp[i], Deadline::Seconds(20)));
    ASSERT_NE(clients.back(), nullptr) << "port " << i;
  }
  // Wait for the last port's client to be registered (ports are independent,
  // so check every one: each logs its own "(1 of 64)").
  Deadline all_in = Deadline::Seconds(60);
  for (int i = 0; i < kPorts; ++i) {
    ASSERT_TRUE(daemon.WaitForLog(absl::StrCat("port p", i, ": client #1 "), all_in)) << i;
  }

  // Idle: 512 devices polled, 512 clients polled. The target is that no
  // io_uring kernel worker (iou-wrk) exists; report what is there.
  const std::vector<std::string> threads = daemon.ThreadNames();
  int iou_workers = 0;
  for (const std::string& t : threads) iou_workers += absl::StartsWith(t, "iou-wrk") ? 1 : 0;
  std::printf("[ scale ] %d ports idle: %zu threads in ttyhub, %d of them iou-wrk\n", kPorts,
              threads.size(), iou_workers);
  EXPECT_EQ(iou_workers, 0);

  // Every port carries its own line each way.
  for (int i = 0; i < kPorts; ++i) {
    ASSERT_TRUE(ptys[i]->WriteAll(absl::StrCat("from device ", i, "\n"), Deadline::Seconds(10)));
    ASSERT_TRUE(clients[i]->SendAll(absl::StrCat("from client ", i, "\n"), Deadline::Seconds(10)));
  }
  for (int i = 0; i < kPorts; ++i) {
    std::string got, at_device;
    const std::string down = absl::StrCat("from device ", i, "\n");
    const std::string up = absl::StrCat("from client ", i, "\n");
    ASSERT_TRUE(clients[i]->ReadUntil(&got, down, Deadline::Seconds(20))) << i;
    EXPECT_EQ(got, down);
    ASSERT_TRUE(ptys[i]->ReadUntil(&at_device, up, Deadline::Seconds(20))) << i;
    EXPECT_EQ(at_device, up);
  }
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(30)), 0) << daemon.Log().substr(0, 4000);
  for (auto& c : clients) {
    std::string rest;
    EXPECT_TRUE(c->ReadUntilClosed(&rest, Deadline::Seconds(5)));
  }
}

}  // namespace
}  // namespace ttyhub::testing
