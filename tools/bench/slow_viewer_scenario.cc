// Scenario `slow_viewer`: one port, a fast client and a viewer that stops
// reading. Both read for a baseline period (the fast client's unimpeded
// rate), then the viewer stops reading (its receive buffer is 64 KiB, so it
// fills at once) and the fast client's rate is recorded in 250 ms buckets.
// Does the port stall? At the end the viewer reads again and both streams
// are verified: the fast one must be complete; the viewer's may have one
// gap on a server that laps slow viewers (ttyhub's ro listener).
// On ttyhub the fast client is rw and the viewer ro; ser2net has no
// viewers, so both are connections on its one TCP port. The tool's single
// thread.
#include "tools/bench/slow_viewer_scenario.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "tools/bench/bucket_series.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/stream_group.h"

namespace ttyhub::bench {
namespace {

constexpr double kJoinSeconds = 10;
constexpr double kDrainSeconds = 30;
constexpr int kSlowViewerReceiveBuffer = 64 * 1024;  // bytes

class SlowViewerScenario : public Scenario {
 public:
  std::string name() const override { return "slow_viewer"; }
  std::string description() const override {
    return "a fast client and a viewer that stops reading: does the fast one keep its rate?";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "slow_viewer";
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture = PortFixture::Start(
        ctx, PortFixtureSpec{.ports = 1, .rw_clients = 1, .ro_clients = 1}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    absl::StatusOr<std::vector<UniqueFd>> fast =
        ConnectClients(f.loop(), {f.rw_tcp_port(0)}, Deadline::AfterSeconds(10));
    absl::StatusOr<std::vector<UniqueFd>> slow =
        ConnectClients(f.loop(), {f.viewer_tcp_port(0)}, Deadline::AfterSeconds(10),
                       ConnectOptions{.rcvbuf_bytes = kSlowViewerReceiveBuffer});
    if (!fast.ok() || !slow.ok()) {
      result.Fail(std::string(!fast.ok() ? fast.status().message() : slow.status().message()));
      f.Finish(&result);
      return {result};
    }
    {
      StreamGroup group(f.loop());
      const size_t w = group.AddWriter(f.pty(0).master(), false, 0);
      const size_t fast_reader =
          group.AddReader(w, (*fast)[0].get(), true, StreamVerifier::Start::kAnywhere);
      const size_t slow_reader =
          group.AddReader(w, (*slow)[0].get(), true, StreamVerifier::Start::kAnywhere);
      Measure(ctx, f, group, fast_reader, slow_reader, &result);
    }
    f.Finish(&result);
    return {result};
  }

 private:
  void Measure(ScenarioContext& ctx, PortFixture& f, StreamGroup& group, size_t fast_reader,
               size_t slow_reader, RunResult* result) {
    if (absl::Status s = group.Start(); !s.ok()) return result->Fail(std::string(s.message()));
    EventLoop& loop = f.loop();
    LoopExit exit = loop.RunUntil([&] { return group.AllJoined() || group.AnyBroken(); },
                                  Deadline::AfterSeconds(kJoinSeconds));
    if (exit != LoopExit::kDone)
      return FailOnLoopExit(exit, "waiting for the first bytes", &f, result);

    const double bucket_s = ctx.options.bucket_s;
    const int baseline_buckets = std::max(
        2,
        static_cast<int>(std::lround(std::clamp(ctx.options.duration_s / 2, 0.5, 2.0) / bucket_s)));
    const int stall_buckets =
        std::max(2, static_cast<int>(std::lround(ctx.options.duration_s / bucket_s)));
    const Clock::time_point start = Clock::now();
    const Duration width = SecondsToDuration(bucket_s);
    BucketSeries series(start, width);
    group.reader(fast_reader).RecordInto(&series);

    exit = loop.RunUntil([&] { return group.AnyBroken(); },
                         Deadline::At(start + width * baseline_buckets));
    if (exit != LoopExit::kDeadline) return FailOnLoopExit(exit, "baseline", &f, result);
    group.reader(slow_reader).Pause();
    const uint64_t slow_at_pause = group.reader(slow_reader).received();
    MeasurementWindow window(f.server().pid());
    exit = loop.RunUntil([&] { return group.AnyBroken(); },
                         Deadline::At(start + width * (baseline_buckets + stall_buckets)));
    window.Stop();
    group.reader(fast_reader).RecordInto(nullptr);
    group.StopWriters();
    group.reader(slow_reader).Resume();
    if (exit == LoopExit::kDeadline) {
      exit = loop.RunUntil([&] { return group.AllDrained() || group.AnyBroken(); },
                           Deadline::AfterSeconds(kDrainSeconds));
    }
    FailOnLoopExit(exit, "the stall", &f, result);
    group.Verify(result, [&](size_t reader) { return reader == slow_reader; });

    const std::vector<uint64_t> buckets =
        series.BucketsUntil(start + width * (baseline_buckets + stall_buckets));
    auto rate = [&](size_t i) {
      return i < buckets.size() ? static_cast<double>(buckets[i]) / 1e6 / bucket_s : 0.0;
    };
    std::vector<double> baseline, stalled;
    Series plot{"fast_client_MBps",
                "time (s); the viewer stops reading at the dashed line",
                "fast client MB/s",
                {},
                {}};
    for (int i = 0; i < baseline_buckets + stall_buckets; ++i) {
      const size_t b = static_cast<size_t>(i);
      (i < baseline_buckets ? baseline : stalled).push_back(rate(b));
      plot.x.push_back((i + 0.5) * bucket_s);
      plot.y.push_back(rate(b));
    }
    const double unimpeded = Median(baseline);
    const double min_stalled = *std::min_element(stalled.begin(), stalled.end());
    const size_t zero_buckets =
        static_cast<size_t>(std::count(stalled.begin(), stalled.end(), 0.0));
    result->Add("fast_unimpeded_MBps", unimpeded, "MB/s");
    // How much the rate varies bucket to bucket with nothing stalled: the
    // yardstick for the worst bucket during the stall.
    result->Add("fast_baseline_min_over_median",
                unimpeded > 0 ? *std::min_element(baseline.begin(), baseline.end()) / unimpeded : 0,
                "");
    result->Add("fast_during_stall_median_MBps", Median(stalled), "MB/s");
    // The typical rate while the viewer is stalled, against the rate before:
    // what the stall costs the fast client, apart from bucket-to-bucket noise.
    result->Add("fast_median_over_unimpeded", unimpeded > 0 ? Median(stalled) / unimpeded : 0, "");
    result->Add("fast_during_stall_min_MBps", min_stalled, "MB/s");
    result->Add("fast_min_over_unimpeded", unimpeded > 0 ? min_stalled / unimpeded : 0, "");
    result->Add("zero_rate_buckets", static_cast<double>(zero_buckets), "");
    result->Add("port_stalled", zero_buckets > 0 ? 1 : 0, "yes=1");
    result->Add("viewer_received_during_stall_B",
                static_cast<double>(group.reader(slow_reader).received() - slow_at_pause), "B");
    result->Add("viewer_lost_B",
                static_cast<double>(group.reader(slow_reader).verifier().counts().gap_bytes), "B");
    result->Add("bucket_s", bucket_s, "s");
    result->Add("stall_starts_s", baseline_buckets * bucket_s, "s");
    result->series.push_back(std::move(plot));
    window.AddTo(result);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeSlowViewerScenario() {
  return std::make_unique<SlowViewerScenario>();
}

}  // namespace ttyhub::bench
