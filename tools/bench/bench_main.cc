// ttyhub-bench: measures serial-to-TCP servers (ttyhub, ser2net with its
// defaults, ser2net tuned) on loopback pseudo-terminals, side by side.
//
// The tool is one thread. It creates the ptys and plays the serial devices
// on their masters, writes each server's configuration, starts the server
// as a child, drives TCP clients through one epoll loop, verifies every
// byte, samples the server's CPU and memory from /proc, stops the server by
// pid and reports: a table on stdout, JSON (--json), SVG plots (--plots).
//
// Exit status: 0 when every ttyhub run succeeded (other servers' failures,
// such as a crash, are results, and are reported); 3 when a ttyhub or
// ttyhub-log run failed or found the server at fault (the soak, a console
// log that does not match what the device wrote); 1 on a usage or set-up
// error; 130 when interrupted.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "tools/bench/bench_options.h"
#include "tools/bench/child_process.h"
#include "tools/bench/cpu_latency_qos.h"
#include "tools/bench/filesystem_info.h"
#include "tools/bench/interrupt_flag.h"
#include "tools/bench/json_report.h"
#include "tools/bench/machine_info.h"
#include "tools/bench/plots.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/proc_stats.h"
#include "tools/bench/progress.h"
#include "tools/bench/suite_runner.h"
#include "tools/bench/summary_table.h"
#include "tools/bench/targets.h"
#include "tools/bench/temp_dir.h"
#include "tools/bench/text_report.h"

namespace ttyhub::bench {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitSetupError = 1;
constexpr int kExitTtyhubFailed = 3;
constexpr int kExitInterrupted = 130;

std::string NowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm local;
  localtime_r(&now, &local);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &local);
  return buf;
}

// Asks the binary for its version; an error if it cannot run.
absl::StatusOr<std::string> ServerVersion(const ServerSpec& spec, const TempDir& dir) {
  const std::vector<std::string> argv = IsTtyhub(spec.kind)
                                            ? std::vector<std::string>{spec.binary, "--version"}
                                            : std::vector<std::string>{spec.binary, "-v"};
  absl::StatusOr<CommandResult> r = RunCommand(argv, dir.path(), Deadline::AfterSeconds(10));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::NotFoundError(absl::StrCat("cannot run '", spec.binary, "' (",
                                            ServerName(spec.kind), "): exit ", r->exit_code, ": ",
                                            absl::StripAsciiWhitespace(r->output)));
  }
  return std::string(absl::StripAsciiWhitespace(r->output));
}

// Pins the tool and returns the server's CPUs (empty: unpinned), and
// describes the placement.
std::vector<int> PlaceProcesses(const BenchOptions& o, int cpus, const Progress& progress,
                                std::string* placement) {
  const std::string threads = absl::StrCat("ttyhub runs ", o.ttyhub_workers,
                                           " worker threads, ser2net its default single thread");
  if (!o.pin || cpus < 2) {
    if (o.pin) progress.Log("--pin needs at least 2 CPUs; running unpinned");
    *placement =
        absl::StrCat("server and tool unpinned, sharing the same ", cpus,
                     " CPUs as the scheduler places them (", threads, "; the tool is one thread)");
    return {};
  }
  cpu_set_t mask;
  CPU_ZERO(&mask);
  CPU_SET(cpus - 1, &mask);
  sched_setaffinity(0, sizeof(mask), &mask);
  std::vector<int> server;
  for (int i = 0; i < cpus - 1; ++i) server.push_back(i);
  *placement = absl::StrCat("tool pinned to CPU ", cpus - 1, ", server pinned to CPU",
                            server.size() > 1 ? "s 0-" : " ",
                            server.size() > 1 ? absl::StrCat(cpus - 2) : "0", " (", threads, ")");
  return server;
}

