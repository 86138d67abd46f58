// The defining behaviour: a slow or dead client never stalls the port or the
// other clients. Skipped bytes are counted exactly; stalled lossless clients
// are cut off after stall_timeout.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

constexpr int kSmallRcvBuf = 4096;  // the kernel doubles it; still tiny

std::string Config(const TempDir& dir, const std::string& listeners,
                   const std::string& port_extra = "") {
  return absl::StrCat("ports:\n  - name: p0\n    device: ", dir.File("dev0"),
                      "\n    buffer: 64KiB\n", port_extra, "    listen:\n", listeners);
}

// Streams `data` into the device while `reader` keeps up; true once the
// reader has it all.
bool PumpThrough(TestPty& pty, TcpClient& reader, const std::string& data, std::string* got,
                 Deadline deadline) {
  std::vector<std::string> out;
  const bool ok = StreamToReaders(pty, {&reader}, data, &out, deadline);
  *got = out[0];
  return ok;
}

// Parses "skipped N B" from the disconnect line of the one read-only
// client. (Not by client number: numbers follow the order accepts complete,
// and Linux 6.1 completes two near-simultaneous accepts newest first.)
// Only complete lines count: the daemon may be mid-write.
bool SkippedFromLog(const std::string& log, uint64_t* skipped) {
  const size_t complete = log.rfind('\n');
  if (complete == std::string::npos) return false;
  for (absl::string_view line : absl::StrSplit(absl::string_view(log).substr(0, complete), '\n')) {
    if (!absl::StrContains(line, "(ro) disconnected: ")) continue;
    const size_t at = line.find("skipped ");
    if (at == absl::string_view::npos) return false;
    absl::string_view rest = line.substr(at + 8);
    return absl::SimpleAtoi(rest.substr(0, rest.find(' ')), skipped);
  }
  return false;
}

TEST(SlowClientsTest, StalledViewerNeitherSlowsTheFastClientNorLosesCount) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir, absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n",
                               "      - {port: \"127.0.0.1:", ports[1], "\", access: ro}\n"))));
  auto fast = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto viewer = TcpClient::Connect(ports[1], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(viewer, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));

  // 16 MiB through a 64 KiB ring while the viewer reads nothing: if the
  // viewer held the port back, this could not finish.
  constexpr size_t kSize = 16 << 20;
  const std::string data = Pattern(0, kSize, 0x42);
  std::string got;
  ASSERT_TRUE(PumpThrough(pty, *fast, data, &got, Deadline::Seconds(120)))
      << "fast client got " << got.size() << " of " << kSize;
  EXPECT_TRUE(got == data);

  // Now the viewer drains: it must hold a prefix and the stream's tail, with
  // exactly one gap in between.
  std::string seen;
  const std::string tail = data.substr(kSize - 100);
  ASSERT_TRUE(viewer->ReadUntil(&seen, tail, Deadline::Seconds(30)));
  ASSERT_TRUE(seen.size() >= tail.size() &&
              seen.compare(seen.size() - tail.size(), tail.size(), tail) == 0);
  uint64_t skipped = 0;
  ASSERT_TRUE(MatchesWithOneGap(seen, kSize, 0x42, &skipped)) << "viewer stream is corrupt";
  EXPECT_GT(skipped, 0u) << "the viewer was never lapped, so this test proves nothing";
  EXPECT_EQ(seen.size() + skipped, kSize);

  // The daemon's own count, reported when the viewer leaves, agrees.
  viewer.reset();
  uint64_t logged = 0;
  Deadline logged_by = Deadline::Seconds(20);
  while (!SkippedFromLog(daemon.Log(), &logged) && !logged_by.Expired()) {
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
  ASSERT_TRUE(SkippedFromLog(daemon.Log(), &logged)) << daemon.Log();
  EXPECT_EQ(logged, skipped);
}

TEST(SlowClientsTest, ViewerWithDisconnectPolicyIsCutOffWhenLapped) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir, absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n",
                               "      - {port: \"127.0.0.1:", ports[1],
                               "\", access: ro, slow_viewer: disconnect}\n"))));
  auto fast = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto viewer = TcpClient::Connect(ports[1], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(viewer, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));
  constexpr size_t kSize = 4 << 20;
  const std::string data = Pattern(0, kSize, 7);
  std::string got;
  ASSERT_TRUE(PumpThrough(pty, *fast, data, &got, Deadline::Seconds(60)));
  EXPECT_TRUE(got == data);
  ASSERT_TRUE(
      daemon.WaitForLog("(ro) disconnected: lapped by the device stream", Deadline::Seconds(10)));
  std::string seen;
  EXPECT_TRUE(viewer->ReadUntilClosed(&seen, Deadline::Seconds(30)));
  // What it did get is an unbroken prefix.
  EXPECT_TRUE(seen == data.substr(0, seen.size()));
}

