// Scenario `chain` (issue 13, section 5): device -> server A -> RFC 2217 ->
// server B -> client, against the single hop device -> A -> client,
// measured in the same repetition on the same A and pty.
//
// Server A serves the pty with a raw rw listener (the single hop's client)
// and an RFC 2217 listener, each max_clients 1. Server B, the same kind of
// server, has one port whose device is A's RFC 2217 listener (ttyhub:
// `device: rfc2217://127.0.0.1:PORT`; ser2net: `connector:
// telnet(rfc2217),tcp,127.0.0.1,PORT`) and a raw rw listener, max_clients 1,
// for the tool's client. Each hop count is measured over one client
// connection: dev2net then echo (chain_hop_measurement.h). B runs only
// while the two hops are measured, so A serves one client at a time; odd
// repetitions measure one hop first, even ones two hops first, so that
// drift over a repetition does not favour either. In the two-hop cases the
// server CPU is A's and B's summed.
//
// ser2net opens a device when a client connects and answers "Port's device
// already in use" to a second connection on it, so before each hop count
// the tool waits until A holds no client and has closed the pty. ttyhub-log
// does not run it: console logging is measured by dev2net and many_ports.
// The tool's single thread.
#include "tools/bench/chain_scenario.h"

#include <limits.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/bench/chain_hop_measurement.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/tcp_socket.h"
#include "tools/bench/tcp_table_probe.h"

namespace ttyhub::bench {
namespace {

constexpr double kConnectSeconds = 10;
// For A to accept B's connection, or to let go of a client and the pty.
constexpr double kSettleSeconds = 10;
constexpr int kProbeIntervalMs = 20;
constexpr double kStopSeconds = 15;
// The dev2net pattern streams of one and two hops.
constexpr uint32_t kOneHopStream = 0;
constexpr uint32_t kTwoHopStream = 1;

// True if `pid` has `path` open (one of /proc/PID/fd links to it).
bool HoldsOpen(pid_t pid, const std::string& path) {
  std::error_code ec;
  const std::string dir = absl::StrCat("/proc/", pid, "/fd");
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    char target[PATH_MAX];
    const ssize_t n = readlink(entry.path().c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::string(target, static_cast<size_t>(n)) == path) return true;
  }
  return false;
}

class ChainScenario : public Scenario {
 public:
  std::string name() const override { return "chain"; }
  std::string description() const override {
    return "device -> server -> RFC 2217 -> server -> client: dev2net and echo through two "
           "servers, against one (the first alone), same run";
  }
  std::string WhyNotOn(ServerKind kind) const override {
    if (LogsConsoles(kind)) return "console logging is measured by dev2net and many_ports";
    return "";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    std::vector<RunResult> results(4);
    RunResult& one_dev2net = results[0];
    RunResult& one_echo = results[1];
    RunResult& two_dev2net = results[2];
    RunResult& two_echo = results[3];
    one_dev2net.case_name = kChain1HopDev2net;
    one_echo.case_name = kChain1HopEcho;
    two_dev2net.case_name = kChain2HopDev2net;
    two_echo.case_name = kChain2HopEcho;

    PortFixtureSpec spec{.ports = 1, .rw_clients = 1};
    spec.more_listeners.push_back(PlannedListener{.protocol = "rfc2217", .max_clients = 1});
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture = PortFixture::Start(ctx, spec, name());
    if (!fixture.ok()) {
      for (RunResult& r : results) r.Fail(absl::StrCat("server A: ", fixture.status().message()));
      return results;
    }
    PortFixture& a = **fixture;
    if (ctx.rep % 2 == 1) {
      MeasureOneHop(ctx, a, &one_dev2net, &one_echo);
      MeasureTwoHops(ctx, a, &two_dev2net, &two_echo);
    } else {
      MeasureTwoHops(ctx, a, &two_dev2net, &two_echo);
      MeasureOneHop(ctx, a, &one_dev2net, &one_echo);
    }
    // A's health, peak memory and stop, recorded in every case.
    RunResult finish;
    a.Finish(&finish);
    for (RunResult& r : results) {
      if (!finish.ok) r.Fail(absl::StrCat("server A: ", finish.failure));
      for (const Metric& m : finish.metrics) r.Add(m.name, m.value, m.unit);
      for (const std::string& note : finish.notes) r.notes.push_back("server A: " + note);
    }
    return results;
  }

 private:
  // Waits until A has closed every client's socket on its listeners (ttyhub
  // keeps a client that closed for up to 1 s, in case it only half-closed)
  // and, for ser2net, the pty; false (with `result` failed) if it does not
  // in time. So A serves one client at a time.
  bool WaitUntilAIsFree(PortFixture& a, RunResult* result) {
    const PlannedPort& port = a.plan().ports[0];
    const std::set<uint16_t> listeners = {port.rw_tcp_port, port.more_listeners[0].tcp_port};
    const pid_t pid = a.server().pid();
    const std::string device = a.pty(0).slave_path();
    const bool closes_device = OpensDeviceOnConnect(a.kind());
    const LoopExit exit = a.loop().RunUntil(
        [&] {
          return !AnyHeldConnection(listeners) && (!closes_device || !HoldsOpen(pid, device));
        },
        Deadline::AfterSeconds(kSettleSeconds), nullptr, kProbeIntervalMs);
    if (exit == LoopExit::kDeadline) {
      result->Fail(absl::StrCat("server A still held a client's connection",
                                closes_device ? " or the pty" : "", " ", kSettleSeconds,
                                " s after the last one left"));
      return false;
    }
    FailOnLoopExit(exit, "waiting for server A to let go of its last client", &a, result);
    return exit == LoopExit::kDone;
  }

