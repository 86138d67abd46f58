// Port on the test's own thread: a real io_uring loop, a real pty as the
// device, real loopback TCP clients, and the loop's dispatch seam to act at
// an exact point in a batch of completions rather than hoping for a timing.
#include "engine/port.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "config/serial_settings.h"
#include "engine/event_loop.h"
#include "engine/logger.h"
#include "engine/telnet_protocol.h"
#include "engine/tty_control.h"
#include "gtest/gtest.h"
#include "tests/engine/loop_driver.h"
#include "tests/engine/loopback.h"

namespace ttyhub {
namespace {

using std::chrono::milliseconds;

// Everything a non-blocking fd holds right now.
std::string Drain(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

int Readable(int fd) {
  int n = 0;
  return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

// The kernel's tty ioctls, except that break "works" (a pty has none), and
// each break and termios change records how many bytes had been written to
// the device at that moment (`written`, set by the test).
class OrderingTtyControl final : public TtyControl {
 public:
  std::function<uint64_t()> written = [] { return uint64_t{0}; };
  std::vector<uint64_t> written_at_break;
  std::vector<uint64_t> written_at_setattr;
  int setattr_calls = 0;

  absl::Status GetAttr(int fd, SerialTermios* out) override { return kernel_.GetAttr(fd, out); }
  absl::Status SetAttr(int fd, const SerialTermios& t) override {
    ++setattr_calls;
    written_at_setattr.push_back(written());
    return kernel_.SetAttr(fd, t);
  }
  absl::Status SetModemLines(int, int, bool) override { return absl::OkStatus(); }
  absl::StatusOr<UartCounters> GetCounters(int) override {
    return absl::UnimplementedError("no counters");
  }
  absl::StatusOr<int> GetModemLines(int) override { return absl::UnimplementedError("pty"); }
  absl::Status SetBreak(int, bool on) override {
    if (on) written_at_break.push_back(written());
    return absl::OkStatus();
  }
  absl::Status Flush(int fd, bool input, bool output) override {
    return kernel_.Flush(fd, input, output);
  }

 private:
  KernelTtyControl kernel_;
};

class PortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    ASSERT_GE(master_, 0);
    ASSERT_EQ(grantpt(master_), 0);
    ASSERT_EQ(unlockpt(master_), 0);
    char name[128];
    ASSERT_EQ(ptsname_r(master_, name, sizeof(name)), 0);
    slave_ = name;
    tcp_port_ = FreeLoopbackPort();
    ASSERT_TRUE(driver_.Init(ctx_, log_, &tty_));
    driver_.tick = [this] {
      if (port_) port_->OnTick(ctx_.now);
    };
  }

  void TearDown() override {
    if (port_) {
      port_->BeginShutdown(Clock::now() + milliseconds(500));
      RunUntil([&] { return port_->ShutdownStep(ctx_.now); }, milliseconds(3000));
      port_.reset();
    }
    driver_.Shutdown();
    for (int fd : fds_) close(fd);
    close(master_);
  }

  // The configuration of port "p" from `listen` (a YAML flow list) and
  // `extra` port keys; null (and a test failure) if it does not load.
  std::shared_ptr<const PortConfig> PortConfigOf(const std::string& listen,
                                                 const std::string& extra = "") {
    auto config = LoadConfigText(
        absl::StrCat("lock_dir: off\nports:\n  - name: ", port_name_, "\n    device: ", slave_,
                     "\n    serial: 9600n81\n", extra, "    listen: ", listen, "\n"),
        "port_test.yaml");
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    return std::make_shared<const PortConfig>(std::move(config->ports[0]));
  }

  // Starts a port from `listen` (a YAML flow list) and `extra` port keys.
  void StartPort(const std::string& listen, const std::string& extra = "") {
    std::shared_ptr<const PortConfig> config = PortConfigOf(listen, extra);
    ASSERT_NE(config, nullptr);
    started_config_ = config;
    port_ = std::make_unique<Port>(std::move(config), ctx_);
    tty_.written = [this] { return port_->counters().device_tx_bytes; };
    const absl::Status started = port_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  int Client(uint16_t port, int rcvbuf = 0) {
    const int fd = ConnectLoopback(port, rcvbuf, /*nonblocking=*/true);
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }

  bool RunUntil(const std::function<bool()>& done, milliseconds budget) {
    return driver_.RunUntil(done, budget);
  }

  // Writes to the device (the pty master) what it takes, running the loop.
  void Feed(const std::string& data) { (void)!write(master_, data.data(), data.size()); }

  PortSnapshot Snap() { return port_->Snapshot(); }

  int master_ = -1;
  std::string slave_;
  uint16_t tcp_port_ = 0;
  Logger log_{LogLevel::kWarn};
  OrderingTtyControl tty_;
  LoopDriver driver_;
  WorkerContext ctx_;
  std::unique_ptr<Port> port_;
  std::string port_name_ = "p";                     // the port StartPort starts
  std::weak_ptr<const PortConfig> started_config_;  // what StartPort gave the port
  std::vector<int> fds_;
};

// Issue 9, item 1: a lossless client holding the ring floor is closed (here
// by an admin kick) right after its POLLOUT completed, while the send that
// POLLOUT started is in flight. Before the fix, that send's completion
// returned early for a closing client, nothing re-pumped the device, and
// the port read 0 bytes from then on, even for new clients.
TEST_F(PortTest, KickWhileASendIsInFlightDoesNotStopDeviceReads) {
  // The tick's safety net would hide a missed re-pump; it must not be needed.
  int safety_net = 0;
  log_.SetObserver([&](LogLevel, absl::string_view line) {
    if (line.find("missed its re-pump") != absl::string_view::npos) ++safety_net;
  });
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_,
                         "\", access: rw, stall_timeout: 0, max_clients: 4}]"),
            "    buffer: 4KiB\n");
  const int a = Client(tcp_port_, 4096);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  const uint64_t id = Snap().clients[0].id;

