// Scenarios `dev2net` and `net2dev`: one port, one rw client, one stream in
// large blocks (64 KiB writes). dev2net: the tool writes the pattern into the
// pty master (the device sends) and the TCP client reads it. net2dev: the
// client sends and the tool reads the pty master. Reports MB/s over a timed
// window and the server's CPU seconds per GB moved; every byte is verified
// after the window, once the stream has drained. On ttyhub-log, dev2net's
// console log is checked against the whole device stream after the stop
// (PortFixture::Finish). The tool's single thread.
#include "tools/bench/single_stream_scenario.h"

#include "absl/strings/str_cat.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/stream_group.h"
#include "tools/bench/stream_window.h"

namespace ttyhub::bench {
namespace {

constexpr double kJoinSeconds = 10;
constexpr double kDrainSeconds = 15;

class SingleStreamScenario : public Scenario {
 public:
  explicit SingleStreamScenario(bool device_to_network) : device_to_network_(device_to_network) {}

  std::string name() const override { return device_to_network_ ? "dev2net" : "net2dev"; }
  std::string description() const override {
    return device_to_network_ ? "one port, device -> one TCP client, large blocks"
                              : "one port, one TCP client -> device, large blocks";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = name();
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, PortFixtureSpec{.ports = 1, .rw_clients = 1}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    absl::StatusOr<std::vector<UniqueFd>> clients =
        ConnectClients(f.loop(), {f.rw_tcp_port(0)}, Deadline::AfterSeconds(10));
    if (!clients.ok()) {
      result.Fail(std::string(clients.status().message()));
      f.Finish(&result);
      return {result};
    }
    const int client = (*clients)[0].get();
    const int master = f.pty(0).master();
    StreamGroup group(f.loop());
    if (device_to_network_) {
      // A client joins a running port wherever the stream is when it attaches.
      group.AddReader(group.AddWriter(master, false, 0), client, true,
                      StreamVerifier::Start::kAnywhere);
    } else {
      // Nothing may be lost from the client's first byte on.
      group.AddReader(group.AddWriter(client, true, 0), master, false,
                      StreamVerifier::Start::kAtZero);
    }
    Measure(ctx, f, group, &result);
    // ttyhub-log: the port's console log must hold the device's stream.
    if (device_to_network_) {
      f.ExpectConsoleLog(0, group.writer(0).seed(), group.writer(0).written());
    }
    f.Finish(&result);
    return {result};
  }

 private:
  void Measure(ScenarioContext& ctx, PortFixture& f, StreamGroup& group, RunResult* result) {
    const std::optional<StreamWindow> w = MeasureStreamWindow(
        f, group, {ctx.options.duration_s, kJoinSeconds, kDrainSeconds}, result);
    if (!w) return;
    group.Verify(result);
    const uint64_t bytes = w->total_received();
    result->Add("MBps", static_cast<double>(bytes) / 1e6 / w->window.seconds(), "MB/s");
    if (const std::optional<double> per_gb = w->window.ServerCpuSecondsPerGB(bytes)) {
      result->Add("server_cpu_s_per_GB", *per_gb, "s/GB");
    }
    w->window.AddTo(result);
  }

  bool device_to_network_;
};

}  // namespace

std::unique_ptr<Scenario> MakeDev2NetScenario() {
  return std::make_unique<SingleStreamScenario>(true);
}
std::unique_ptr<Scenario> MakeNet2DevScenario() {
  return std::make_unique<SingleStreamScenario>(false);
}

}  // namespace ttyhub::bench
