// See chain_hop_measurement.h.
#include "tools/bench/chain_hop_measurement.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tools/bench/echo_client.h"
#include "tools/bench/echo_device.h"
#include "tools/bench/echo_session.h"
#include "tools/bench/pattern.h"
#include "tools/bench/stream_group.h"
#include "tools/bench/stream_window.h"

namespace ttyhub::bench {
namespace {

constexpr double kJoinSeconds = 10;
constexpr double kDrainSeconds = 15;

// dev2net over the client; true if the connection is still usable.
bool MeasureThroughput(ScenarioContext& ctx, PortFixture& f, int client_fd, uint32_t stream_id,
                       RunResult* result) {
  StreamGroup group(f.loop());
  // The client joins the stream wherever it is when its bytes arrive.
  group.AddReader(group.AddWriter(f.pty(0).master(), false, stream_id), client_fd, true,
                  StreamVerifier::Start::kAnywhere);
  const std::optional<StreamWindow> w =
      MeasureStreamWindow(f, group, {ctx.options.duration_s, kJoinSeconds, kDrainSeconds}, result);
  if (!w) return false;
  group.Verify(result);
  const uint64_t bytes = w->total_received();
  result->Add("MBps", static_cast<double>(bytes) / 1e6 / w->window.seconds(), "MB/s");
  if (const std::optional<double> per_gb = w->window.ServerCpuSecondsPerGB(bytes)) {
    result->Add("server_cpu_s_per_GB", *per_gb, "s/GB");
  }
  w->window.AddTo(result);
  return !group.AnyBroken();
}

void MeasureEcho(ScenarioContext& ctx, PortFixture& f, int client_fd, RunResult* result) {
  EchoDevice device(f.loop(), f.pty(0).master(), PatternSeed(0));
  EchoClient client(f.loop(), client_fd, PatternSeed(0), ctx.options.message_bytes);
  absl::Status s = device.Start();
  if (s.ok()) s = client.Start();
  if (!s.ok()) {
    result->Fail(std::string(s.message()));
    return;
  }
  RunEchoSession(f.loop(), client, ctx.options.duration_s, &f, "rtt", result);
  ++result->streams;
  result->verify.Add(device.verifier().counts());
  if (!device.verifier().counts().Clean()) {
    result->Fail(
        absl::StrCat("device input did not verify: ", device.verifier().counts().Describe()));
  }
}

}  // namespace

void MeasureChainHop(ScenarioContext& ctx, PortFixture& fixture, int client_fd, uint32_t stream_id,
                     RunResult* dev2net, RunResult* echo) {
  if (!MeasureThroughput(ctx, fixture, client_fd, stream_id, dev2net)) {
    echo->Fail(absl::StrCat("not measured: dev2net on the same connection failed: ",
                            dev2net->ok ? "the connection broke" : dev2net->failure));
    return;
  }
  MeasureEcho(ctx, fixture, client_fd, echo);
}

}  // namespace ttyhub::bench