  // A reads nothing: its socket fills, then the ring, and device reads pause.
  const std::string chunk(1024, 'x');
  ASSERT_TRUE(RunUntil(
      [&] {
        Feed(chunk);
        return port_->counters().device_read_pauses > 0;
      },
      milliseconds(10000)));

  // The kick lands right after A's POLLOUT, in the same batch: the send
  // that POLLOUT started is prepared, not yet completed.
  bool kicked = false;
  driver_.after_dispatch = [&](IoRequest& req, int32_t) {
    auto* client = dynamic_cast<ClientConnection*>(req.handler);
    if (kicked || client == nullptr || !client->IsWritablePoll(req)) return;
    kicked = true;
    ASSERT_TRUE(port_->DisconnectClient(id).ok());
  };
  // A reads until the server's socket has room again and its POLLOUT fires
  // (the kernel waits for a third of the send buffer to be free).
  const bool gone = RunUntil(
      [&] {
        if (!kicked) Drain(a);
        return kicked && port_->client_count() == 0;
      },
      milliseconds(10000));
  driver_.after_dispatch = nullptr;  // it refers to this test's locals
  ASSERT_TRUE(gone);

  // A new client gets fresh device data.
  const int b = Client(tcp_port_);
  ASSERT_GE(b, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  Drain(master_);
  std::string got;
  const bool fresh = RunUntil(
      [&] {
        Feed("FRESH");
        got += Drain(b);
        return got.find("FRESH") != std::string::npos;
      },
      milliseconds(5000));
  EXPECT_TRUE(fresh) << "device reads never resumed after the kick; client B got " << got.size()
                     << " bytes";
  EXPECT_EQ(safety_net, 0) << "device reads resumed only through the tick's safety net";
}

// Issue 9 (the 30-minute soak): a port stopped reading its device for good
// with reads not paused, the signature of a device poll whose wake-up never
// came. Here the loop drops one device-poll completion, as a kernel that
// lost the wake-up would. Before the tick's watchdog, nothing was read
// again; now the data waiting is read within 5-10 s (two of the port's
// checks) and counted.
TEST_F(PortTest, LostDevicePollWakeUpIsRescuedByTheTick) {
  int rescues_logged = 0;
  log_.SetObserver([&](LogLevel, absl::string_view line) {
    if (line.find("a lost wake-up") != absl::string_view::npos) ++rescues_logged;
  });
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", access: rw}]"));
  const int a = Client(tcp_port_);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  std::string got;
  ASSERT_TRUE(RunUntil(
      [&] {
        Feed("warm");
        got += Drain(a);
        return got.find("warm") != std::string::npos;
      },
      milliseconds(3000)));

