// See port_fixture.h.
#include "tools/bench/port_fixture.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/tcp_socket.h"

namespace ttyhub::bench {
namespace {

constexpr double kStopDeadlineSeconds = 15;

}  // namespace

absl::StatusOr<std::unique_ptr<PortFixture>> PortFixture::Start(ScenarioContext& ctx,
                                                                const PortFixtureSpec& spec,
                                                                absl::string_view label) {
  std::unique_ptr<PortFixture> f(new PortFixture());
  absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create(ctx.interrupt);
  if (!loop.ok()) return loop.status();
  f->loop_ = *std::move(loop);
  const size_t tcp_per_port = spec.ro_clients > 0 ? 2 : 1;
  absl::StatusOr<std::vector<uint16_t>> tcp =
      FindFreeTcpPorts(static_cast<size_t>(spec.ports) * tcp_per_port);
  if (!tcp.ok()) return tcp.status();
  f->plan_.ttyhub_workers = ctx.options.ttyhub_workers;
  f->plan_.ttyhub_log_level = ctx.options.ttyhub_log_level;
  for (int i = 0; i < spec.ports; ++i) {
    absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
    if (!pty.ok()) {
      return absl::Status(pty.status().code(), absl::StrCat("pty ", i + 1, " of ", spec.ports, ": ",
                                                            pty.status().message()));
    }
    PlannedPort p;
    p.name = absl::StrCat("p", i);
    p.device_path = (*pty)->slave_path();
    p.rw_tcp_port = (*tcp)[static_cast<size_t>(i) * tcp_per_port];
    p.rw_max_clients = spec.rw_clients;
    if (spec.ro_clients > 0) {
      p.ro_tcp_port = (*tcp)[static_cast<size_t>(i) * tcp_per_port + 1];
      p.ro_max_clients = spec.ro_clients;
    }
    f->plan_.ports.push_back(p);
    f->ptys_.push_back(*std::move(pty));
  }
  absl::StatusOr<std::unique_ptr<ServerUnderTest>> server = ServerUnderTest::Launch(
      *ctx.server, f->plan_, ctx.temp_dir, ctx.Label(label), ctx.server_cpus, ctx.interrupt,
      Deadline::AfterSeconds(ctx.options.startup_timeout_s));
  if (!server.ok()) return server.status();
  f->server_ = *std::move(server);
  f->loop_->WatchProcess(f->server_->pidfd());
  return f;
}

PortFixture::~PortFixture() {
  if (loop_) loop_->WatchProcess(-1);
}

void PortFixture::Finish(RunResult* result) {
  if (!server_) return;
  loop_->WatchProcess(-1);
  if (!server_->Alive()) {
    result->Fail(absl::StrCat("server died: ", server_->DescribeExit()));
    return;
  }
  if (const std::optional<ProcessMemory> mem = server_->Memory()) {
    result->Add("server_peak_rss_MiB", static_cast<double>(mem->peak_rss_bytes) / (1 << 20), "MiB");
  }
  const std::string stop = server_->Stop(Deadline::AfterSeconds(kStopDeadlineSeconds));
  // The measurements stand; a crash or hang on SIGTERM is a finding of its own.
  result->Add("server_stopped_cleanly", stop.empty() ? 1 : 0, "yes=1");
  if (!stop.empty()) result->notes.push_back(absl::StrCat("stop: ", stop));
}

void FailOnLoopExit(LoopExit exit, absl::string_view what, PortFixture* fixture,
                    RunResult* result) {
  switch (exit) {
    case LoopExit::kDone:
      return;
    case LoopExit::kInterrupted:
      result->Fail(absl::StrCat("interrupted while ", what));
      return;
    case LoopExit::kServerExited:
      result->Fail(absl::StrCat("server died while ", what, ": ",
                                fixture != nullptr ? fixture->server().DescribeExit() : ""));
      return;
    case LoopExit::kDeadline:
      result->Fail(absl::StrCat("deadline passed while ", what));
      return;
  }
}

}  // namespace ttyhub::bench
