// Scenario `many_ports`: N ports (64 by default), each with one rw client,
// all streaming device -> client at once. Reports the aggregate MB/s, each
// port's MB/s (min, median, max), fairness (min/max) and the server's CPU
// seconds per GB; every stream is verified with its own seed, so bytes
// crossing between ports would show as corruption. On ttyhub-log, each
// port's console log is checked against its device's stream after the stop
// (PortFixture::Finish). The tool's single thread.
#include "tools/bench/many_ports_scenario.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/stream_group.h"
#include "tools/bench/stream_window.h"

namespace ttyhub::bench {
namespace {

constexpr double kJoinSeconds = 20;
constexpr double kDrainSeconds = 20;

class ManyPortsScenario : public Scenario {
 public:
  std::string name() const override { return "many_ports"; }
  std::string description() const override {
    return "N ports x 1 client, all streaming device -> client at once";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    const int ports = ctx.options.many_ports;
    RunResult result;
    result.case_name = "many_ports";
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, PortFixtureSpec{.ports = ports, .rw_clients = 1}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    std::vector<uint16_t> tcp;
    for (int i = 0; i < ports; ++i) tcp.push_back(f.rw_tcp_port(static_cast<size_t>(i)));
    absl::StatusOr<std::vector<UniqueFd>> clients =
        ConnectClients(f.loop(), tcp, Deadline::AfterSeconds(60));
    if (!clients.ok()) {
      result.Fail(std::string(clients.status().message()));
      f.Finish(&result);
      return {result};
    }
    {
      StreamGroup group(f.loop());
      for (int i = 0; i < ports; ++i) {
        const size_t w = group.AddWriter(f.pty(static_cast<size_t>(i)).master(), false,
                                         static_cast<uint32_t>(i));
        group.AddReader(w, (*clients)[static_cast<size_t>(i)].get(), true,
                        StreamVerifier::Start::kAnywhere);
      }
      Measure(ctx, f, group, &result);
      // ttyhub-log: each port's console log must hold its device's stream.
      for (size_t i = 0; i < group.writer_count(); ++i) {
        f.ExpectConsoleLog(i, group.writer(i).seed(), group.writer(i).written());
      }
    }
    result.Add("ports", ports, "");
    f.Finish(&result);
    return {result};
  }

 private:
  void Measure(ScenarioContext& ctx, PortFixture& f, StreamGroup& group, RunResult* result) {
    const std::optional<StreamWindow> w = MeasureStreamWindow(
        f, group, {ctx.options.duration_s, kJoinSeconds, kDrainSeconds}, result);
    if (!w) return;
    group.Verify(result);
    const MeasurementWindow& window = w->window;
    std::vector<double> per_port;
    const uint64_t total = w->total_received();
    Series by_port{"per_port_MBps", "port (in configuration order)", "MB/s", {}, {}};
    for (size_t i = 0; i < w->received.size(); ++i) {
      per_port.push_back(static_cast<double>(w->received[i]) / 1e6 / window.seconds());
      by_port.x.push_back(static_cast<double>(i));
      by_port.y.push_back(per_port.back());
    }
    result->series.push_back(std::move(by_port));
    std::sort(per_port.begin(), per_port.end());
    result->Add("aggregate_MBps", static_cast<double>(total) / 1e6 / window.seconds(), "MB/s");
    result->Add("per_port_min_MBps", per_port.front(), "MB/s");
    result->Add("per_port_median_MBps", Median(per_port), "MB/s");
    result->Add("per_port_max_MBps", per_port.back(), "MB/s");
    result->Add("fairness_min_over_max",
                per_port.back() > 0 ? per_port.front() / per_port.back() : 0, "");
    if (const std::optional<double> per_gb = window.ServerCpuSecondsPerGB(total)) {
      result->Add("server_cpu_s_per_GB", *per_gb, "s/GB");
    }
    window.AddTo(result);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeManyPortsScenario() { return std::make_unique<ManyPortsScenario>(); }

}  // namespace ttyhub::bench