  bool dropped = false;
  driver_.deliver = [&](IoRequest& req) {
    if (dropped || !port_->IsDeviceReadPoll(req)) return true;
    dropped = true;
    return false;
  };
  Feed("LOST");
  ASSERT_TRUE(RunUntil([&] { return dropped; }, milliseconds(3000)));
  got.clear();
  const bool rescued = RunUntil(
      [&] {
        got += Drain(a);
        return got.find("LOST") != std::string::npos;
      },
      milliseconds(15000));
  driver_.deliver = nullptr;  // it refers to this test's locals
  EXPECT_TRUE(rescued) << "the bytes behind a lost device-poll wake-up were never read";
  EXPECT_EQ(port_->counters().device_poll_rescues, 1u);
  EXPECT_EQ(rescues_logged, 1);
}

// Issue 9, item 6: a telnet command takes effect between the data bytes it
// stood between. Before the fix, `A IAC BRK B` reached the device as `AB`
// and then the break, and SET-BAUDRATE after data in one segment likewise.
TEST_F(PortTest, TelnetCommandsTakeEffectBetweenTheirBytes) {
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", protocol: rfc2217}]"));
  const int c = Client(tcp_port_);
  ASSERT_GE(c, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  const int setattr_before = tty_.setattr_calls;

  using namespace telnet;           // NOLINT
  using namespace telnet::comport;  // NOLINT
  // "A", break, "B", SET-BAUDRATE 19200, "C": one segment.
  const std::string segment = std::string("A") + static_cast<char>(kIac) + static_cast<char>(kBrk) +
                              "B" + static_cast<char>(kIac) + static_cast<char>(kSb) +
                              static_cast<char>(kOptComPort) + static_cast<char>(kSetBaudrate) +
                              std::string("\0\0\x4b\0", 4) + static_cast<char>(kIac) +
                              static_cast<char>(kSe) + "C";
  ASSERT_EQ(send(c, segment.data(), segment.size(), 0), static_cast<ssize_t>(segment.size()));

  std::string device;
  ASSERT_TRUE(RunUntil(
      [&] {
        device += Drain(master_);
        return device.size() >= 3;
      },
      milliseconds(5000)));
  EXPECT_EQ(device, "ABC");
  ASSERT_EQ(tty_.written_at_break.size(), 1u);
  EXPECT_EQ(tty_.written_at_break[0], 1u) << "the break must start after A and before B";
  ASSERT_EQ(tty_.setattr_calls, setattr_before + 1);
  EXPECT_EQ(tty_.written_at_setattr.back(), 2u) << "SET-BAUDRATE must apply after B, before C";
  EXPECT_EQ(Snap().serial.baud, 19200u);
}

// Issue 9, item 7: one packet of identical SET-BAUDRATE commands is applied
// once and logged within a budget (before: 1,992 log lines for one 20 KB
// packet, and a termios call for each).
TEST_F(PortTest, RepeatedSettingChangesAreAppliedOnceAndLoggedWithinABudget) {
  int setting_lines = 0;
  log_.SetLevel(LogLevel::kInfo);
  log_.SetObserver([&](LogLevel, absl::string_view line) {
    if (line.find("serial settings now") != absl::string_view::npos) ++setting_lines;
  });
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", protocol: rfc2217}]"));
  const int c = Client(tcp_port_);
  ASSERT_GE(c, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  const int setattr_before = tty_.setattr_calls;
  using namespace telnet;           // NOLINT
  using namespace telnet::comport;  // NOLINT
  std::string packet;
  for (int i = 0; i < 2000; ++i) {
    // Alternate two rates for the first 40, then one rate 1,960 times.
    const uint32_t baud = i < 40 && i % 2 == 0 ? 19200 : 38400;
    packet += std::string{static_cast<char>(kIac),        static_cast<char>(kSb),
                          static_cast<char>(kOptComPort), static_cast<char>(kSetBaudrate),
                          static_cast<char>(baud >> 24),  static_cast<char>(baud >> 16),
                          static_cast<char>(baud >> 8),   static_cast<char>(baud),
                          static_cast<char>(kIac),        static_cast<char>(kSe)};
  }
  std::string answers;
  size_t sent = 0;
  ASSERT_TRUE(RunUntil(
      [&] {
        if (sent < packet.size()) {
          const ssize_t n = send(c, packet.data() + sent, packet.size() - sent, MSG_DONTWAIT);
          if (n > 0) sent += static_cast<size_t>(n);
        }
        answers += Drain(c);
        return Snap().counters.rfc2217_changes >= 2000;
      },
      milliseconds(10000)));
  EXPECT_EQ(tty_.setattr_calls - setattr_before, 40) << "only real changes reach the device";
  EXPECT_LE(setting_lines, 10);
  EXPECT_EQ(Snap().serial.baud, 38400u);
}

