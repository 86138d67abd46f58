// Scenario `limits`: the physical limits of this machine, with no server in
// the path, to quote the servers' figures against. Raw pty throughput both
// ways (a writer on the master and a reader on the slave, and the reverse)
// and loopback TCP throughput, each with the reader on a second thread so
// that writing and reading run in parallel as they do through a server;
// and the round-trip time of a 16-byte message through a pty (echoed on the
// master) and through loopback TCP, both ends on the tool's thread as in
// the `echo` scenario. Every byte is verified. Then the same two round trips
// with the echoing end on a thread of its own, after 1 s of idle and back to
// back (echo_after_idle.h): the floor under idle_ports' cold echo. The
// tool's main thread, plus one reading or echoing thread per measurement.
#include "tools/bench/limits_scenario.h"

#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "tools/bench/echo_after_idle.h"
#include "tools/bench/echo_client.h"
#include "tools/bench/echo_device.h"
#include "tools/bench/echo_session.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/pattern.h"
#include "tools/bench/pattern_writer.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/pty_pair.h"
#include "tools/bench/tcp_socket.h"
#include "tools/bench/threaded_reader.h"

namespace ttyhub::bench {
namespace {

constexpr double kDrainSeconds = 15;

// Streams `from` -> `to` for the configured duration, the reader on its own
// thread; adds PREFIX_MBps and the tool's CPU (both threads).
void MeasureThroughput(ScenarioContext& ctx, EventLoop& loop, absl::string_view prefix, int from,
                       bool from_socket, int to, RunResult* result) {
  const uint64_t seed = PatternSeed(0);
  PatternWriter writer(loop, from, from_socket, seed);
  ThreadedReader reader(to, seed);
  writer.AllowUpTo(PatternWriter::kUnlimited);
  if (absl::Status s = writer.Start(); !s.ok()) {
    result->Fail(absl::StrCat(prefix, ": ", s.message()));
    return;
  }
  auto broken = [&] { return reader.broken() || writer.error() != 0; };
  // Timing starts with the first byte through.
  LoopExit exit = loop.RunUntil([&] { return reader.received() > 0 || broken(); },
                                Deadline::AfterSeconds(kDrainSeconds));
  MeasurementWindow window(0);
  const uint64_t before = reader.received();
  if (exit == LoopExit::kDone) {
    exit = loop.RunUntil(broken, Deadline::AfterSeconds(ctx.options.duration_s));
  }
  window.Stop();
  const uint64_t bytes = reader.received() - before;
  writer.Stop();
  if (exit == LoopExit::kDeadline) {
    exit = loop.RunUntil([&] { return reader.position() >= writer.written() || broken(); },
                         Deadline::AfterSeconds(kDrainSeconds));
  }
  reader.Join();
  FailOnLoopExit(exit, absl::StrCat(prefix, " streaming"), nullptr, result);
  if (broken()) result->Fail(absl::StrCat(prefix, ": the stream broke"));
  const VerifyCounts& c = reader.verifier().counts();
  result->verify.Add(c);
  ++result->streams;
  if (reader.verifier().position() != writer.written()) ++result->incomplete_streams;
  if (!c.Clean() || reader.verifier().position() != writer.written()) {
    result->Fail(absl::StrCat(prefix, ": stream did not verify: ", c.Describe(), ", ",
                              reader.verifier().position(), " of ", writer.written(), " B"));
  }
  result->Add(absl::StrCat(prefix, "_MBps"), static_cast<double>(bytes) / 1e6 / window.seconds(),
              "MB/s");
  result->Add(absl::StrCat(prefix, "_tool_cpu_pct"),
              100.0 * window.tool_cpu_seconds() / window.seconds(), "% of a core");
  result->Add(absl::StrCat(prefix, "_other_cpu_pct"),
              100.0 * window.other_cpu_seconds().value_or(0) / window.seconds(), "% of a core");
}

// Echo round trips: client on `client_fd`, echo on `echo_fd`.
void MeasureEcho(ScenarioContext& ctx, EventLoop& loop, absl::string_view prefix, int client_fd,
                 int echo_fd, RunResult* result) {
  EchoDevice echo(loop, echo_fd, PatternSeed(1));
  EchoClient client(loop, client_fd, PatternSeed(1), ctx.options.message_bytes);
  if (absl::Status s = echo.Start(); !s.ok()) return result->Fail(std::string(s.message()));
  if (absl::Status s = client.Start(); !s.ok()) return result->Fail(std::string(s.message()));
  MeasurementWindow window(0);
  RunEchoSession(loop, client, ctx.options.duration_s, nullptr, prefix, result);
  window.Stop();
  result->Add(absl::StrCat(prefix, "_other_cpu_pct"),
              100.0 * window.other_cpu_seconds().value_or(0) / window.seconds(), "% of a core");
  if (!echo.verifier().counts().Clean()) {
    result->Fail(
        absl::StrCat(prefix, ": echo input did not verify: ", echo.verifier().counts().Describe()));
  }
}

// PREFIX_cold_p50_us and PREFIX_warm_p50_us; false if it failed.
bool AddEchoAfterIdle(absl::string_view prefix, int client_fd, int echo_fd, double* cold,
                      double* warm, RunResult* result) {
  absl::StatusOr<EchoAfterIdle> e = MeasureEchoAfterIdle(client_fd, echo_fd, EchoAfterIdleSpec{});
  if (!e.ok()) {
    result->Fail(absl::StrCat(prefix, ": ", e.status().message()));
    return false;
  }
  result->Add(absl::StrCat(prefix, "_cold_p50_us"), e->cold_p50_us, "us");
  result->Add(absl::StrCat(prefix, "_warm_p50_us"), e->warm_p50_us, "us");
  *cold += e->cold_p50_us;
  *warm += e->warm_p50_us;
  return true;
}

// The raw pty and TCP echoes after idle, and their sum's cold over warm:
// what idle_ports' cold_over_warm_p50 would be for a server that added
// nothing to either hop.
void MeasureEchoesAfterIdle(RunResult* result) {
  double cold = 0, warm = 0;
  {
    absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
    if (!pty.ok()) return result->Fail(std::string(pty.status().message()));
    if (!AddEchoAfterIdle("pty_echo_after_idle", (*pty)->slave(), (*pty)->master(), &cold, &warm,
                          result)) {
      return;
    }
  }
  {
    absl::StatusOr<TcpPair> tcp = ConnectedTcpPair(Deadline::AfterSeconds(10));
    if (!tcp.ok()) return result->Fail(std::string(tcp.status().message()));
    if (!AddEchoAfterIdle("tcp_echo_after_idle", tcp->client.get(), tcp->server.get(), &cold, &warm,
                          result)) {
      return;
    }
  }
  if (warm > 0) result->Add("raw_echo_cold_over_warm_p50", cold / warm, "");
}

class LimitsScenario : public Scenario {
 public:
  std::string name() const override { return "limits"; }
  std::string description() const override {
    return "no server: raw pty and loopback TCP throughput, pty and TCP echo round trip, "
           "and the same echoes after 1 s idle";
  }
  bool uses_server() const override { return false; }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "limits";
    absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create(ctx.interrupt);
    if (!loop.ok()) {
      result.Fail(std::string(loop.status().message()));
      return {result};
    }
    {
      absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
      if (!pty.ok()) {
        result.Fail(std::string(pty.status().message()));
        return {result};
      }
      MeasureThroughput(ctx, **loop, "pty_master_to_slave", (*pty)->master(), false,
                        (*pty)->slave(), &result);
    }
    {
      absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
      if (!pty.ok()) {
        result.Fail(std::string(pty.status().message()));
        return {result};
      }
      MeasureThroughput(ctx, **loop, "pty_slave_to_master", (*pty)->slave(), false,
                        (*pty)->master(), &result);
    }
    {
      absl::StatusOr<TcpPair> tcp = ConnectedTcpPair(Deadline::AfterSeconds(10));
      if (!tcp.ok()) {
        result.Fail(std::string(tcp.status().message()));
        return {result};
      }
      MeasureThroughput(ctx, **loop, "tcp_loopback", tcp->client.get(), true, tcp->server.get(),
                        &result);
    }
    {
      absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
      if (!pty.ok()) {
        result.Fail(std::string(pty.status().message()));
        return {result};
      }
      // The "client" writes on the slave; the echo device answers on the master.
      MeasureEcho(ctx, **loop, "pty_echo", (*pty)->slave(), (*pty)->master(), &result);
    }
    {
      absl::StatusOr<TcpPair> tcp = ConnectedTcpPair(Deadline::AfterSeconds(10));
      if (!tcp.ok()) {
        result.Fail(std::string(tcp.status().message()));
        return {result};
      }
      MeasureEcho(ctx, **loop, "tcp_echo", tcp->client.get(), tcp->server.get(), &result);
    }
    MeasureEchoesAfterIdle(&result);
    return {result};
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeLimitsScenario() { return std::make_unique<LimitsScenario>(); }

}  // namespace ttyhub::bench