TEST(SlowClientsTest, StalledReadWriteClientIsDisconnectedAfterStallTimeout) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(1);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir, absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n"),
             "    stall_timeout: 1s\n")));
  auto fast = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto stalled = TcpClient::Connect(ports[0], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(stalled, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("(2 of 64)", Deadline::Seconds(10)));

  // Both are lossless clients, so the stalled one holds the device back
  // until stall_timeout cuts it off; then the fast one gets everything.
  constexpr size_t kSize = 4 << 20;
  const std::string data = Pattern(0, kSize, 9);
  std::string got;
  ASSERT_TRUE(PumpThrough(pty, *fast, data, &got, Deadline::Seconds(60)));
  EXPECT_TRUE(got == data) << "backpressure must be lossless for the client that reads";
  EXPECT_NE(daemon.Log().find("disconnected: stalled: accepted no data for stall_timeout (1 s)"),
            std::string::npos)
      << daemon.Log();
  // The stalled client received a clean prefix, then the connection closed.
  std::string seen;
  EXPECT_TRUE(stalled->ReadUntilClosed(&seen, Deadline::Seconds(30)));
  EXPECT_LT(seen.size(), kSize);
  EXPECT_TRUE(seen == data.substr(0, seen.size()));
  // What the kernel held for it is bounded (TCP_NOTSENT_LOWAT 16 KiB plus
  // its small receive window), not the ~3 MB an autotuned send buffer
  // swallows on loopback before the stall clock can even start (issue 9,
  // item 15).
  EXPECT_LT(seen.size(), 256u * 1024) << "the kernel hid a backlog from the stall clock";
}

TEST(SlowClientsTest, ReadWriteSkipPolicyNeverHoldsThePort) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(Config(
      dir,
      absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n",
                   "      - {port: \"127.0.0.1:", ports[1], "\", access: rw, slow_writer: skip}\n"),
      "    stall_timeout: 0\n")));  // never: only the policy can keep the port moving
  auto fast = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto slow = TcpClient::Connect(ports[1], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(slow, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));
  constexpr size_t kSize = 8 << 20;
  const std::string data = Pattern(0, kSize, 3);
  std::string got;
  ASSERT_TRUE(PumpThrough(pty, *fast, data, &got, Deadline::Seconds(60)));
  EXPECT_TRUE(got == data);
  // The slow rw client is still connected and can still type to the device.
  ASSERT_TRUE(slow->SendAll("still here\n", Deadline::Seconds(10)));
  std::string at_device;
  ASSERT_TRUE(pty.ReadUntil(&at_device, "still here\n", Deadline::Seconds(10)));
}

TEST(SlowClientsTest, BackpressureIsLosslessForASlowReader) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(1);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir, absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n"))));
  auto slow = TcpClient::Connect(ports[0], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(slow, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #1", Deadline::Seconds(10)));
  // The reader takes small bites; the ring (64 KiB) fills and device reads
  // pause instead of dropping anything.
  constexpr size_t kSize = 1 << 20;
  const std::string data = Pattern(0, kSize, 5);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {slow.get()}, data, &got, Deadline::Seconds(120),
                              /*max_read=*/512));
  ASSERT_EQ(got[0].size(), kSize);
  EXPECT_TRUE(got[0] == data);
}

// Writes what the device (pty master) will take of `data` from `*sent` on,
// without waiting.
void FeedDevice(TestPty& pty, const std::string& data, size_t* sent) {
  if (*sent >= data.size()) return;
  const ssize_t n = write(pty.master(), data.data() + *sent, data.size() - *sent);
  if (n > 0) *sent += static_cast<size_t>(n);
}

// Reads what `client` has now (nothing waits) into *got.
void TakeSome(TcpClient& client, std::string* got) {
  char buf[65536];
  const ssize_t n = recv(client.fd(), buf, sizeof(buf), MSG_DONTWAIT);
  if (n > 0) got->append(buf, static_cast<size_t>(n));
}

