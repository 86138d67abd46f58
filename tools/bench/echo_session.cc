// See echo_session.h.
#include "tools/bench/echo_session.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/port_fixture.h"

namespace ttyhub::bench {
namespace {

// No single echo may take longer than this.
constexpr double kEchoStallSeconds = 10;
constexpr uint64_t kManyMessages = uint64_t{1} << 40;

}  // namespace

void RunEchoSession(EventLoop& loop, EchoClient& client, double seconds, PortFixture* fixture,
                    absl::string_view prefix, RunResult* result) {
  auto broken = [&] { return client.closed() || client.error() != 0; };
  client.SendMessages(kEchoWarmupMessages);
  LoopExit exit = loop.RunUntil([&] { return client.idle() || broken(); },
                                Deadline::AfterSeconds(kEchoStallSeconds));
  if (exit != LoopExit::kDone || broken()) {
    FailOnLoopExit(exit,
                   absl::StrCat(prefix, " warm-up (", client.completed(), " of ",
                                kEchoWarmupMessages, " echoes)"),
                   fixture, result);
    if (broken()) result->Fail(absl::StrCat(prefix, ": connection closed during warm-up"));
    return;
  }
  const size_t first_timed = client.rtt_ns().size();
  MeasurementWindow window(fixture != nullptr ? fixture->MeasuredPids() : std::vector<pid_t>{});
  const Deadline end = Deadline::AfterSeconds(seconds);
  client.SendMessages(kManyMessages);
  // Progress check: the count must move at least every kEchoStallSeconds.
  uint64_t last_completed = client.completed();
  Clock::time_point last_progress = Clock::now();
  bool stalled = false;
  exit = loop.RunUntil(
      [&] {
        if (client.completed() != last_completed) {
          last_completed = client.completed();
          last_progress = Clock::now();
        } else if (SecondsBetween(last_progress, Clock::now()) > kEchoStallSeconds) {
          stalled = true;
        }
        return broken() || stalled;
      },
      end);
  client.StopAfterInFlight();
  window.Stop();
  if (exit == LoopExit::kDeadline) {
    exit = loop.RunUntil([&] { return client.idle() || broken(); },
                         Deadline::AfterSeconds(kEchoStallSeconds));
  }
  if (stalled) {
    result->Fail(absl::StrCat(prefix, ": no echo for ", kEchoStallSeconds, " s"));
  } else if (broken()) {
    result->Fail(absl::StrCat(
        prefix, ": connection closed",
        client.error() ? absl::StrCat(" (", std::strerror(client.error()), ")") : std::string()));
  } else {
    FailOnLoopExit(exit, absl::StrCat(prefix, " echoes"), fixture, result);
  }
  const std::vector<int64_t> timed(client.rtt_ns().begin() + static_cast<long>(first_timed),
                                   client.rtt_ns().end());
  AddLatencyMetrics(prefix, timed, result);
  result->Add(absl::StrCat(prefix, "_messages_per_s"),
              static_cast<double>(timed.size()) / window.seconds(), "1/s");
  if (fixture != nullptr) window.AddTo(result);
  ++result->streams;
  result->verify.Add(client.verifier().counts());
  if (!client.verifier().counts().Clean()) {
    result->Fail(
        absl::StrCat(prefix, ": echoes did not verify: ", client.verifier().counts().Describe()));
  }
}

}  // namespace ttyhub::bench
