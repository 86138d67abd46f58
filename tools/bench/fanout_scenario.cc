// Scenario `fanout`: one port, K clients all reading the same device stream
// (K = 1, 8, 64, 512 by default), the device writing as fast as the server
// takes it. Every client verifies its copy of the stream. Reports the
// per-client and aggregate MB/s, the device input rate, and the server's
// CPU seconds per GB of device input. ttyhub's clients use its rw listener
// (lossless, with backpressure, as every ser2net connection is); with
// --fanout-ro they use the read-only listener and may be lapped, which is
// counted as loss. The tool's single thread.
#include "tools/bench/fanout_scenario.h"

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

constexpr double kConnectSeconds = 30;
constexpr double kJoinSeconds = 30;
constexpr double kDrainSeconds = 30;

class FanoutScenario : public Scenario {
 public:
  std::string name() const override { return "fanout"; }
  std::string description() const override {
    return "1 port x K clients reading the same device stream";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    std::vector<RunResult> results;
    for (int viewers : ctx.options.fanout_viewers) {
      if (ctx.interrupt.raised()) break;
      results.push_back(RunOne(ctx, viewers));
      ctx.progress.Detail(absl::StrCat("fanout K=", viewers, ": ",
                                       results.back().ok ? "ok" : results.back().failure));
    }
    return results;
  }

 private:
  RunResult RunOne(ScenarioContext& ctx, int viewers) {
    RunResult result;
    result.case_name = absl::StrCat("fanout_k", viewers);
    const bool read_only = ctx.options.fanout_read_only && HasReadOnlyListeners(ctx.server->kind);
    PortFixtureSpec spec{
        .ports = 1, .rw_clients = read_only ? 1 : viewers, .ro_clients = read_only ? viewers : 0};
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, spec, absl::StrCat(name(), "-k", viewers));
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return result;
    }
    PortFixture& f = **fixture;
    const uint16_t port = read_only ? f.viewer_tcp_port(0) : f.rw_tcp_port(0);
    absl::StatusOr<std::vector<UniqueFd>> clients =
        ConnectClients(f.loop(), std::vector<uint16_t>(static_cast<size_t>(viewers), port),
                       Deadline::AfterSeconds(kConnectSeconds));
    if (!clients.ok()) {
      result.Fail(std::string(clients.status().message()));
      f.Finish(&result);
      return result;
    }
    {
      StreamGroup group(f.loop());
      const size_t w = group.AddWriter(f.pty(0).master(), false, 0);
      for (const UniqueFd& c : *clients) {
        group.AddReader(w, c.get(), true, StreamVerifier::Start::kAnywhere);
      }
      Measure(ctx, f, group, read_only, &result);
    }
    result.Add("viewers", viewers, "");
    f.Finish(&result);
    return result;
  }

  void Measure(ScenarioContext& ctx, PortFixture& f, StreamGroup& group, bool read_only,
               RunResult* result) {
    const std::optional<StreamWindow> w = MeasureStreamWindow(
        f, group, {ctx.options.duration_s, kJoinSeconds, kDrainSeconds}, result);
    if (!w) return;
    const MeasurementWindow& window = w->window;
    const uint64_t input = w->written[0];
    // Lapped read-only viewers lose data by design: count it, do not fail.
    group.Verify(result, [&](size_t) { return read_only; });
    std::vector<double> per_client;
    const uint64_t total = w->total_received();
    for (uint64_t bytes : w->received) {
      per_client.push_back(static_cast<double>(bytes) / 1e6 / window.seconds());
    }
    std::sort(per_client.begin(), per_client.end());
    size_t clients_with_loss = 0;
    for (size_t i = 0; i < group.reader_count(); ++i) {
      clients_with_loss += group.reader(i).verifier().counts().Clean() ? 0 : 1;
    }
    result->Add("aggregate_MBps", static_cast<double>(total) / 1e6 / window.seconds(), "MB/s");
    result->Add("per_client_min_MBps", per_client.front(), "MB/s");
    result->Add("per_client_median_MBps", Median(per_client), "MB/s");
    result->Add("per_client_max_MBps", per_client.back(), "MB/s");
    result->Add("device_input_MBps", static_cast<double>(input) / 1e6 / window.seconds(), "MB/s");
    if (const std::optional<double> per_gb = window.ServerCpuSecondsPerGB(input)) {
      result->Add("server_cpu_s_per_GB_input", *per_gb, "s/GB");
    }
    result->Add("clients_with_loss", static_cast<double>(clients_with_loss), "");
    result->Add("lost_bytes",
                static_cast<double>(result->verify.gap_bytes + result->lossy_verify.gap_bytes),
                "B");
    window.AddTo(result);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeFanoutScenario() { return std::make_unique<FanoutScenario>(); }

}  // namespace ttyhub::bench
