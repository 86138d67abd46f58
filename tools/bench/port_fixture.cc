// See port_fixture.h.
#include "tools/bench/port_fixture.h"

#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/tcp_socket.h"

namespace ttyhub::bench {
namespace {

constexpr double kStopDeadlineSeconds = 15;
// ttyhub-log: the admin API's answer with every port's counters (it may be
// a few MB with thousands of ports).
constexpr double kAdminTimeoutSeconds = 10;

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string PortFixture::ConsoleLogDir(const TempDir& temp_dir, absl::string_view run_label) {
  return temp_dir.File(absl::StrCat(run_label, "-console-logs"));
}

absl::StatusOr<std::unique_ptr<PortFixture>> PortFixture::Start(ScenarioContext& ctx,
                                                                const PortFixtureSpec& spec,
                                                                absl::string_view label) {
  std::unique_ptr<PortFixture> f(new PortFixture());
  absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create(ctx.interrupt);
  if (!loop.ok()) return loop.status();
  f->loop_ = *std::move(loop);
  const size_t tcp_per_port = (spec.ro_clients > 0 ? 2 : 1) + spec.more_listeners.size();
  // ttyhub-log: the admin API is how the tool reads the log counters.
  const bool logs = LogsConsoles(ctx.server->kind);
  const bool admin = spec.admin || logs;
  absl::StatusOr<std::vector<uint16_t>> tcp =
      FindFreeTcpPorts(static_cast<size_t>(spec.ports) * tcp_per_port + (admin ? 1 : 0));
  if (!tcp.ok()) return tcp.status();
  f->plan_.ttyhub_workers = ctx.options.ttyhub_workers;
  f->plan_.ttyhub_log_level = ctx.options.ttyhub_log_level;
  f->plan_.ttyhub_busy_poll_budget_percent = ctx.options.busy_poll_budget_percent;
  if (spec.buffer_bytes > 0) f->plan_.ttyhub_buffer_bytes = spec.buffer_bytes;
  if (admin) f->plan_.ttyhub_admin_tcp_port = tcp->back();
  if (logs) {
    // ttyhub creates the directory itself, as it must on a fresh system.
    f->plan_.console_log.dir = ConsoleLogDir(ctx.temp_dir, ctx.Label(label));
    f->plan_.console_log.rotate_bytes = ctx.options.console_log_rotate_bytes;
    f->keep_console_logs_ = ctx.options.keep_temp;
  }
  f->absent_device_path_ = ctx.temp_dir.File(absl::StrCat(ctx.Label(label), "-absent-device"));
  for (int i = 0; i < spec.ports; ++i) {
    absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
    if (!pty.ok()) {
      return absl::Status(pty.status().code(), absl::StrCat("pty ", i + 1, " of ", spec.ports, ": ",
                                                            pty.status().message()));
    }
    PlannedPort p;
    p.name = absl::StrCat("p", i);
    p.device_path = (*pty)->slave_path();
    if (spec.device_links) {
      p.device_path = ctx.temp_dir.File(absl::StrCat(ctx.Label(label), "-dev-", p.name));
      if (absl::Status s = PointLink(p.device_path, (*pty)->slave_path()); !s.ok()) return s;
    }
    size_t next_tcp = static_cast<size_t>(i) * tcp_per_port;
    p.rw_tcp_port = (*tcp)[next_tcp++];
    p.rw_max_clients = spec.rw_clients;
    if (spec.ro_clients > 0) {
      p.ro_tcp_port = (*tcp)[next_tcp++];
      p.ro_max_clients = spec.ro_clients;
    }
    p.stall_timeout_ms = spec.stall_timeout_ms;
    for (PlannedListener l : spec.more_listeners) {
      l.tcp_port = (*tcp)[next_tcp++];
      p.more_listeners.push_back(l);
    }
    f->plan_.ports.push_back(p);
    f->ptys_.push_back(*std::move(pty));
  }
  f->started_unix_ms_ = UnixMs();
  absl::StatusOr<std::unique_ptr<ServerUnderTest>> server = ServerUnderTest::Launch(
      *ctx.server, f->plan_, ctx.temp_dir, ctx.Label(label), ctx.server_cpus, ctx.interrupt,
      Deadline::AfterSeconds(ctx.options.startup_timeout_s));
  if (!server.ok()) return server.status();
  f->server_ = *std::move(server);
  f->loop_->WatchProcess(f->server_->pidfd());
  return f;
}

absl::Status PortFixture::PointLink(const std::string& link, const std::string& target) {
  const std::string temporary = link + ".new";
  unlink(temporary.c_str());
  if (symlink(target.c_str(), temporary.c_str()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("symlink ", temporary, " -> ", target));
  }
  if (rename(temporary.c_str(), link.c_str()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("rename ", temporary, " to ", link));
  }
  return absl::OkStatus();
}

void PortFixture::HangUpDevice(size_t port) {
  // First the link, so that the server's reopen attempts never reach the
  // closed pty's number, which another program may get next.
  PointLink(plan_.ports[port].device_path, absent_device_path_).IgnoreError();
  ptys_[port].reset();
}

absl::Status PortFixture::ReplugDevice(size_t port) {
  absl::StatusOr<std::unique_ptr<PtyPair>> pty = PtyPair::Create();
  if (!pty.ok()) return pty.status();
  if (absl::Status s = PointLink(plan_.ports[port].device_path, (*pty)->slave_path()); !s.ok()) {
    return s;
  }
  ptys_[port] = *std::move(pty);
  return absl::OkStatus();
}

std::vector<pid_t> PortFixture::MeasuredPids() const {
  std::vector<pid_t> pids = {server_->pid()};
  if (chained_server_ != nullptr) pids.push_back(chained_server_->pid());
  return pids;
}

PortFixture::~PortFixture() {
  if (loop_) loop_->WatchProcess(-1);
}

void PortFixture::ExpectConsoleLog(size_t port, uint64_t seed, uint64_t end_offset) {
  console_streams_[port] = DeviceStream{seed, end_offset};
}

void PortFixture::Finish(RunResult* result) {
  if (!server_) return;
  const bool logs = !plan_.console_log.dir.empty();
  absl::StatusOr<std::map<std::string, PortLogCounters>> counters =
      absl::UnavailableError("not read");
  if (logs && server_->Alive()) {
    counters = FetchPortLogCounters(*loop_, plan_.ttyhub_admin_tcp_port, kAdminTimeoutSeconds);
  }
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
  if (logs) {
    AuditConsoleLogs(plan_.console_log, plan_.ports, console_streams_, counters,
                     RunSpan{started_unix_ms_, UnixMs()}, result);
    if (!keep_console_logs_) {
      std::error_code ec;
      std::filesystem::remove_all(plan_.console_log.dir, ec);
    }
  }
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
