// Bytes both ways, fan-out to many clients, read-only input, built-in devices.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// One port on a test pty (through a symlink), with the given listener lines.
std::string OnePortConfig(const TempDir& dir, const std::string& listeners,
                          const std::string& port_extra = "") {
  return absl::StrCat("workers: 2\nports:\n  - name: p0\n    device: ", dir.File("dev0"),
                      "\n    serial: 115200n81\n", port_extra, "    listen:\n", listeners);
}

TEST(DataPathTest, SeveralMebibytesBothWaysByteExact) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      OnePortConfig(dir, absl::StrCat("      - {port: \"127.0.0.1:", port, "\", access: rw}\n"))));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);

  constexpr size_t kSize = 8 << 20;
  const std::string down = Pattern(0, kSize, 0x11);  // device -> client
  const std::string up = Pattern(0, kSize, 0x22);    // client -> device
  std::string got_client, got_device;
  size_t sent_down = 0, sent_up = 0;
  Deadline deadline = Deadline::Seconds(120);
  // Drive both directions at once from one thread with poll(2).
  while ((got_client.size() < kSize || got_device.size() < kSize) && !deadline.Expired()) {
    pollfd fds[2] = {{pty.master(), POLLIN, 0}, {client->fd(), POLLIN, 0}};
    if (sent_down < kSize) fds[0].events |= POLLOUT;
    if (sent_up < kSize) fds[1].events |= POLLOUT;
    poll(fds, 2, 100);
    if (fds[0].revents & POLLOUT) {
      const ssize_t n =
          write(pty.master(), down.data() + sent_down, std::min<size_t>(kSize - sent_down, 65536));
      if (n > 0) sent_down += static_cast<size_t>(n);
    }
    if (fds[1].revents & POLLOUT) {
      const ssize_t n = send(client->fd(), up.data() + sent_up,
                             std::min<size_t>(kSize - sent_up, 65536), MSG_NOSIGNAL);
      if (n > 0) sent_up += static_cast<size_t>(n);
    }
    if (fds[0].revents & POLLIN)
      pty.ReadSome(&got_device, kSize - got_device.size(), Deadline(std::chrono::milliseconds(0)));
    if (fds[1].revents & POLLIN)
      client->ReadExactly(&got_client, std::min<size_t>(kSize - got_client.size(), 65536),
                          Deadline(std::chrono::milliseconds(0)));
  }
  ASSERT_EQ(got_client.size(), kSize);
  ASSERT_EQ(got_device.size(), kSize);
  EXPECT_TRUE(got_client == down) << "device->client stream differs";
  EXPECT_TRUE(got_device == up) << "client->device stream differs";
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0) << daemon.Log();
}

TEST(DataPathTest, SixtyFourClientsReceiveIdenticalStreams) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(OnePortConfig(dir, absl::StrCat("      - {port: \"127.0.0.1:", port,
                                                           "\", access: rw, max_clients: 64}\n"))));
  constexpr int kClients = 64;
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(TcpClient::Connect(port, Deadline::Seconds(10)));
    ASSERT_NE(clients.back(), nullptr);
  }
  // All 64 must be registered before data flows, or early bytes miss late clients.
  ASSERT_TRUE(daemon.WaitForLog("(64 of 64)", Deadline::Seconds(20)));

  constexpr size_t kSize = 4 << 20;
  const std::string data = Pattern(0, kSize, 0x5a);
  std::vector<TcpClient*> readers;
  for (auto& c : clients) readers.push_back(c.get());
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, readers, data, &got, Deadline::Seconds(180)));
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(got[i].size(), kSize) << "client " << i;
    EXPECT_TRUE(got[i] == data) << "client " << i << " stream differs";
  }
}

TEST(DataPathTest, ReadOnlyInputNeverReachesTheDevice) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(OnePortConfig(
      dir, absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n",
                        "      - {port: \"127.0.0.1:", ports[1], "\", access: ro}\n"))));
  auto rw = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto ro = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(rw, nullptr);
  ASSERT_NE(ro, nullptr);
  const std::string forbidden(100000, 'X');
  ASSERT_TRUE(ro->SendAll(forbidden, Deadline::Seconds(10)));
  ro->ShutdownWrite();
  // The daemon has read all of it once it reports the byte count.
  ro.reset();
  ASSERT_TRUE(daemon.WaitForLog("(ro) disconnected: closed by peer; sent 0 B, received 100000 B",
                                Deadline::Seconds(20)))
      << daemon.Log();
  ASSERT_TRUE(rw->SendAll("marker\n", Deadline::Seconds(10)));
  std::string at_device;
  ASSERT_TRUE(pty.ReadUntil(&at_device, "marker\n", Deadline::Seconds(10)));
  EXPECT_EQ(at_device, "marker\n");
  // And nothing else follows.
  EXPECT_EQ(pty.ReadSome(&at_device, 1 << 20, Deadline(std::chrono::milliseconds(300))), 0u);
}

