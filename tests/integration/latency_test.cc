// `latency: low` and `busy_poll:` (issue 14), end to end: the daemon on a
// real pty with a client on loopback TCP, echoing as a console session
// does. The worker polls only while a port asks for it, a reload switches
// that live without dropping the client, and the admin API shows the cost.
// (What polling buys in latency is measured by ttyhub-bench, not here.)
#include <signal.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

class LatencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto ports = FreeTcpPorts(2);
    admin_ = ports[0];
    tcp_ = ports[1];
    pty_.LinkAs(dir_.File("dev"));
  }
  std::string Config(const std::string& latency, const std::string& busy_poll = "") const {
    return absl::StrCat(
        "workers: 1\nlock_dir: off\n", busy_poll, "admin: {listen: \"127.0.0.1:", admin_,
        "\"}\nports:\n  - name: p\n    device: ", dir_.File("dev"), "\n    latency: ", latency,
        "\n    listen: [{port: \"127.0.0.1:", tcp_, "\"}]\n");
  }
  void Reload(const std::string& yaml, const std::string& expect) {
    std::ofstream(dir_.File("ttyhub.yaml")) << yaml;
    const size_t from = daemon_.Log().size();
    ASSERT_EQ(kill(daemon_.pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon_.WaitForLog(expect, Deadline::Seconds(20), from))
        << daemon_.Log().substr(from);
  }
  nlohmann::json Ports() {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/ports")},
                              "", &out, Deadline::Seconds(20));
    return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
  }
  nlohmann::json Worker() {
    const nlohmann::json j = Ports();
    return j.is_object() && j["workers"].is_array() && !j["workers"].empty() ? j["workers"][0]
                                                                             : nlohmann::json();
  }
  // `n` round trips: the client types a line, the device answers it, the
  // client reads the answer, as in an interactive session.
  void Echo(TcpClient& client, int n) {
    for (int i = 0; i < n; ++i) {
      const std::string line = absl::StrCat("cmd ", i, "\r");
      ASSERT_TRUE(client.SendAll(line, Deadline::Seconds(10)));
      std::string at_device;
      ASSERT_TRUE(pty_.ReadExactly(&at_device, line.size(), Deadline::Seconds(10)));
      ASSERT_EQ(at_device, line);
      const std::string answer = absl::StrCat("ok ", i, "\r\n");
      ASSERT_TRUE(pty_.WriteAll(answer, Deadline::Seconds(10)));
      std::string back;
      ASSERT_TRUE(client.ReadExactly(&back, answer.size(), Deadline::Seconds(10)));
      ASSERT_EQ(back, answer);
    }
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t admin_ = 0;
  uint16_t tcp_ = 0;
};

TEST_F(LatencyTest, OnlyALowLatencyPortMakesItsWorkerPollAndReloadSwitchesItLive) {
  ASSERT_TRUE(daemon_.Start(Config("normal")));
  auto client = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(client);
  Echo(*client, 50);
  nlohmann::json w = Worker();
  ASSERT_TRUE(w.is_object()) << Ports().dump();
  EXPECT_FALSE(w.value("busy_poll", true));
  EXPECT_EQ(w.value("busy_poll_microseconds", 1), 0) << "the default never polls";
  EXPECT_EQ(w.value("busy_poll_waits_saved", 1), 0);

  // Live: the same client stays connected. A 10 ms window covers each wait
  // for the far end here, however slow the machine.
  Reload(Config("low", "busy_poll: {window: 10ms, budget: 100%}\n"), "latency normal -> low");
  EXPECT_TRUE(daemon_.WaitForLog("busy_poll: window 10000 us, budget 100% of a core",
                                 Deadline::Seconds(10)));
  Echo(*client, 50);
  w = Worker();
  EXPECT_TRUE(w.value("busy_poll", false));
  const int64_t polled = w.value("busy_poll_microseconds", 0);
  const int64_t saved = w.value("busy_poll_waits_saved", 0);
  EXPECT_GT(polled, 0);
  EXPECT_GT(saved, 0) << "answers that came within the window were collected without sleeping";

  Reload(Config("normal", "busy_poll: {window: 10ms, budget: 100%}\n"), "latency low -> normal");
  const int64_t polled_at_switch = Worker().value("busy_poll_microseconds", -1);
  Echo(*client, 50);
  w = Worker();
  EXPECT_FALSE(w.value("busy_poll", true));
  EXPECT_EQ(w.value("busy_poll_microseconds", -1), polled_at_switch) << "polling stopped";

  // One connection throughout: the switches did not restart the port.
  const nlohmann::json j = Ports();
  ASSERT_TRUE(j["ports"].is_array());
  EXPECT_EQ(j["ports"][0]["counters"].value("connections_accepted", 0), 1);
}

// The budget caps the CPU polling may take: with 5 % and a client that
// keeps the worker's window open, each second polls for at most ~50 ms,
// and the periods it ran out are counted.
TEST_F(LatencyTest, TheBudgetBoundsWhatPollingCosts) {
  ASSERT_TRUE(daemon_.Start(Config("low", "busy_poll: {window: 10ms, budget: 5%}\n")));
  auto client = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(client);
  const int64_t before = Worker().value("busy_poll_microseconds", -1);
  ASSERT_GE(before, 0);
  const auto start = std::chrono::steady_clock::now();
  // Round trips for about 1.5 s: enough to spend the budget of a second.
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)) {
    Echo(*client, 20);
    if (::testing::Test::HasFatalFailure()) return;
  }
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json w = Worker();
  const int64_t polled_us = w.value("busy_poll_microseconds", 0) - before;
  EXPECT_GT(polled_us, 0);
  // At most 5 % of each started second (and one poll's overshoot per second).
  const double seconds_started = elapsed_s + 2;  // the Worker() calls and a partial period
  EXPECT_LE(polled_us, 0.05e6 * seconds_started + 1000 * seconds_started)
      << "polled " << polled_us << " us in " << elapsed_s << " s";
  EXPECT_GE(w.value("busy_poll_budget_exhausted", 0), 1);
}

}  // namespace
}  // namespace ttyhub::testing
