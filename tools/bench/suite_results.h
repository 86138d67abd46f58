// Everything one invocation of ttyhub-bench measured: the machine, the
// options, the servers, and every run of every case on every server, with
// medians over the runs that succeeded. Reports (text, JSON, plots) and the
// target evaluation read it. Pure data plus lookups; the tool's single
// thread.
#ifndef TTYHUB_TOOLS_BENCH_SUITE_RESULTS_H_
#define TTYHUB_TOOLS_BENCH_SUITE_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/bench/bench_options.h"
#include "tools/bench/machine_info.h"
#include "tools/bench/run_result.h"
#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

// Name used for the server of scenarios that run without one.
inline constexpr const char* kNoServer = "none";

struct CaseRuns {
  std::string scenario;   // "fanout"
  std::string case_name;  // "fanout_k64"
  std::string server;     // "ttyhub", "ttyhub-log", "ser2net", "ser2net-tuned" or kNoServer
  std::vector<RunResult> runs;

  int ok_runs() const;
  bool all_ok() const { return ok_runs() == static_cast<int>(runs.size()) && !runs.empty(); }
  // Median of `metric` over the runs that succeeded.
  std::optional<double> Median(const std::string& metric) const;
  std::string Unit(const std::string& metric) const;
  // Metric names in first-seen order.
  std::vector<std::string> MetricNames() const;
  // The first failure reason, if any run failed.
  std::string FirstFailure() const;
  // Verification summed over every run: streams that must be exact, and
  // streams allowed to lose data (lapped viewers).
  VerifyCounts TotalVerify() const;
  VerifyCounts TotalLossyVerify() const;
  uint64_t TotalLossyStreams() const;
  uint64_t TotalStreams() const;
  uint64_t TotalIncomplete() const;
};

struct SuiteResults {
  BenchOptions options;
  MachineInfo machine;
  std::vector<ServerSpec> servers;
  std::string placement;  // how server and tool shared the CPUs
  std::string pm_qos;     // whether the CPU latency PM QoS was held, and at what
  // ttyhub-log only ("" otherwise): its `log:` configuration, and the
  // filesystem the logs were written to.
  std::string console_log_config;
  std::string console_log_filesystem;
  std::string started_at;  // ISO 8601, local time
  double wall_seconds = 0;
  double tool_cpu_seconds = 0;
  bool interrupted = false;
  // Scenario name -> one-line description, in suite order.
  std::vector<std::pair<std::string, std::string>> scenarios;
  std::vector<CaseRuns> cases;

  CaseRuns& Get(const std::string& scenario, const std::string& case_name,
                const std::string& server);
  const CaseRuns* Find(const std::string& case_name, const std::string& server) const;
  // Case names of `scenario`, in first-seen order.
  std::vector<std::string> CaseNames(const std::string& scenario) const;
  bool HasServer(ServerKind kind) const;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SUITE_RESULTS_H_