TEST(DataPathTest, BannerIsExpandedAndSentFirst) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      OnePortConfig(dir, absl::StrCat("      - {port: \"127.0.0.1:", port, "\"}\n"),
                    "    banner: 'port \\N dev \\d tcp \\p at \\s\\r\\n\\tok\\\\\\r\\n'\n")));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  const std::string expected =
      absl::StrCat("port p0 dev ", dir.File("dev0"), " tcp ", port, " at 115200N81\r\n\tok\\\r\n");
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, expected.size(), Deadline::Seconds(10)));
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(pty.WriteAll("after", Deadline::Seconds(10)));
  ASSERT_TRUE(client->ReadExactly(&got, 5, Deadline::Seconds(10)));
  EXPECT_EQ(got, expected + "after");
}

TEST(DataPathTest, HalfClosedClientStillReceivesOutput) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(
      daemon.Start(OnePortConfig(dir, absl::StrCat("      - {port: \"127.0.0.1:", port, "\"}\n"))));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendAll("show version\r", Deadline::Seconds(10)));
  client->ShutdownWrite();  // like `echo cmd | nc -q 2 host port`
  std::string at_device;
  ASSERT_TRUE(pty.ReadUntil(&at_device, "show version\r", Deadline::Seconds(10)));
  ASSERT_TRUE(pty.WriteAll("Version 1.0\r\n", Deadline::Seconds(10)));
  std::string got;
  ASSERT_TRUE(client->ReadUntil(&got, "Version 1.0\r\n", Deadline::Seconds(10)));
}

TEST(DataPathTest, SimulatedEchoDevice) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(absl::StrCat(
      "ports:\n  - name: echo\n    device: sim:echo\n    listen: [{port: \"127.0.0.1:", port,
      "\"}]\n")));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  constexpr size_t kSize = 2 << 20;
  const std::string data = Pattern(0, kSize, 0x33);
  std::string got;
  size_t sent = 0;
  Deadline deadline = Deadline::Seconds(60);
  while (got.size() < kSize && !deadline.Expired()) {
    pollfd pfd{client->fd(), static_cast<short>(POLLIN | (sent < kSize ? POLLOUT : 0)), 0};
    poll(&pfd, 1, 100);
    if (pfd.revents & POLLOUT) {
      const ssize_t n = send(client->fd(), data.data() + sent,
                             std::min<size_t>(kSize - sent, 65536), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    if (pfd.revents & POLLIN) {
      client->ReadExactly(&got, std::min<size_t>(kSize - got.size(), 65536),
                          Deadline(std::chrono::milliseconds(0)));
    }
  }
  ASSERT_EQ(got.size(), kSize);
  EXPECT_TRUE(got == data);
}

TEST(DataPathTest, SimulatedConsoleLogsIn) {
  TempDir dir;
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      absl::StrCat("ports:\n  - name: console\n    device: sim:console\n    listen:\n"
                   "      - {port: \"127.0.0.1:",
                   ports[0], "\"}\n      - {port: \"127.0.0.1:", ports[1], "\", access: ro}\n")));
  auto rw = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto ro = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(rw, nullptr);
  ASSERT_NE(ro, nullptr);
  std::string got, watched;
  ASSERT_TRUE(rw->ReadUntil(&got, "login: ", Deadline::Seconds(30)));
  ASSERT_TRUE(rw->SendAll("root\r", Deadline::Seconds(5)));
  ASSERT_TRUE(rw->ReadUntil(&got, "Password: ", Deadline::Seconds(10)));
  ASSERT_TRUE(rw->SendAll("x\r", Deadline::Seconds(5)));
  ASSERT_TRUE(rw->ReadUntil(&got, "root@sim-console:~# ", Deadline::Seconds(10)));
  ASSERT_TRUE(rw->SendAll("seq 5\r", Deadline::Seconds(5)));
  ASSERT_TRUE(rw->ReadUntil(&got, "4\r\n5\r\nroot@sim-console", Deadline::Seconds(10)));
  // The viewer saw the same session.
  ASSERT_TRUE(ro->ReadUntil(&watched, "4\r\n5\r\nroot@sim-console", Deadline::Seconds(10)));
}

