// The engine in-process, with the tty seam recording what a UART would be
// told: framing on open, and DTR/RTS for hangup_when_done as clients come
// and go. (A pty accepts neither parity nor modem-line changes.)
#include "engine/engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/config_loader.h"
#include "engine/logger.h"
#include "engine/worker.h"
#include "gtest/gtest.h"
#include "tests/engine/loopback.h"
#include "tests/engine/recording_tty_control.h"

namespace ttyhub {
namespace {

// Polls `done` until true or `budget` passes.
bool WaitFor(const std::function<bool()>& done, std::chrono::seconds budget) {
  const auto end = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
  return done();
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master_, 0);
    ASSERT_EQ(grantpt(master_), 0);
    ASSERT_EQ(unlockpt(master_), 0);
    char name[128];
    ASSERT_EQ(ptsname_r(master_, name, sizeof(name)), 0);
    slave_ = name;
    port_ = FreeLoopbackPort();
  }
  void TearDown() override { close(master_); }

  int master_ = -1;
  std::string slave_;
  uint16_t port_ = 0;
  Logger log_{LogLevel::kWarn};
  RecordingTtyControl tty_;
};

TEST_F(EngineTest, FramingReachesTheSeamAndModemLinesFollowClients) {
  auto config = LoadConfigText(
      absl::StrCat("lock_dir: off\nworkers: 1\nports:\n  - name: pdu\n    device: ", slave_,
                   "\n    serial: 19200o72\n    flow: rtscts\n    local: false\n"
                   "    hangup_when_done: true\n    listen: [{port: \"127.0.0.1:",
                   port_, "\"}]\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  ASSERT_TRUE(engine.Start().ok());

  ASSERT_EQ(tty_.applied().size(), 1u);
  const SerialTermios told = tty_.applied()[0];
  EXPECT_EQ(told.cflag & CSIZE, static_cast<uint32_t>(CS7));
  EXPECT_EQ(told.cflag & (PARENB | PARODD | CMSPAR), static_cast<uint32_t>(PARENB | PARODD));
  EXPECT_NE(told.cflag & CSTOPB, 0u);
  EXPECT_NE(told.cflag & CRTSCTS, 0u);
  EXPECT_EQ(told.cflag & CLOCAL, 0u);
  EXPECT_EQ(told.cflag & CBAUD, static_cast<uint32_t>(B19200));

  // No client yet: lines dropped at open.
  ASSERT_TRUE(WaitFor([&] { return tty_.modem_changes().size() == 1; }, std::chrono::seconds(5)));
  EXPECT_FALSE(tty_.modem_changes()[0].on);
  EXPECT_EQ(tty_.modem_changes()[0].bits, kModemDtr | kModemRts);

  const int a = ConnectLoopback(port_);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(WaitFor([&] { return tty_.modem_changes().size() == 2; }, std::chrono::seconds(5)));
  EXPECT_TRUE(tty_.modem_changes()[1].on);
  const int b = ConnectLoopback(port_);  // a second client changes nothing
  ASSERT_GE(b, 0);
  close(a);
  // Only when the last one leaves are the lines dropped again.
  close(b);
  ASSERT_TRUE(WaitFor([&] { return tty_.modem_changes().size() == 3; }, std::chrono::seconds(5)));
  EXPECT_FALSE(tty_.modem_changes()[2].on);
  engine.Stop(std::chrono::seconds(1));
  EXPECT_EQ(tty_.modem_changes().size(), 3u);
}

TEST_F(EngineTest, RisingParityErrorsWarnWithTheSettings) {
  // A UART seen through the seam: its parity error count keeps rising, as it
  // does when the far end sends 9600e71 to a port configured 9600n81.
  std::mutex mu;
  std::vector<std::string> warnings;
  log_.SetObserver([&](LogLevel level, absl::string_view line) {
    if (level != LogLevel::kWarn) return;
    std::lock_guard<std::mutex> lock(mu);
    warnings.emplace_back(line);
  });
  UartCounters counters;
  tty_.SetCounters(counters);
  auto config = LoadConfigText(
      absl::StrCat("lock_dir: off\nworkers: 1\nports:\n  - name: sw1\n    device: ", slave_,
                   "\n    serial: 9600n81\n    listen: [{port: \"127.0.0.1:", port_, "\"}]\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  ASSERT_TRUE(engine.Start().ok());
  auto warned = [&] {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& w : warnings) {
      if (w.find("parity errors in the last") != std::string::npos) return true;
    }
    return false;
  };
  // Errors arrive while we watch: 50 more every 100 ms, until the warning.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!warned() && std::chrono::steady_clock::now() < end) {
    counters.parity += 50;
    tty_.SetCounters(counters);
    pollfd none{-1, 0, 0};
    poll(&none, 0, 100);
  }
  ASSERT_TRUE(warned());
  {
    std::lock_guard<std::mutex> lock(mu);
    bool exact = false;
    for (const std::string& w : warnings) {
      exact |= w.rfind("port sw1: ", 0) == 0 &&
               w.find(" parity errors in the last ") != std::string::npos &&
               w.find(" s with 9600N81: check parity and baud") != std::string::npos;
    }
    EXPECT_TRUE(exact);
  }
  // The snapshot reports the counters the driver gave.
  auto snap = engine.SnapshotPort("sw1", std::chrono::seconds(5));
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE(snap->uart.has_value());
  EXPECT_GE(snap->uart->parity, 50u);
  engine.Stop(std::chrono::seconds(1));
}

TEST_F(EngineTest, StartFailsCleanlyWhenAListenerCannotBind) {
  const int blocker = ListenLoopback(port_);
  ASSERT_GE(blocker, 0);
  const uint16_t other = FreeLoopbackPort();
  auto config = LoadConfigText(
      absl::StrCat(
          "workers: 2\nports:\n",
          "  - {name: ok, device: sim:echo, listen: [{port: \"127.0.0.1:", other, "\"}]}\n",
          "  - {name: taken, device: sim:echo, listen: [{port: \"127.0.0.1:", port_, "\"}]}\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  const absl::Status s = engine.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:"), absl::string_view::npos) << s;
  // The worker that did start was stopped: its port is free again.
  const int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(other);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  EXPECT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  close(probe);
  close(blocker);
}

// A reload whose new listener cannot bind records what the port runs (the
// serial settings it did apply, the listeners that run), so the next reload
// of the same file starts that listener and nothing else, and a third finds
// nothing to do. (The Engine and the Port share each port's configuration:
// issue 14.)
TEST_F(EngineTest, AListenerAReloadCouldNotStartIsStartedByTheNextReload) {
  uint16_t first = FreeLoopbackPort();
  while (first == port_) first = FreeLoopbackPort();
  auto config_text = [&](bool both) {
    return absl::StrCat(
        "ports:\n  - {name: p, device: sim:echo, serial: ", both ? "19200n81" : "9600n81",
        ", listen: [{port: \"127.0.0.1:", first, "\"}",
        both ? absl::StrCat(", {port: \"127.0.0.1:", port_, "\"}") : "", "]}\n");
  };
  auto config = LoadConfigText(config_text(false), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  ASSERT_TRUE(engine.Start().ok());
  auto both = LoadConfigText(config_text(true), "test.yaml");
  ASSERT_TRUE(both.ok()) << both.status();

  const int blocker = ListenLoopback(port_);
  ASSERT_GE(blocker, 0);
  auto blocked = engine.Reload(*both);
  ASSERT_TRUE(blocked.ok()) << blocked.status();
  const std::string blocked_report = absl::StrJoin(*blocked, "\n");
  EXPECT_NE(blocked_report.find("could NOT be started"), std::string::npos) << blocked_report;
  EXPECT_NE(blocked_report.find("-> 19200"), std::string::npos) << blocked_report;
  close(blocker);

  auto retried = engine.Reload(*both);
  ASSERT_TRUE(retried.ok()) << retried.status();
  const std::string added = absl::StrCat("listener 127.0.0.1:", port_, " added");
  EXPECT_EQ(*retried, std::vector<std::string>{absl::StrCat("port p: ", added)});
  const int client = ConnectLoopback(port_);
  EXPECT_GE(client, 0) << "the retried listener accepts";
  if (client >= 0) close(client);

  auto again = engine.Reload(*both);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, std::vector<std::string>{"nothing changed"});
  engine.Stop(std::chrono::milliseconds(0));
}

// A closure posted to a worker blocks it until released: the test decides
// exactly what the worker has and has not started when a request times out.
class WorkerBlocker {
 public:
  // Occupies worker `w` of `engine`; returns once the worker is inside.
  WorkerBlocker(Engine& engine, size_t w) {
    thread_ = std::thread([this, &engine, w] {
      status_ = engine.RunOnWorker(
          w,
          [this](Worker&) {
            std::unique_lock<std::mutex> lock(mu_);
            inside_ = true;
            cv_.notify_all();
            cv_.wait(lock, [this] { return released_; });
          },
          std::chrono::seconds(30));
    });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return inside_; });
  }
  ~WorkerBlocker() { Release().IgnoreError(); }
  bool inside() {
    std::lock_guard<std::mutex> lock(mu_);
    return inside_;
  }
  // Lets the worker go on and returns what RunOnWorker answered.
  absl::Status Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool inside_ = false;    // guarded by mu_
  bool released_ = false;  // guarded by mu_
  absl::Status status_;    // written by thread_, read after join
  std::thread thread_;
};

