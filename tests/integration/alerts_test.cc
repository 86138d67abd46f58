// Alerts on console output (issue 10, section 4), end to end: the daemon on
// a pty and on a simulated console, with curl reading the JSON API and
// /metrics, promtool checking the metrics, and the daemon's log.
#include <poll.h>
#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

class AlertsTest : public ::testing::Test {
 protected:
  // GET `path` from the admin API with curl; the body, or "" on failure.
  std::string Get(const std::string& path) {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_port_, path)},
                              "", &out, Deadline::Seconds(20));
    EXPECT_EQ(rc, 0) << "curl " << path << ": " << out;
    return rc == 0 ? out : "";
  }
  nlohmann::json PortJson(const std::string& name) {
    return nlohmann::json::parse(Get("/api/v1/ports/" + name), nullptr, false);
  }
  // The alert `alert` of port `name` in the JSON API, or null.
  nlohmann::json AlertJson(const std::string& name, const std::string& alert) {
    const nlohmann::json port = PortJson(name);
    if (port.is_discarded() || !port.contains("alerts")) return nullptr;
    for (const auto& a : port["alerts"]) {
      if (a.value("name", "") == alert) return a;
    }
    return nullptr;
  }
  // Polls until the alert's match count is at least `n`; returns its JSON.
  nlohmann::json WaitForMatches(const std::string& name, const std::string& alert, uint64_t n) {
    const Deadline deadline = Deadline::Seconds(20);
    nlohmann::json a;
    do {
      a = AlertJson(name, alert);
      if (!a.is_null() && a.value("matches", uint64_t{0}) >= n) return a;
      poll(nullptr, 0, deadline.PollMs(50));
    } while (!deadline.Expired());
    ADD_FAILURE() << "alert " << alert << " on " << name << " did not reach " << n
                  << " matches: " << a.dump();
    return a;
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t admin_port_ = 0;
};

TEST_F(AlertsTest, APanicSplitOverTwoWritesIsCountedShownAndLogged) {
  pty_.LinkAs(dir_.File("dev0"));
  const auto ports = FreeTcpPorts(3);
  admin_port_ = ports[0];
  ASSERT_TRUE(daemon_.Start(absl::StrCat(
      "admin: {listen: \"127.0.0.1:", admin_port_, "\"}\n",
      "defaults:\n  alerts: [{name: panic, regex: 'Kernel panic|Oops:|Call Trace'}]\n",
      "ports:\n  - name: p0\n    device: ", dir_.File("dev0"),
      "\n    alerts:\n      - {name: panic, regex: 'Kernel panic|Oops:|Call Trace'}\n"
      "      - {name: catastrophic, regex: '^(a+)+$'}\n"
      "    listen: [{port: \"127.0.0.1:",
      ports[1], "\"}]\n", "  - name: quiet\n    device: sim:echo\n    listen: [{port: \"127.0.0.1:",
      ports[2], "\"}]\n    alerts: []\n")));

  // The panic line is split over two writes: the first half alone matches
  // nothing, as the line is not complete. Then a line that is catastrophic
  // for a backtracking engine (and matches nothing), and a last line.
  const std::vector<std::string> writes = {
      "[    0.000000] booting\r\n[   12.345678] Kernel pa",
      "nic - not syncing: VFS: Unable to mount root fs\r\n",
      std::string(3000, 'a') + "!\r\n",
      "end of output\r\n",
  };
  size_t total = 0;
  const Deadline deadline = Deadline::Seconds(20);
  for (const std::string& w : writes) {
    ASSERT_TRUE(pty_.WriteAll(w, deadline));
    total += w.size();
  }

  const nlohmann::json a = WaitForMatches("p0", "panic", 1);
  EXPECT_EQ(a.value("matches", uint64_t{0}), 1u);
  EXPECT_EQ(a.value("last_line", ""),
            "[   12.345678] Kernel panic - not syncing: VFS: Unable to mount root fs");
  EXPECT_GT(a.value("last_match_unix_ms", int64_t{0}), int64_t{1'600'000'000'000});

  // Everything written has been read (and matched) once the bytes are counted.
  const Deadline read_all = Deadline::Seconds(20);
  while (PortJson("p0")["counters"].value("device_rx_bytes", uint64_t{0}) < total &&
         !read_all.Expired()) {
    poll(nullptr, 0, read_all.PollMs(50));
  }
  const nlohmann::json port = PortJson("p0");
  EXPECT_EQ(port["counters"].value("device_rx_bytes", uint64_t{0}), total);
  ASSERT_EQ(port["alerts"].size(), 2u);
  EXPECT_EQ(port["alerts"][0].value("matches", uint64_t{9}), 1u);
  EXPECT_EQ(port["alerts"][1].value("name", ""), "catastrophic");
  EXPECT_EQ(port["alerts"][1].value("matches", uint64_t{9}), 0u);
  EXPECT_EQ(port["alerts"][1].value("last_match_unix_ms", int64_t{9}), 0);

  // The list view carries the counts; a port with `alerts: []` has none.
  const nlohmann::json list = nlohmann::json::parse(Get("/api/v1/ports"), nullptr, false);
  ASSERT_TRUE(list.contains("ports")) << list.dump();
  for (const auto& p : list["ports"]) {
    if (p["name"] == "p0") {
      EXPECT_EQ(p["alerts"][0]["matches"], 1);
    } else {
      EXPECT_TRUE(p["alerts"].empty()) << p.dump();
    }
  }

  const std::string text = Get("/metrics");
  std::map<std::string, double> m;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.rfind(' ');
    double v = 0;
    if (sp != absl::string_view::npos && absl::SimpleAtod(line.substr(sp + 1), &v)) {
      m[std::string(line.substr(0, sp))] = v;
    }
  }
  EXPECT_EQ(m["ttyhub_port_alerts_total{port=\"p0\",worker=\"0\",alert=\"panic\"}"], 1);
  EXPECT_EQ(m.count("ttyhub_port_alerts_total{port=\"p0\",worker=\"0\",alert=\"catastrophic\"}"),
            1u);
  std::string lint;
  EXPECT_EQ(RunProgram("promtool", {"check", "metrics"}, text, &lint, Deadline::Seconds(30)), 0)
      << lint;

  EXPECT_TRUE(daemon_.WaitForLog(
      "port p0: alert panic: [   12.345678] Kernel panic - not syncing: VFS: Unable to mount "
      "root fs",
      Deadline::Seconds(10)))
      << daemon_.Log();
  EXPECT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

