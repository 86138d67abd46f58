// Scenario `connect_storm`: C clients (500 by default) connect to one port
// concurrently, each repeating connect -> first 16 bytes of device data ->
// close for the length of the storm. The device emits 64 bytes every
// millisecond throughout, so every session has data to receive on any
// server (ser2net opens the device per connection and may deliver bytes
// that waited in the pty; ttyhub reads the device continuously, so a
// session waits for the next emission, up to 1 ms). Reports completed
// sessions per second (each one accepted by the server and served data),
// failures by kind, TCP connect time and time from connect() to the first
// byte. The port allows max(1000, 4 x C) clients. The tool's single thread.
#include "tools/bench/connect_storm_scenario.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/pattern.h"
#include "tools/bench/pattern_writer.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/storm_client.h"

namespace ttyhub::bench {
namespace {

constexpr uint64_t kEmitBytes = 64;
constexpr double kSessionTimeoutSeconds = 5;
constexpr int kTimeoutCheckMs = 50;

class ConnectStormScenario : public Scenario {
 public:
  std::string name() const override { return "connect_storm"; }
  std::string description() const override {
    return "C clients connecting, reading their first bytes and disconnecting, concurrently";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "connect_storm";
    const int clients = ctx.options.storm_clients;
    // Generous room: a server may still count sessions the client already
    // closed (ttyhub keeps a half-closed client for up to 1 s).
    const int max_clients = std::max(1000, 4 * clients);
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, PortFixtureSpec{.ports = 1, .rw_clients = max_clients}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    {
      PatternWriter device(f.loop(), f.pty(0).master(), false, PatternSeed(0));
      std::vector<std::unique_ptr<StormClient>> slots;
      for (int i = 0; i < clients; ++i) {
        slots.push_back(std::make_unique<StormClient>(f.loop(), f.rw_tcp_port(0), PatternSeed(0),
                                                      SecondsToDuration(kSessionTimeoutSeconds)));
      }
      if (absl::Status s = device.Start(); !s.ok()) {
        result.Fail(std::string(s.message()));
      } else {
        Storm(ctx, f, device, slots, &result);
      }
    }
    f.Finish(&result);
    return {result};
  }

 private:
  void Storm(ScenarioContext& ctx, PortFixture& f, PatternWriter& device,
             std::vector<std::unique_ptr<StormClient>>& slots, RunResult* result) {
    const Clock::time_point start = Clock::now();
    const Duration emit_interval = SecondsToDuration(ctx.options.storm_emit_interval_s);
    Clock::time_point last_timeout_check = start;
    auto tick = [&] {
      const Clock::time_point now = Clock::now();
      device.AllowUpTo(static_cast<uint64_t>((now - start) / emit_interval + 1) * kEmitBytes);
      if (now - last_timeout_check >= std::chrono::milliseconds(kTimeoutCheckMs)) {
        last_timeout_check = now;
        for (auto& s : slots) s->OnTick(now);
      }
    };
    tick();
    MeasurementWindow window(f.server().pid());
    for (auto& s : slots) s->Start();
    LoopExit exit = f.loop().RunUntil([] { return false; },
                                      Deadline::AfterSeconds(ctx.options.storm_s), tick, 1);
    window.Stop();
    uint64_t sessions_in_window = 0;
    for (auto& s : slots) sessions_in_window += s->sessions();
    for (auto& s : slots) s->StopAfterCurrent();
    if (exit == LoopExit::kDeadline) {
      exit = f.loop().RunUntil(
          [&] {
            return std::all_of(slots.begin(), slots.end(), [](const auto& s) { return s->idle(); });
          },
          Deadline::AfterSeconds(kSessionTimeoutSeconds + 2), tick, 1);
    }
    FailOnLoopExit(exit, "the connect storm", &f, result);
    if (device.error() != 0) result->Fail("the device side failed to write");

    uint64_t sessions = 0, corrupt = 0, failures = 0;
    std::vector<int64_t> connect_ns, first_byte_ns;
    std::map<std::string, uint64_t> by_kind;
    for (const auto& s : slots) {
      sessions += s->sessions();
      corrupt += s->corrupt_sessions();
      connect_ns.insert(connect_ns.end(), s->connect_ns().begin(), s->connect_ns().end());
      first_byte_ns.insert(first_byte_ns.end(), s->first_byte_ns().begin(),
                           s->first_byte_ns().end());
      for (const auto& [kind, count] : s->failures()) {
        by_kind[kind] += count;
        failures += count;
      }
    }
    for (const auto& [kind, count] : by_kind) {
      result->notes.push_back(absl::StrCat(count, " failed sessions: ", kind));
    }
    result->Add("clients", static_cast<double>(slots.size()), "");
    result->Add("sessions", static_cast<double>(sessions), "");
    result->Add("sessions_per_s", static_cast<double>(sessions_in_window) / window.seconds(),
                "1/s");
    result->Add("failures", static_cast<double>(failures), "");
    result->Add("corrupt_sessions", static_cast<double>(corrupt), "");
    AddLatencyMetrics("connect", connect_ns, result);
    AddLatencyMetrics("first_byte", first_byte_ns, result);
    window.AddTo(result);
    result->streams += sessions;
    result->verify.received_bytes += sessions * kPatternLocateBytes;
    result->verify.verified_bytes += (sessions - corrupt) * kPatternLocateBytes;
    result->verify.corrupt_bytes += corrupt * kPatternLocateBytes;
    if (corrupt > 0) {
      for (const auto& s : slots) {
        if (!s->first_corrupt_hex().empty()) {
          result->notes.push_back(
              absl::StrCat("first bytes of a bad session: ", s->first_corrupt_hex()));
          break;
        }
      }
      result->Fail(absl::StrCat(corrupt, " sessions received bytes not from the device"));
    }
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeConnectStormScenario() {
  return std::make_unique<ConnectStormScenario>();
}

}  // namespace ttyhub::bench