TEST_F(EngineTest, ATimedOutRequestNeverRunsLater) {
  auto config = LoadConfigText(
      absl::StrCat("lock_dir: off\nworkers: 1\nports:\n  - name: sw1\n    device: ", slave_,
                   "\n    serial: 9600n81\n    listen: [{port: \"127.0.0.1:", port_, "\"}]\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  ASSERT_TRUE(engine.Start().ok());
  const size_t applied_before = tty_.applied().size();

  WorkerBlocker busy(engine, 0);
  ASSERT_TRUE(busy.inside());
  // The worker cannot start it: the answer is "timed out, not carried out".
  SerialSettings changed = ParseSerialSettings("19200e71").value();
  const absl::Status set = engine.SetSerial("sw1", changed, std::chrono::milliseconds(50));
  EXPECT_EQ(set.code(), absl::StatusCode::kDeadlineExceeded) << set;
  EXPECT_NE(set.message().find("not carried out"), absl::string_view::npos) << set;
  EXPECT_EQ(engine.DisconnectClient("sw1", 1, std::chrono::milliseconds(50)).code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(busy.Release().ok());

  // The inbox runs in order: once this answers, the cancelled SetSerial has
  // been dequeued. It must not have touched the port.
  auto after = engine.SnapshotPort("sw1", std::chrono::seconds(5));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(FormatSerialSettings(after->serial), "9600N81");
  EXPECT_EQ(tty_.applied().size(), applied_before);
  engine.Stop(std::chrono::seconds(1));
}

TEST_F(EngineTest, ARequestStartedBeforeItsTimeoutIsWaitedFor) {
  auto config =
      LoadConfigText(absl::StrCat("workers: 1\nports:\n  - name: sw1\n    device: sim:echo\n"
                                  "    listen: [{port: \"127.0.0.1:",
                                  port_, "\"}]\n"),
                     "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Engine engine(*config, log_, tty_);
  ASSERT_TRUE(engine.Start().ok());
  // The worker starts at once and finishes only after the 20 ms timeout has
  // passed: the caller must get the real outcome, not "timed out".
  constexpr auto kTimeout = std::chrono::milliseconds(20);
  const auto asked = std::chrono::steady_clock::now();
  bool ran = false;
  const absl::Status s = engine.RunOnWorker(
      0,
      [&](Worker&) {
        while (std::chrono::steady_clock::now() < asked + 5 * kTimeout) {
          pollfd none{-1, 0, 0};
          poll(&none, 0, 5);
        }
        ran = true;
      },
      kTimeout);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(ran);
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 5 * kTimeout);
  engine.Stop(std::chrono::seconds(1));
}

}  // namespace
}  // namespace ttyhub
