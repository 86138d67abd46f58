// See bench_options.h.
#include "tools/bench/bench_options.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "tools/bench/scenario.h"

namespace ttyhub::bench {
namespace {

// The ttyhub binary next to this one in a build tree (tools/ttyhub beside
// tools/bench/ttyhub-bench), else "ttyhub" from PATH.
std::string DefaultTtyhubBinary() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate :
         {self.parent_path().parent_path() / "ttyhub", self.parent_path() / "ttyhub"}) {
      if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "ttyhub";
}

absl::StatusOr<double> ParseSeconds(absl::string_view flag, absl::string_view v) {
  double d;
  if (!absl::SimpleAtod(v, &d) || d <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": expected seconds > 0, got '", v, "'"));
  }
  return d;
}

absl::StatusOr<int> ParseCount(absl::string_view flag, absl::string_view v, int min) {
  int n;
  if (!absl::SimpleAtoi(v, &n) || n < min) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected an integer >= ", min, ", got '", v, "'"));
  }
  return n;
}

// "off" (0), or bytes with an optional KiB, MiB or GiB suffix, at least
// 4KiB (ttyhub's smallest rotate size).
absl::StatusOr<uint64_t> ParseRotateSize(absl::string_view flag, absl::string_view v) {
  if (v == "off") return 0;
  uint64_t unit = 1;
  absl::string_view number = v;
  for (const auto& [suffix, bytes] : {std::pair<absl::string_view, uint64_t>{"KiB", 1 << 10},
                                      {"MiB", 1 << 20},
                                      {"GiB", 1 << 30}}) {
    if (absl::ConsumeSuffix(&number, suffix)) {
      unit = bytes;
      break;
    }
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(number, &n) || n * unit < 4096 || n > (uint64_t{1} << 40) / unit) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected off or a size of at least 4KiB such as 16MiB, got '", v, "'"));
  }
  return n * unit;
}

}  // namespace

std::vector<std::string> AllScenarioNames() {
  return {"limits", "dev2net",     "net2dev",    "echo",         "many_ports",
          "fanout", "slow_viewer", "idle_ports", "connect_storm"};
}

std::vector<std::string> OptionalScenarioNames() { return {"chain", "soak"}; }

std::string BenchUsage() {
  return R"(usage: ttyhub-bench [flags]

Measures serial-to-TCP servers (ttyhub, ser2net) on loopback pseudo-terminals.
The tool creates the ptys, writes each server's configuration, starts and
stops the server, plays the serial devices and the TCP clients, and verifies
every byte.

  --servers LIST        ttyhub,ttyhub-log,ttyhub-lowlat,ser2net,ser2net-tuned
                        (default: ttyhub,ser2net,ser2net-tuned; --quick:
                        ttyhub,ser2net-tuned; only soak: ttyhub). ttyhub-log
                        is ttyhub with every port's console log on (in the
                        temp dir), checked against the device after each
                        run; ttyhub-lowlat is ttyhub with every port at
                        `latency: low` (its workers busy-poll)
  --scenarios LIST      limits,dev2net,net2dev,echo,many_ports,fanout,
                        slow_viewer,idle_ports,connect_storm (default: all
                        these), and chain and soak (only when named here)
  --ttyhub PATH         ttyhub binary (default: the one in this build tree)
  --ser2net PATH        ser2net binary (default: ser2net from PATH)
  --reps N              repetitions; medians are quoted (default 3, quick 1,
                        only soak: 1)
  --quick               small sizes: the suite for two servers in ~2 minutes
  --duration S          seconds per throughput or latency window (5; quick 1.5)
  --message-bytes N     echo message size (16)
  --many-ports N        ports streaming at once (64)
  --fanout LIST         viewer counts (1,8,64,512)
  --fanout-ro           ttyhub fan-out clients on its read-only listener
                        (lapped when behind) instead of rw (lossless)
  --idle-ports N        idle ports with one client each (4096; quick 512)
  --idle-seconds S      idle CPU window (10; quick 3)
  --storm-clients N     concurrent connecting clients (500)
  --storm-seconds S     connect storm length (5; quick 2)
  --soak-seconds S      soak: how long the mix runs (60)
  --soak-ports N        soak: ports, six client slots each (8)
  --soak-sample-seconds S  soak: one time-series row per S seconds (10)
  --soak-seed N         soak: seed of the mix's random draws (1)
  --soak-rate N         soak: each device's stream, bytes/s (128000)
  --ttyhub-workers N    ttyhub worker threads (default: online CPUs)
  --ttyhub-log-level L  ttyhub log level (info, its default)
  --busy-poll-budget P  ttyhub-lowlat: busy_poll budget, percent of a core
                        (default: ttyhub's own default)
  --console-log-rotate SIZE  ttyhub-log: rotate each console log at SIZE
                        (bytes, or with KiB/MiB/GiB; default 16MiB, keeping 8;
                        off: never rotate)
  --pin                 pin the server and the tool to disjoint CPUs
  --cpu-latency-qos     hold the CPU latency PM QoS at 0 us for the run
                        (/dev/cpu_dma_latency; needs root), so that idle CPUs
                        wake without leaving deep idle states; the report
                        says whether it was held. Run with and without it.
  --json FILE           write all results as JSON
  --markdown FILE       write the summary table and the targets as Markdown
  --plots DIR           write gnuplot SVG plots (needs gnuplot)
  --note TEXT           recorded in the output (e.g. the commit measured)
  --keep-temp           keep the temporary directory (configs, server logs)
  --verbose             progress details on stderr
  --help
)";
}