  void MeasureOneHop(ScenarioContext& ctx, PortFixture& a, RunResult* dev2net, RunResult* echo) {
    if (!WaitUntilAIsFree(a, dev2net)) {
      echo->Fail(dev2net->failure);
      return;
    }
    absl::StatusOr<std::vector<UniqueFd>> client =
        ConnectClients(a.loop(), {a.rw_tcp_port(0)}, Deadline::AfterSeconds(kConnectSeconds));
    if (!client.ok()) {
      dev2net->Fail(std::string(client.status().message()));
      echo->Fail(std::string(client.status().message()));
      return;
    }
    MeasureChainHop(ctx, a, (*client)[0].get(), kOneHopStream, dev2net, echo);
  }

  void MeasureTwoHops(ScenarioContext& ctx, PortFixture& a, RunResult* dev2net, RunResult* echo) {
    auto fail_both = [&](const std::string& why) {
      dev2net->Fail(why);
      echo->Fail(why);
    };
    if (!WaitUntilAIsFree(a, dev2net)) {
      echo->Fail(dev2net->failure);
      return;
    }
    absl::StatusOr<std::vector<uint16_t>> tcp = FindFreeTcpPorts(1);
    if (!tcp.ok()) return fail_both(std::string(tcp.status().message()));
    const uint16_t a_rfc2217_port = a.plan().ports[0].more_listeners[0].tcp_port;
    ServerPlan plan;
    plan.ttyhub_workers = ctx.options.ttyhub_workers;
    plan.ttyhub_log_level = ctx.options.ttyhub_log_level;
    plan.ttyhub_busy_poll_budget_percent = ctx.options.busy_poll_budget_percent;
    PlannedPort port;
    port.name = "p0";
    port.remote_rfc2217_port = a_rfc2217_port;
    port.rw_tcp_port = (*tcp)[0];
    port.rw_max_clients = 1;
    plan.ports.push_back(port);
    absl::StatusOr<std::unique_ptr<ServerUnderTest>> launched = ServerUnderTest::Launch(
        *ctx.server, plan, ctx.temp_dir, ctx.Label("chain-b"), ctx.server_cpus, ctx.interrupt,
        Deadline::AfterSeconds(ctx.options.startup_timeout_s));
    if (!launched.ok()) return fail_both(absl::StrCat("server B: ", launched.status().message()));
    ServerUnderTest& b = **launched;
    {
      absl::StatusOr<std::vector<UniqueFd>> client =
          ConnectClients(a.loop(), {port.rw_tcp_port}, Deadline::AfterSeconds(kConnectSeconds));
      if (!client.ok()) {
        fail_both(absl::StrCat("server B: ", client.status().message()));
      } else if (WaitForUpstream(a, b, a_rfc2217_port, dev2net)) {
        // ttyhub's B connects to A at start, ser2net's when its client connects.
        a.set_chained_server(&b);
        MeasureChainHop(ctx, a, (*client)[0].get(), kTwoHopStream, dev2net, echo);
        a.set_chained_server(nullptr);
      } else {
        echo->Fail(dev2net->failure);
      }
    }  // the client closes before B stops
    if (!b.Alive()) {
      return fail_both(absl::StrCat("server B died: ", b.DescribeExit()));
    }
    for (RunResult* r : {dev2net, echo}) {
      if (const std::optional<ProcessMemory> mem = b.Memory()) {
        r->Add("server_b_peak_rss_MiB", static_cast<double>(mem->peak_rss_bytes) / (1 << 20),
               "MiB");
      }
    }
    const std::string stop = b.Stop(Deadline::AfterSeconds(kStopSeconds));
    for (RunResult* r : {dev2net, echo}) {
      r->Add("server_b_stopped_cleanly", stop.empty() ? 1 : 0, "yes=1");
      if (!stop.empty()) r->notes.push_back(absl::StrCat("server B stop: ", stop));
    }
  }

  // Waits until A has accepted B's connection to its RFC 2217 listener.
  bool WaitForUpstream(PortFixture& a, ServerUnderTest& b, uint16_t a_rfc2217_port,
                       RunResult* result) {
    const LoopExit exit = a.loop().RunUntil(
        [&] { return !AcceptedClientPorts({a_rfc2217_port}).empty() || !b.Alive(); },
        Deadline::AfterSeconds(kSettleSeconds), nullptr, kProbeIntervalMs);
    if (!b.Alive()) {
      result->Fail(absl::StrCat("server B died before connecting to A: ", b.DescribeExit()));
      return false;
    }
    if (exit == LoopExit::kDeadline) {
      result->Fail(absl::StrCat("server B had not connected to A's RFC 2217 listener after ",
                                kSettleSeconds, " s"));
      return false;
    }
    FailOnLoopExit(exit, "waiting for server B to connect to A", &a, result);
    return exit == LoopExit::kDone;
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeChainScenario() { return std::make_unique<ChainScenario>(); }

}  // namespace ttyhub::bench
