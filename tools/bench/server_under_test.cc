// See server_under_test.h.
#include "tools/bench/server_under_test.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/tcp_table_probe.h"

namespace ttyhub::bench {
namespace {

constexpr size_t kLogTailBytes = 600;

// The last lines of a log on one line, for a failure message.
std::string OneLine(std::string log) {
  while (!log.empty() && (log.back() == '\n' || log.back() == '\r')) log.pop_back();
  const size_t first_newline = log.find('\n');
  if (first_newline != std::string::npos) log.erase(0, first_newline + 1);  // a partial line
  for (char& c : log) {
    if (c == '\n') c = '|';
  }
  return log.empty() ? "(empty)" : log;
}
constexpr int kProbeIntervalMs = 20;

std::vector<std::string> CommandLine(const ServerSpec& spec, const std::string& config,
                                     const std::string& pid_file) {
  if (IsTtyhub(spec.kind)) return {spec.binary, "-c", config};
  // -n: stay in the foreground; -u: no UUCP lock files; -P: our own pid file.
  return {spec.binary, "-n", "-u", "-c", config, "-P", pid_file};
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerUnderTest>> ServerUnderTest::Launch(
    const ServerSpec& spec, const ServerPlan& plan, const TempDir& dir, const std::string& label,
    const std::vector<int>& cpus, InterruptFlag& interrupt, const Deadline& deadline) {
  // ser2net reads a file as YAML only if its name ends in .yaml.
  const std::string config = dir.File(absl::StrCat(label, ".yaml"));
  const std::string log = dir.File(absl::StrCat(label, ".log"));
  const std::string pid_file = dir.File(absl::StrCat(label, ".pid"));
  {
    std::ofstream out(config);
    out << ServerConfigText(spec.kind, plan);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", config));
  }
  const Clock::time_point spawned = Clock::now();
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn(CommandLine(spec, config, pid_file), log, cpus);
  if (!child.ok()) return child.status();
  std::unique_ptr<ServerUnderTest> server(new ServerUnderTest(spec.kind, *std::move(child), log));

  const std::vector<uint16_t> wanted = ListeningPorts(spec.kind, plan);
  // ttyhub says "ready: " once every listener is bound; ser2net says nothing.
  bool ready_line = !IsTtyhub(spec.kind);
  for (;;) {
    if (server->process_->Exited()) {
      return absl::UnavailableError(
          absl::StrCat(ServerName(spec.kind), " exited during start-up: ", server->DescribeExit()));
    }
    if (!ready_line) ready_line = server->LogTail(0).find(" ready: ") != std::string::npos;
    if (ready_line) {
      const std::set<uint16_t> listening = ListeningTcpPorts(server->pid());
      const size_t missing = static_cast<size_t>(std::count_if(
          wanted.begin(), wanted.end(), [&](uint16_t p) { return !listening.contains(p); }));
      if (missing == 0) break;
      if (deadline.Expired()) {
        return absl::DeadlineExceededError(
            absl::StrCat(ServerName(spec.kind), ": ", missing, " of ", wanted.size(),
                         " TCP ports not listening before the deadline; its log ends: ",
                         OneLine(server->LogTail(kLogTailBytes))));
      }
    } else if (deadline.Expired()) {
      return absl::DeadlineExceededError(
          absl::StrCat("ttyhub did not print 'ready:' before the deadline; its log ends: ",
                       OneLine(server->LogTail(kLogTailBytes))));
    }
    if (interrupt.Poll()) return absl::CancelledError("interrupted");
    pollfd fds[2] = {{server->pidfd(), POLLIN, 0}, {interrupt.fd(), POLLIN, 0}};
    poll(fds, 2, deadline.WaitMs(kProbeIntervalMs));
  }
  server->startup_seconds_ = SecondsBetween(spawned, Clock::now());
  return server;
}

std::string ServerUnderTest::DescribeExit() {
  if (!process_->Exited()) return "running";
  return absl::StrCat(ServerName(kind_), " ", process_->ExitDescription(),
                      "; its log ends: ", OneLine(LogTail(kLogTailBytes)));
}

std::string ServerUnderTest::Stop(const Deadline& deadline) {
  if (process_->Exited()) return absl::StrCat("had already stopped: ", DescribeExit());
  if (!process_->Stop(SIGTERM, deadline)) {
    return absl::StrCat(ServerName(kind_), " did not exit on SIGTERM before the deadline (killed)");
  }
  // ser2net's SIGTERM handler always exits with status 1 (seen with strace:
  // exit_group(1) straight from the handler), even when idle.
  const int expected = IsSer2net(kind_) ? 1 : 0;
  if (process_->killed_by_signal() || process_->exit_code() != expected) {
    return absl::StrCat(ServerName(kind_), " ", process_->ExitDescription(), " on SIGTERM");
  }
  return "";
}

}  // namespace ttyhub::bench