TEST(DataPathTest, PtyDeviceIsPublishedForAnotherProgram) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  const std::string link = dir.File("sub/dir/pty0");
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(absl::StrCat("ports:\n  - name: pty\n    device: \"pty:", link,
                                        "\"\n    listen: [{port: \"127.0.0.1:", port, "\"}]\n")));
  // The test plays the program that opens the published end.
  const int dev = open(link.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(dev, 0) << link;
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("(1 of 64)", Deadline::Seconds(10)));
  const std::string hello = "from the program\n";
  ASSERT_EQ(write(dev, hello.data(), hello.size()), static_cast<ssize_t>(hello.size()));
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, hello.size(), Deadline::Seconds(10)));
  EXPECT_EQ(got, hello);
  ASSERT_TRUE(client->SendAll("to the program\n", Deadline::Seconds(10)));
  std::string at_dev;
  Deadline d = Deadline::Seconds(10);
  while (at_dev.find("to the program\n") == std::string::npos && !d.Expired()) {
    pollfd pfd{dev, POLLIN, 0};
    poll(&pfd, 1, d.PollMs());
    char buf[256];
    const ssize_t n = read(dev, buf, sizeof(buf));
    if (n > 0) at_dev.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(at_dev, "to the program\n");
  close(dev);
  // The link is removed on shutdown.
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0);
  EXPECT_NE(access(link.c_str(), F_OK), 0);
}

// Issue 9, item 17: with two rw clients typing at once, a 12-byte write from
// one reached the device split by the other's bytes (the input queue had
// room for only part of it). A bulk client keeps the input queue full while
// three others each send 300 twelve-byte records; every record must reach
// the device whole.
TEST(DataPathTest, ConcurrentWritersNeverSplitEachOthersWrites) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      OnePortConfig(dir, absl::StrCat("      - {port: \"127.0.0.1:", port, "\", access: rw}\n"))));
  auto bulk = TcpClient::Connect(port, Deadline::Seconds(10));
  std::vector<std::unique_ptr<TcpClient>> typists;
  for (int i = 0; i < 3; ++i) typists.push_back(TcpClient::Connect(port, Deadline::Seconds(10)));
  ASSERT_NE(bulk, nullptr);
  for (auto& t : typists) ASSERT_NE(t, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("(4 of 64)", Deadline::Seconds(10)));

  const std::string filler(512 * 1024, '.');
  constexpr int kRecords = 300;  // 3,600 bytes per typist
  size_t bulk_sent = 0;
  int records_sent[3] = {0, 0, 0};
  std::string device;
  const size_t total = filler.size() + 3 * kRecords * 12;
  Deadline deadline = Deadline::Seconds(60);
  auto next_record = Clock::now();
  while (device.size() < total && !deadline.Expired()) {
    if (bulk_sent < filler.size()) {
      const ssize_t n = send(bulk->fd(), filler.data() + bulk_sent,
                             std::min<size_t>(filler.size() - bulk_sent, 16384), MSG_DONTWAIT);
      if (n > 0) bulk_sent += static_cast<size_t>(n);
    }
    if (Clock::now() >= next_record) {
      for (int t = 0; t < 3; ++t) {
        if (records_sent[t] == kRecords) continue;
        // One record per send: "A0000000042\n".
        char record[13];
        snprintf(record, sizeof(record), "%c%010d\n", 'A' + t, records_sent[t]);
        if (send(typists[t]->fd(), record, 12, MSG_DONTWAIT) == 12) ++records_sent[t];
      }
      next_record = Clock::now() + std::chrono::microseconds(500);
    }
    // The device reads slowly, so the input queue stays nearly full.
    pty.ReadSome(&device, 1024, Deadline(std::chrono::milliseconds(1)));
  }
  ASSERT_EQ(device.size(), total) << "sent " << bulk_sent << " filler bytes";
  int seen[3] = {0, 0, 0};
  for (size_t i = 0; i < device.size(); ++i) {
    if (device[i] == '.') continue;
    ASSERT_LE(i + 12, device.size());
    const int t = device[i] - 'A';
    ASSERT_TRUE(t >= 0 && t < 3) << "at " << i << ": " << device.substr(i, 12);
    char want[13];
    snprintf(want, sizeof(want), "%c%010d\n", 'A' + t, seen[t]);
    ASSERT_EQ(device.substr(i, 12), std::string(want, 12))
        << "record split or out of order at device offset " << i;
    ++seen[t];
    i += 11;
  }
  for (int t = 0; t < 3; ++t) EXPECT_EQ(seen[t], kRecords);
}

}  // namespace
}  // namespace ttyhub::testing