// Issue 9, item 9: a client's RFC 2217 PURGE-DATA (transmit) must not drop
// other clients' input that ttyhub has queued for the device. Before the
// fix it emptied the whole input queue.
TEST_F(PortTest, PurgeDoesNotDropOtherClientsQueuedInput) {
  // A second free port: tcp_port_ + 1 may be another test's.
  uint16_t rfc2217_port = FreeLoopbackPort();
  while (rfc2217_port == tcp_port_) rfc2217_port = FreeLoopbackPort();
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_,
                         "\"}, {port: \"127.0.0.1:", rfc2217_port, "\", protocol: rfc2217}]"));
  const int writer = Client(tcp_port_);
  const int purger = Client(rfc2217_port);
  ASSERT_GE(writer, 0);
  ASSERT_GE(purger, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 2; }, milliseconds(3000)));

  // The device reads nothing yet: the pty fills, then ttyhub's input queue.
  std::string data;
  for (int i = 0; data.size() < 160 * 1024; ++i) absl::StrAppend(&data, "line ", i, "\n");
  size_t sent = 0;
  ASSERT_TRUE(RunUntil(
      [&] {
        const ssize_t n = send(writer, data.data() + sent, data.size() - sent, MSG_DONTWAIT);
        if (n > 0) sent += static_cast<size_t>(n);
        return Snap().counters.client_rx_bytes > 0 &&
               Snap().counters.client_rx_bytes - Snap().counters.device_tx_bytes > 32 * 1024;
      },
      milliseconds(10000)));

  using namespace telnet;           // NOLINT
  using namespace telnet::comport;  // NOLINT
  const std::string purge{static_cast<char>(kIac),        static_cast<char>(kSb),
                          static_cast<char>(kOptComPort), static_cast<char>(kPurgeData),
                          static_cast<char>(kPurgeTx),    static_cast<char>(kIac),
                          static_cast<char>(kSe)};
  ASSERT_EQ(send(purger, purge.data(), purge.size(), 0), static_cast<ssize_t>(purge.size()));
  driver_.RunFor(milliseconds(100));  // the purge arrives and waits its turn

  // Now the device reads: it gets every byte the writer sent, in order.
  std::string device;
  ASSERT_TRUE(RunUntil(
      [&] {
        if (sent < data.size()) {
          const ssize_t n = send(writer, data.data() + sent, data.size() - sent, MSG_DONTWAIT);
          if (n > 0) sent += static_cast<size_t>(n);
        }
        device += Drain(master_);
        // Done once everything sent has left ttyhub and the device is empty.
        return sent == data.size() &&
               Snap().counters.device_tx_bytes == Snap().counters.client_rx_bytes &&
               Readable(master_) == 0;
      },
      milliseconds(20000)))
      << "device got " << device.size() << " of " << data.size() << " bytes";
  driver_.RunFor(milliseconds(200));  // bytes still in the pty's buffers
  device += Drain(master_);
  // ttyhub's queue lost nothing: the purge took effect at its turn, after
  // every byte queued before it reached the driver. What the driver itself
  // still held is flushed, as a purge should (a pty's in-flight buffer, a
  // few KiB; TIOCOUTQ cannot count it on a pty, on a UART it is counted).
  // So the device sees the stream with at most one small gap.
  size_t a = 0;
  while (a < device.size() && device[a] == data[a]) ++a;
  const size_t lost = data.size() - device.size();
  EXPECT_EQ(device.substr(a), data.substr(a + lost)) << "more than one gap, or reordering";
  EXPECT_LE(lost, 16u * 1024) << "the purge dropped queued input";
}

// Review of issue 9, item 3: a writer paused on a full input queue (the
// device takes nothing) does not poll its socket, so its peer's leaving
// went unnoticed and its slot stayed taken. A full listener now frees it.
TEST_F(PortTest, PausedWriterWhosePeerLeftFreesItsSlot) {
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", max_clients: 1}]"));
  const int a = Client(tcp_port_);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  // The device reads nothing: the pty fills, then the input queue, and A
  // stops being read.
  const std::string chunk(16384, 'w');
  ASSERT_TRUE(RunUntil(
      [&] {
        (void)!send(a, chunk.data(), chunk.size(), MSG_DONTWAIT);
        const PortCounters c = Snap().counters;
        return c.client_rx_bytes - c.device_tx_bytes >= 60 * 1024;
      },
      milliseconds(10000)));
  driver_.RunFor(milliseconds(50));
  // A leaves; B comes at once.
  shutdown(a, SHUT_WR);
  const int b = Client(tcp_port_);
  ASSERT_GE(b, 0);
  std::string got;
  RunUntil(
      [&] {
        got += Drain(b);
        return Snap().clients_rw == 2 || got.find("is full") != std::string::npos;
      },
      milliseconds(3000));
  EXPECT_EQ(got.find("is full"), std::string::npos) << got;
  EXPECT_EQ(Snap().counters.connections_rejected_full, 0u);
}

