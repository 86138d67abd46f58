// ttyhub-bench's command line: which servers and scenarios, the sizes of
// each scenario, repetitions, outputs. `--quick` picks small sizes that run
// the whole suite for two servers in about two minutes; explicit flags
// still override it. Parsed once by main on the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_BENCH_OPTIONS_H_
#define TTYHUB_TOOLS_BENCH_BENCH_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

struct BenchOptions {
  std::vector<ServerKind> servers;
  std::vector<std::string> scenarios;  // in suite order
  std::string ttyhub_binary;
  std::string ser2net_binary = "ser2net";
  bool quick = false;
  int reps = 3;

  // Sizes. Durations in seconds.
  double duration_s = 5;      // each throughput/latency window
  size_t message_bytes = 16;  // echo message size
  int many_ports = 64;
  std::vector<int> fanout_viewers = {1, 8, 64, 512};
  bool fanout_read_only = false;  // ttyhub viewers on the ro listener
  double bucket_s = 0.25;         // slow_viewer rate buckets
  int idle_ports = 4096;
  double idle_s = 10;
  int cold_echo_ports = 20;  // idle_ports: random ports echoed after idle
  int storm_clients = 500;
  double storm_s = 5;
  double storm_emit_interval_s = 0.001;  // device emits 64 B this often
  int startup_timeout_s = 60;
  // soak: its length, ports, time-series row interval (s), the mix's seed,
  // and each port's device stream (bytes/s).
  double soak_s = 60;
  int soak_ports = 8;
  double soak_sample_s = 10;
  int soak_seed = 1;
  double soak_rate = 128000;

  // ttyhub settings.
  int ttyhub_workers = 0;  // 0: online CPUs
  std::string ttyhub_log_level = "info";
  // ttyhub-lowlat: the `busy_poll:` budget, percent of a core (0: ttyhub's default).
  int busy_poll_budget_percent = 0;
  // ttyhub-log: console log files rotate at this size, in bytes (0: never).
  uint64_t console_log_rotate_bytes = 16 * 1024 * 1024;

  // Placement: pin the server and the tool to disjoint CPUs.
  bool pin = false;
  // Hold the CPU latency PM QoS at 0 us for the run (/dev/cpu_dma_latency).
  bool cpu_latency_qos = false;

  std::string json_path;
  std::string markdown_path;  // the summary and targets as Markdown
  std::string plots_dir;
  std::string note;  // free text recorded in the output (e.g. a commit hash)
  bool keep_temp = false;
  bool verbose = false;
};

// The scenario names of the default suite, in suite order.
std::vector<std::string> AllScenarioNames();
// Scenarios that run only when --scenarios names them (chain, soak), in order.
std::vector<std::string> OptionalScenarioNames();

// Parses argv. A status of kCancelled means --help was printed.
absl::StatusOr<BenchOptions> ParseBenchOptions(int argc, char** argv);

std::string BenchUsage();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_BENCH_OPTIONS_H_
