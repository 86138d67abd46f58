// One run of the server under test: writes its configuration for a
// ServerPlan, starts it in the foreground as a child, waits (with a
// deadline) until every planned TCP port listens, reads its CPU time and
// memory, and stops it by pid. A crash at any point is reported with the
// tail of the server's log, never waited on. Owned by the tool's single
// thread; the destructor kills a server still running.
#ifndef TTYHUB_TOOLS_BENCH_SERVER_UNDER_TEST_H_
#define TTYHUB_TOOLS_BENCH_SERVER_UNDER_TEST_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/child_process.h"
#include "tools/bench/deadline.h"
#include "tools/bench/interrupt_flag.h"
#include "tools/bench/proc_stats.h"
#include "tools/bench/server_kind.h"
#include "tools/bench/server_plan.h"
#include "tools/bench/temp_dir.h"

namespace ttyhub::bench {

class ServerUnderTest {
 public:
  // `label` names the config and log files, e.g. "ttyhub-echo-1".
  // `cpus`: CPUs to pin the server to (empty: unpinned).
  static absl::StatusOr<std::unique_ptr<ServerUnderTest>> Launch(
      const ServerSpec& spec, const ServerPlan& plan, const TempDir& dir, const std::string& label,
      const std::vector<int>& cpus, InterruptFlag& interrupt, const Deadline& deadline);

  ServerKind kind() const { return kind_; }
  pid_t pid() const { return process_->pid(); }
  int pidfd() const { return process_->pidfd(); }
  // Seconds from spawn until every port listened.
  double startup_seconds() const { return startup_seconds_; }

  // True while the process runs.
  bool Alive() { return !process_->Exited(); }
  // "ser2net killed by signal 11 (Segmentation fault); log: ...".
  std::string DescribeExit();

  std::optional<double> CpuSeconds() const { return ProcessCpuSeconds(pid()); }
  std::optional<ProcessMemory> Memory() const { return ReadProcessMemory(pid()); }

  // SIGTERM, then SIGKILL after `deadline`. Returns "" after a clean stop
  // (exit status 0 on SIGTERM; 1 for ser2net, whose handler always exits
  // with 1), otherwise what went wrong.
  std::string Stop(const Deadline& deadline);

  std::string LogTail(size_t bytes) const { return ReadFileTail(log_path_, bytes); }

 private:
  ServerUnderTest(ServerKind kind, std::unique_ptr<ChildProcess> process, std::string log_path)
      : kind_(kind), process_(std::move(process)), log_path_(std::move(log_path)) {}
  ServerKind kind_;
  std::unique_ptr<ChildProcess> process_;
  std::string log_path_;
  double startup_seconds_ = 0;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SERVER_UNDER_TEST_H_