// Issue 14 (memory): the input queue gives its pages back once every byte
// reached the device and no input came for a while, and only then: bytes
// the device has not taken yet survive a quiet spell intact, and input
// after the pages went back still arrives whole. Before, a port typed into
// once kept its input page for good (input_resident_pages stayed 1).
TEST_F(PortTest, InputQueuePagesGoBackOnlyOnceDrainedAndQuiet) {
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", access: rw}]"));
  const int a = Client(tcp_port_);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  EXPECT_EQ(port_->input_resident_pages(), 0u);  // created at start, untouched

  // The device reads nothing yet: the pty fills, then the input queue.
  std::string data;
  for (int i = 0; data.size() < 160 * 1024; ++i) absl::StrAppend(&data, "line ", i, "\n");
  size_t sent = 0;
  ASSERT_TRUE(RunUntil(
      [&] {
        const ssize_t n = send(a, data.data() + sent, data.size() - sent, MSG_DONTWAIT);
        if (n > 0) sent += static_cast<size_t>(n);
        return Snap().counters.client_rx_bytes > 0 &&
               Snap().counters.client_rx_bytes - Snap().counters.device_tx_bytes > 8 * 1024;
      },
      milliseconds(10000)));
  // A quiet spell longer than the release delay, with bytes still queued.
  driver_.RunFor(milliseconds(1500));
  EXPECT_GE(port_->input_resident_pages(), 2u);
  std::string device;
  ASSERT_TRUE(RunUntil(
      [&] {
        device += Drain(master_);
        return device.size() >= sent;
      },
      milliseconds(10000)));
  EXPECT_TRUE(device == data.substr(0, sent)) << "queued input was damaged";

  // Drained and quiet: the pages go back.
  EXPECT_TRUE(RunUntil([&] { return port_->input_resident_pages() == 0; }, milliseconds(5000)))
      << port_->input_resident_pages() << " input queue pages still resident";

  // And the queue still works.
  ASSERT_EQ(send(a, "after", 5, 0), 5);
  device.clear();
  ASSERT_TRUE(RunUntil(
      [&] {
        device += Drain(master_);
        return device.size() >= 5;
      },
      milliseconds(3000)));
  EXPECT_EQ(device, "after");
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 14: with device reads through the ring (an io_uring READ into the
// reserved span), a lossless client that reads slowly still gets every
// byte once and in order: the READ pauses when the ring is full for it and
// resumes as it drains, and no byte of a pending READ is published twice or
// lost.
TEST_F(PortTest, RingReadsKeepEveryByteInOrderAcrossPauses) {
  ctx_.device_reads_through_ring = true;
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_,
                         "\", access: rw, stall_timeout: 0, max_clients: 4}]"),
            "    buffer: 4KiB\n");
  const int a = Client(tcp_port_, 4096);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));
  std::string sent;
  for (int i = 0; sent.size() < 256 * 1024; ++i) absl::StrAppend(&sent, i, ",");
  size_t fed = 0;
  std::string got;
  int rounds = 0;
  const bool done = RunUntil(
      [&] {
        if (fed < sent.size()) {
          const ssize_t n =
              write(master_, sent.data() + fed, std::min<size_t>(512, sent.size() - fed));
          if (n > 0) fed += static_cast<size_t>(n);
        }
        // Read nothing until the ring has filled and reads paused, then
        // slowly (every few rounds), so that they pause again and again.
        const bool paused_once = port_->counters().device_read_pauses > 0;
        if (paused_once && ++rounds % 8 == 0) got += Drain(a);
        return got.size() >= sent.size();
      },
      milliseconds(60000));
  ASSERT_TRUE(done) << "got " << got.size() << " of " << sent.size();
  EXPECT_EQ(got, sent);
  EXPECT_GT(port_->counters().device_read_pauses, 0u) << "the ring never filled: not tested";
  EXPECT_EQ(port_->counters().device_rx_bytes, sent.size());
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// A pending READ reserves ring bytes, and on an idle port a READ is always
// pending: the reservation must leave a small ring its history. With a
// 4 KiB ring and a 4 KiB reservation, a new client got no history at all.
TEST_F(PortTest, APendingRingReadLeavesASmallRingItsHistory) {
  ctx_.device_reads_through_ring = true;
  StartPort(absl::StrCat("[{port: \"127.0.0.1:", tcp_port_,
                         "\", access: rw, max_clients: 4, history: 2KiB}]"),
            "    buffer: 4KiB\n");
  std::string sent;
  for (int i = 0; sent.size() < 3000; ++i) absl::StrAppend(&sent, i, ",");
  sent.resize(3000);
  Feed(sent);
  ASSERT_TRUE(RunUntil([&] { return port_->counters().device_rx_bytes == sent.size(); },
                       milliseconds(5000)));
  const int a = Client(tcp_port_);
  ASSERT_GE(a, 0);
  std::string got;
  RunUntil(
      [&] {
        got += Drain(a);
        return got.size() >= 2048;
      },
      milliseconds(5000));
  EXPECT_EQ(got, sent.substr(sent.size() - 2048)) << "history is the last 2 KiB, read while a READ "
                                                     "is pending";
}