// A console printing a match on every line is counted in full but logged
// under the port's budget: 10 lines per 10 s, then one summary line.
TEST_F(AlertsTest, AFloodOfMatchesIsCountedInFullAndLoggedUnderBudget) {
  pty_.LinkAs(dir_.File("dev0"));
  const auto ports = FreeTcpPorts(2);
  admin_port_ = ports[0];
  ASSERT_TRUE(daemon_.Start(absl::StrCat("admin: {listen: \"127.0.0.1:", admin_port_, "\"}\n",
                                         "ports:\n  - name: p0\n    device: ", dir_.File("dev0"),
                                         "\n    alerts: [{name: oops, regex: 'Oops'}]\n",
                                         "    listen: [{port: \"127.0.0.1:", ports[1], "\"}]\n")));
  std::string flood;
  for (int i = 0; i < 50; ++i) flood += absl::StrCat("Oops ", i, "\r\n");
  ASSERT_TRUE(pty_.WriteAll(flood, Deadline::Seconds(20)));
  const nlohmann::json a = WaitForMatches("p0", "oops", 50);
  EXPECT_EQ(a.value("matches", uint64_t{0}), 50u);
  EXPECT_EQ(a.value("last_line", ""), "Oops 49");
  // The summary comes on the first tick after the 10 s window ends.
  EXPECT_TRUE(daemon_.WaitForLog("port p0: 40 alert messages not logged", Deadline::Seconds(30)))
      << daemon_.Log();
  size_t logged = 0;
  for (absl::string_view line : absl::StrSplit(daemon_.Log(), '\n')) {
    logged += absl::StrContains(line, "port p0: alert oops: Oops ");
  }
  EXPECT_EQ(logged, 10u);
  EXPECT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

TEST_F(AlertsTest, SimulatedConsoleBootLogMatches) {
  const auto ports = FreeTcpPorts(2);
  admin_port_ = ports[0];
  ASSERT_TRUE(
      daemon_.Start(absl::StrCat("admin: {listen: \"127.0.0.1:", admin_port_, "\"}\n",
                                 "ports:\n  - name: console\n    device: sim:console\n"
                                 "    alerts: [{name: boot, regex: 'Linux version \\d+\\.\\d+'}]\n"
                                 "    listen: [{port: \"127.0.0.1:",
                                 ports[1], "\"}]\n")));
  const nlohmann::json a = WaitForMatches("console", "boot", 1);
  // The simulated kernel stamps its lines: "[    0.000000] Linux version ...".
  EXPECT_NE(a.value("last_line", "").find("] Linux version 6.1.0-sim-amd64 (ttyhub@sim)"),
            std::string::npos)
      << a.dump();
  EXPECT_TRUE(daemon_.WaitForLog("port console: alert boot: [", Deadline::Seconds(10)))
      << daemon_.Log();
  bool logged = false;
  for (absl::string_view line : absl::StrSplit(daemon_.Log(), '\n')) {
    logged |= absl::StrContains(line, "port console: alert boot: [") &&
              absl::StrContains(line, "] Linux version 6.1.0-sim-amd64 (ttyhub@sim)");
  }
  EXPECT_TRUE(logged) << daemon_.Log();
  EXPECT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

}  // namespace
}  // namespace ttyhub::testing