bool WriteFileAtomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Run(int argc, char** argv) {
  absl::StatusOr<BenchOptions> options = ParseBenchOptions(argc, argv);
  if (!options.ok()) {
    if (absl::IsCancelled(options.status())) {
      std::fputs(std::string(options.status().message()).c_str(), stdout);
      return kExitOk;
    }
    std::fprintf(stderr, "ttyhub-bench: %s\n", std::string(options.status().message()).c_str());
    return kExitSetupError;
  }
  const Progress progress(options->verbose);
  signal(SIGPIPE, SIG_IGN);
  absl::StatusOr<std::unique_ptr<InterruptFlag>> interrupt = InterruptFlag::Create();
  if (!interrupt.ok()) {
    std::fprintf(stderr, "ttyhub-bench: %s\n", std::string(interrupt.status().message()).c_str());
    return kExitSetupError;
  }
  const uint64_t open_files = RaiseOpenFilesLimit();
  absl::StatusOr<std::unique_ptr<TempDir>> temp = TempDir::Create();
  if (!temp.ok()) {
    std::fprintf(stderr, "ttyhub-bench: %s\n", std::string(temp.status().message()).c_str());
    return kExitSetupError;
  }

  SuiteResults results;
  results.options = *options;
  results.machine = ReadMachineInfo();
  results.machine.open_files_limit = open_files;
  results.started_at = NowIso8601();
  for (ServerKind kind : options->servers) {
    ServerSpec spec{kind, IsTtyhub(kind) ? options->ttyhub_binary : options->ser2net_binary, ""};
    absl::StatusOr<std::string> version = ServerVersion(spec, **temp);
    if (!version.ok()) {
      std::fprintf(stderr, "ttyhub-bench: %s\n", std::string(version.status().message()).c_str());
      return kExitSetupError;
    }
    spec.version = *version;
    results.servers.push_back(spec);
  }
  if (std::any_of(options->servers.begin(), options->servers.end(), LogsConsoles)) {
    PlannedConsoleLog example;
    example.dir = PortFixture::ConsoleLogDir(**temp, "RUN");
    example.rotate_bytes = options->console_log_rotate_bytes;
    results.console_log_config =
        absl::StrCat("defaults: log: ", ConsoleLogYaml(example),
                     " (RUN: one directory per run, e.g. ttyhub-log-dev2net-1; removed after "
                     "the run's logs are checked unless --keep-temp), and the admin listener");
    const absl::StatusOr<FilesystemInfo> fs = FilesystemOf((*temp)->path());
    results.console_log_filesystem =
        fs.ok() ? fs->Describe() : absl::StrCat("unknown: ", fs.status().message());
  }
  const std::vector<int> server_cpus =
      PlaceProcesses(*options, results.machine.online_cpus, progress, &results.placement);
  // Held until Run returns (the report is written by then).
  std::unique_ptr<CpuLatencyQos> qos;
  if (options->cpu_latency_qos) {
    absl::StatusOr<std::unique_ptr<CpuLatencyQos>> held = CpuLatencyQos::Hold(0);
    if (!held.ok()) {
      std::fprintf(stderr, "ttyhub-bench: %s\n", std::string(held.status().message()).c_str());
      return kExitSetupError;
    }
    qos = *std::move(held);
    results.pm_qos = qos->Describe();
  } else {
    results.pm_qos =
        "not held (idle CPUs may sit in deep idle states; --cpu-latency-qos holds it at 0)";
  }
  progress.Log(absl::StrCat(
      "scenarios: ", absl::StrJoin(options->scenarios, ","), "; servers: ",
      absl::StrJoin(options->servers, ",",
                    [](std::string* out, ServerKind k) { absl::StrAppend(out, ServerName(k)); }),
      "; ", options->reps, " repetitions; temp dir ", (*temp)->path()));

  const Clock::time_point start = Clock::now();
  RunSuite(**temp, **interrupt, progress, server_cpus, &results);
  results.wall_seconds = SecondsBetween(start, Clock::now());
  results.tool_cpu_seconds = ToolCpuSeconds();

  const std::vector<TargetResult> targets = EvaluateTargets(results);
  std::fputs(TextReport(results, targets).c_str(), stdout);
  std::fflush(stdout);
  int status = results.interrupted ? kExitInterrupted : kExitOk;
  if (!options->json_path.empty()) {
    if (!WriteFileAtomically(options->json_path, JsonReport(results, targets))) {
      std::fprintf(stderr, "ttyhub-bench: cannot write %s\n", options->json_path.c_str());
      status = kExitSetupError;
    } else {
      progress.Log(absl::StrCat("wrote ", options->json_path));
    }
  }
  if (!options->markdown_path.empty()) {
    if (!WriteFileAtomically(options->markdown_path,
                             SummaryAsMarkdown(results, BuildSummary(results), targets))) {
      std::fprintf(stderr, "ttyhub-bench: cannot write %s\n", options->markdown_path.c_str());
      status = kExitSetupError;
    } else {
      progress.Log(absl::StrCat("wrote ", options->markdown_path));
    }
  }
  if (!options->plots_dir.empty()) {
    std::error_code ec;
    const std::string dir = std::filesystem::absolute(options->plots_dir, ec).string();
    absl::StatusOr<std::vector<std::string>> svgs = WritePlots(results, dir, (*temp)->path());
    if (!svgs.ok()) {
      progress.Log(svgs.status().message());
    } else {
      progress.Log(absl::StrCat("wrote ", absl::StrJoin(*svgs, ", ")));
    }
  }
  if (status == kExitOk) {
    for (const CaseRuns& c : results.cases) {
      // ttyhub with or without its console logs.
      const std::optional<ServerKind> kind = ParseServerName(c.server);
      if (!kind || !IsTtyhub(*kind)) continue;
      if (!c.all_ok()) status = kExitTtyhubFailed;
      for (const RunResult& run : c.runs) {
        if (!run.finding.empty()) status = kExitTtyhubFailed;
      }
    }
  }
  if (options->keep_temp) {
    const std::string kept = (*temp)->path() + "-kept";
    std::error_code ec;
    std::filesystem::rename((*temp)->path(), kept, ec);
    std::filesystem::create_directory((*temp)->path(), ec);
    progress.Log(absl::StrCat("kept configs and server logs in ", kept));
  }
  return status;
}

}  // namespace
}  // namespace ttyhub::bench

int main(int argc, char** argv) { return ttyhub::bench::Run(argc, argv); }