// Issue 14, memory: a port's configuration is held once, by the port, and
// its listeners share it rather than copy it. A reload's live update hands
// the port a new configuration; a listener it retires keeps the old one
// alive only until it is gone, and nothing else may refer to it: the port
// goes on working once it is freed (run under ASan; the name is too long
// for std::string's inline buffer, so its bytes are freed with it).
TEST_F(PortTest, ListenersShareThePortConfigurationAcrossALiveUpdate) {
  port_name_ = "a-console-name-longer-than-sso";
  const std::string first_listen =
      absl::StrCat("[{port: \"127.0.0.1:", tcp_port_, "\", access: rw, max_clients: 4}]");
  StartPort(first_listen);
  ASSERT_FALSE(started_config_.expired());
  EXPECT_EQ(&port_->config(), started_config_.lock().get());
  // The port and its one listener: no copy.
  EXPECT_EQ(started_config_.use_count(), 2);
  const int a = Client(tcp_port_);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(RunUntil([&] { return Snap().clients_rw == 1; }, milliseconds(3000)));

  // A reload moves the listener to another TCP port, as Engine::Reload
  // does it: retire, add (sharing the new configuration), adopt.
  uint16_t second_port = FreeLoopbackPort();
  while (second_port == tcp_port_) second_port = FreeLoopbackPort();
  std::shared_ptr<const PortConfig> next = PortConfigOf(
      absl::StrCat("[{port: \"127.0.0.1:", second_port, "\", access: rw, max_clients: 4}]"));
  ASSERT_NE(next, nullptr);
  port_->RetireListeners({absl::StrCat("127.0.0.1:", tcp_port_)}, "bye\r\n");
  ASSERT_TRUE(
      port_->AddListeners({std::shared_ptr<const ListenerConfig>(next, &next->listeners[0])}).ok());
  port_->AdoptConfig(next);
  EXPECT_EQ(&port_->config(), next.get());
  EXPECT_EQ(started_config_.use_count(), 1) << "the retired listener keeps the old one alive";
  EXPECT_EQ(port_->RunningListenerConfigs().size(), 1u);
  EXPECT_EQ(port_->RunningListenerConfigs()[0].port, second_port);
  const std::weak_ptr<const PortConfig> next_weak = next;
  next.reset();
  EXPECT_EQ(next_weak.use_count(), 2) << "the port and its new listener";

  // The old configuration goes with the retired listener and its client.
  EXPECT_TRUE(RunUntil([&] { return started_config_.expired(); }, milliseconds(5000)))
      << "the retired listener (or its client) still holds the old configuration: "
      << started_config_.use_count();
  started_config_.reset();  // a weak_ptr keeps make_shared's block allocated
  // What reads the port's name and settings, after the old one is gone.
  auto faster = ParseSerialSettings("19200n81");
  ASSERT_TRUE(faster.ok());
  EXPECT_TRUE(port_->SetSerial(*faster).ok());
  EXPECT_EQ(Snap().name, port_name_);
  EXPECT_EQ(Snap().serial.baud, 19200u);
  const int b = Client(second_port);
  ASSERT_GE(b, 0);
  EXPECT_TRUE(RunUntil([&] { return Snap().clients_rw == 1 && Snap().clients.size() == 1; },
                       milliseconds(3000)));
}

}  // namespace
}  // namespace ttyhub