// Issue 9, item 2: an rw RFC 2217 client that stopped reading sent
// FLOWCONTROL-RESUME after its socket filled; that cleared its stall clock
// while its POLLOUT was still waiting, so stall_timeout never fired and a
// viewer of the same port got nothing for as long as the client liked.
// RESUME must not reset the clock: only port data it accepts does. (The
// toggling case is ClientConnectionTest.ResumeWithoutReadingDoesNotRestart-
// TheStallClock.)
TEST(SlowClientsTest, Rfc2217ResumeDoesNotSwitchOffStallTimeout) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir,
             absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", protocol: rfc2217}\n",
                          "      - {port: \"127.0.0.1:", ports[1], "\", access: ro}\n"),
             "    stall_timeout: 1s\n")));
  auto holder = TcpClient::Connect(ports[0], Deadline::Seconds(10), kSmallRcvBuf);
  auto viewer = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(viewer, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));

  // IAC SB COM-PORT-OPTION FLOWCONTROL-RESUME IAC SE
  const std::string resume("\xff\xfa\x2c\x09\xff\xf0", 6);
  // More than the kernel's socket buffers can hide (a few MiB), so the
  // holder really does stop accepting.
  constexpr size_t kSize = 16 << 20;
  const std::string data = Pattern(0, kSize, 0x21);
  size_t sent = 0;
  std::string got;
  const std::string tail = data.substr(kSize - 100);
  auto has_tail = [&] {
    return got.size() >= tail.size() &&
           got.compare(got.size() - tail.size(), tail.size(), tail) == 0;
  };
  // Stream until the port stops taking device data: the holder's socket
  // is full and it holds the ring. Then it says RESUME, once, as in the
  // report (before the fix, that stopped its stall clock for good).
  Deadline deadline = Deadline::Seconds(30);
  auto last_progress = Clock::now();
  bool resumed = false;
  while (!has_tail() && !deadline.Expired()) {
    const size_t before = sent + got.size();
    FeedDevice(pty, data, &sent);
    TakeSome(*viewer, &got);
    if (sent + got.size() != before) last_progress = Clock::now();
    if (!resumed && Clock::now() - last_progress > std::chrono::milliseconds(200)) {
      ASSERT_EQ(send(holder->fd(), resume.data(), resume.size(), MSG_DONTWAIT | MSG_NOSIGNAL),
                static_cast<ssize_t>(resume.size()));
      resumed = true;
    }
    pollfd none{-1, 0, 0};
    poll(&none, 0, 1);
  }
  EXPECT_TRUE(resumed) << "the holder never held the port, so this test proves nothing";
  // The viewer (lapping) may have missed some, but it saw the end of the
  // stream: the port kept reading its device.
  ASSERT_TRUE(has_tail()) << "the viewer starved behind a client that kept saying RESUME: it got "
                          << got.size() << " bytes, the device was given " << sent << "\n"
                          << daemon.Log();
  EXPECT_NE(daemon.Log().find("(rw) disconnected: stalled"), std::string::npos) << daemon.Log();
}

// Issue 9, item 15: a read-only viewer whose socket accepts nothing on a
// streaming port was never cut; its lag grew past the ring (5.59 MB against
// 256 KiB) while its skipped count stayed 0. Its lag must never exceed the
// ring without the skipped bytes being counted, and after stall_timeout of
// accepting nothing it is disconnected.
TEST(SlowClientsTest, DeadViewerIsAccountedAndCutAfterStallTimeout) {
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const auto ports = FreeTcpPorts(3);
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      Config(dir,
             absl::StrCat("      - {port: \"127.0.0.1:", ports[0], "\", access: rw}\n",
                          "      - {port: \"127.0.0.1:", ports[1], "\", access: ro}\n"),
             "    stall_timeout: 3s\n") +
      absl::StrCat("admin:\n  listen: \"127.0.0.1:", ports[2], "\"\n")));
  auto reader = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  auto dead = TcpClient::Connect(ports[1], Deadline::Seconds(10), kSmallRcvBuf);
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(dead, nullptr);
  ASSERT_TRUE(daemon.WaitForLog("client #2", Deadline::Seconds(10)));

  // 4 MiB through a 64 KiB ring at full speed: far less than 3 s.
  constexpr size_t kSize = 4 << 20;
  const std::string data = Pattern(0, kSize, 0x33);
  std::string got;
  ASSERT_TRUE(PumpThrough(pty, *reader, data, &got, Deadline::Seconds(60)));
  ASSERT_TRUE(got == data);

  // While it is still connected, its books balance: lag within the ring,
  // the rest counted as skipped.
  std::string out;
  ASSERT_EQ(RunProgram("curl",
                       {"-sS", "--max-time", "5",
                        absl::StrCat("http://127.0.0.1:", ports[2], "/api/v1/ports/p0")},
                       "", &out, Deadline::Seconds(10)),
            0)
      << out;
  const auto port = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(port.is_object()) << out;
  bool saw_viewer = false;
  for (const auto& c : port["clients"]) {
    if (c["access"] != "ro") continue;
    saw_viewer = true;
    const uint64_t lag = c["lag_bytes"], skipped = c["bytes_skipped"], sent = c["bytes_out"];
    EXPECT_LE(lag, 64u * 1024) << out;
    EXPECT_GT(skipped, 0u) << out;
    // Every byte the device sent is accounted for: sent (into the socket,
    // where the kernel may still hold it), skipped, or still to come.
    EXPECT_EQ(sent + skipped + lag, static_cast<uint64_t>(port["ring"]["head"])) << out;
  }
  EXPECT_TRUE(saw_viewer) << "the viewer was cut before the books could be checked: " << out;

  // Still streaming a little, it is cut after stall_timeout.
  size_t sent = 0;
  const std::string more = Pattern(kSize, 64 * 1024, 0x33);
  Deadline cut = Deadline::Seconds(15);
  while (!cut.Expired() && daemon.Log().find("(ro) disconnected: stalled") == std::string::npos) {
    FeedDevice(pty, more, &sent);
    TakeSome(*reader, &got);
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
  EXPECT_NE(daemon.Log().find("(ro) disconnected: stalled"), std::string::npos) << daemon.Log();
}

}  // namespace
}  // namespace ttyhub::testing