absl::StatusOr<BenchOptions> ParseBenchOptions(int argc, char** argv) {
  BenchOptions o;
  std::map<std::string, std::string> given;  // flag -> value, in any order
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError(BenchUsage());
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    static const char* const kSwitches[] = {"--quick",   "--pin",       "--keep-temp",
                                            "--verbose", "--fanout-ro", "--cpu-latency-qos"};
    const bool is_switch =
        std::find_if(std::begin(kSwitches), std::end(kSwitches),
                     [&](const char* s) { return arg == s; }) != std::end(kSwitches);
    if (!is_switch && eq == std::string::npos) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      value = argv[++i];
    }
    given[arg] = value;
  }

  o.quick = given.contains("--quick");
  if (o.quick) {
    o.reps = 1;
    o.duration_s = 1.5;
    o.idle_ports = 512;
    o.idle_s = 3;
    o.storm_s = 2;
    o.servers = {ServerKind::kTtyhub, ServerKind::kSer2netTuned};
  } else {
    o.servers = {ServerKind::kTtyhub, ServerKind::kSer2net, ServerKind::kSer2netTuned};
  }
  o.scenarios = AllScenarioNames();
  o.ttyhub_binary = DefaultTtyhubBinary();

  for (const auto& [flag, v] : given) {
    if (flag == "--quick") continue;
    if (flag == "--servers") {
      o.servers.clear();
      for (absl::string_view name : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        const std::optional<ServerKind> k = ParseServerName(name);
        if (!k) {
          return absl::InvalidArgumentError(
              absl::StrCat("--servers: unknown server '", name,
                           "' (ttyhub, ttyhub-log, ttyhub-lowlat, ser2net, ser2net-tuned)"));
        }
        if (std::find(o.servers.begin(), o.servers.end(), *k) == o.servers.end()) {
          o.servers.push_back(*k);
        }
      }
      if (o.servers.empty()) return absl::InvalidArgumentError("--servers: empty list");
    } else if (flag == "--scenarios") {
      std::vector<std::string> wanted = absl::StrSplit(v, ',', absl::SkipEmpty());
      std::vector<std::string> all = AllScenarioNames();
      for (const std::string& name : OptionalScenarioNames()) all.push_back(name);
      for (const std::string& w : wanted) {
        if (std::find(all.begin(), all.end(), w) == all.end()) {
          return absl::InvalidArgumentError(absl::StrCat("--scenarios: unknown scenario '", w,
                                                         "' (", absl::StrJoin(all, ","), ")"));
        }
      }
      o.scenarios.clear();
      for (const std::string& name : all) {  // suite order
        if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) {
          o.scenarios.push_back(name);
        }
      }
      if (o.scenarios.empty()) return absl::InvalidArgumentError("--scenarios: empty list");
    } else if (flag == "--ttyhub") {
      o.ttyhub_binary = v;
    } else if (flag == "--ser2net") {
      o.ser2net_binary = v;
    } else if (flag == "--reps") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.reps = *n;
    } else if (flag == "--duration") {
      absl::StatusOr<double> s = ParseSeconds(flag, v);
      if (!s.ok()) return s.status();
      o.duration_s = *s;
    } else if (flag == "--message-bytes") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.message_bytes = static_cast<size_t>(*n);
    } else if (flag == "--many-ports") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.many_ports = *n;
    } else if (flag == "--fanout") {
      o.fanout_viewers.clear();
      for (absl::string_view k : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        absl::StatusOr<int> n = ParseCount(flag, k, 1);
        if (!n.ok()) return n.status();
        o.fanout_viewers.push_back(*n);
      }
      if (o.fanout_viewers.empty()) return absl::InvalidArgumentError("--fanout: empty list");
    } else if (flag == "--fanout-ro") {
      o.fanout_read_only = true;
    } else if (flag == "--idle-ports") {
      absl::StatusOr<int> n = ParseCount(flag, v, 2);
      if (!n.ok()) return n.status();
      o.idle_ports = *n;
    } else if (flag == "--idle-seconds") {
      absl::StatusOr<double> s = ParseSeconds(flag, v);
      if (!s.ok()) return s.status();
      o.idle_s = *s;
    } else if (flag == "--storm-clients") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.storm_clients = *n;
    } else if (flag == "--storm-seconds") {
      absl::StatusOr<double> s = ParseSeconds(flag, v);
      if (!s.ok()) return s.status();
      o.storm_s = *s;
    } else if (flag == "--soak-seconds") {
      absl::StatusOr<double> s = ParseSeconds(flag, v);
      if (!s.ok()) return s.status();
      o.soak_s = *s;
    } else if (flag == "--soak-ports") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.soak_ports = *n;
    } else if (flag == "--soak-sample-seconds") {
      absl::StatusOr<double> s = ParseSeconds(flag, v);
      if (!s.ok()) return s.status();
      o.soak_sample_s = *s;
    } else if (flag == "--soak-seed") {
      absl::StatusOr<int> n = ParseCount(flag, v, 0);
      if (!n.ok()) return n.status();
      o.soak_seed = *n;
    } else if (flag == "--soak-rate") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.soak_rate = *n;
    } else if (flag == "--ttyhub-workers") {
      absl::StatusOr<int> n = ParseCount(flag, v, 1);
      if (!n.ok()) return n.status();
      o.ttyhub_workers = *n;
    } else if (flag == "--busy-poll-budget") {
      absl::string_view pct = v;
      absl::ConsumeSuffix(&pct, "%");
      absl::StatusOr<int> n = ParseCount(flag, std::string(pct), 1);
      if (!n.ok()) return n.status();
      if (*n > 100) return absl::InvalidArgumentError("--busy-poll-budget: at most 100%");
      o.busy_poll_budget_percent = *n;
    } else if (flag == "--ttyhub-log-level") {
      o.ttyhub_log_level = v;
    } else if (flag == "--console-log-rotate") {
      absl::StatusOr<uint64_t> size = ParseRotateSize(flag, v);
      if (!size.ok()) return size.status();
      o.console_log_rotate_bytes = *size;
    } else if (flag == "--pin") {
      o.pin = true;
    } else if (flag == "--cpu-latency-qos") {
      o.cpu_latency_qos = true;
    } else if (flag == "--json") {
      o.json_path = v;
    } else if (flag == "--markdown") {
      o.markdown_path = v;
    } else if (flag == "--plots") {
      o.plots_dir = v;
    } else if (flag == "--note") {
      o.note = v;
    } else if (flag == "--keep-temp") {
      o.keep_temp = true;
    } else if (flag == "--verbose") {
      o.verbose = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag '", flag, "'; see --help"));
    }
  }
  if (o.ttyhub_workers == 0) o.ttyhub_workers = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  // Scenarios that run on ttyhub alone (soak) need no other server: unless
  // --servers says otherwise, do not ask for one that may not be installed.
  const bool only_ttyhub_scenarios =
      std::all_of(o.scenarios.begin(), o.scenarios.end(), [](const std::string& s) {
        const std::unique_ptr<Scenario> scenario = MakeScenario(s);
        return scenario != nullptr && !scenario->WhyNotOn(ServerKind::kSer2net).empty();
      });
  if (only_ttyhub_scenarios && !given.contains("--servers")) o.servers = {ServerKind::kTtyhub};
  // A soak is one long run, not a median of several, unless --reps says so.
  if (o.scenarios == std::vector<std::string>{"soak"} && !given.contains("--reps")) o.reps = 1;
  return o;
}

}  // namespace ttyhub::bench
