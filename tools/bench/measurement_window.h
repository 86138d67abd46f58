// The resources used during one measured interval: wall time, the server's
// CPU time (utime + stime of all its threads), the tool's own CPU time, the
// kernel threads' CPU time (kworkers move pty data), the machine's busy
// share of all cores (/proc/stat), what is left of that for everything else
// (other processes, interrupts: a sign of interference), the load average,
// and the machine's page-cache writes (pages dirtied, pages written back to
// storage: where console logs went). The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_MEASUREMENT_WINDOW_H_
#define TTYHUB_TOOLS_BENCH_MEASUREMENT_WINDOW_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <vector>

#include "tools/bench/deadline.h"
#include "tools/bench/proc_stats.h"
#include "tools/bench/run_result.h"

namespace ttyhub::bench {

class MeasurementWindow {
 public:
  // Starts now. `server_pid` <= 0: no server to sample.
  explicit MeasurementWindow(pid_t server_pid);
  // Starts now; the server CPU is the sum over `server_pids` (the servers
  // of a chain, each a process of its own). Empty: no server to sample.
  explicit MeasurementWindow(std::vector<pid_t> server_pids);
  // Ends the window (idempotent).
  void Stop();

  Clock::time_point started() const { return start_; }
  double seconds() const;
  // CPU seconds the server (or servers) used in the window (unset if one
  // vanished).
  std::optional<double> server_cpu_seconds() const;
  double tool_cpu_seconds() const { return tool_cpu_end_ - tool_cpu_start_; }
  double machine_busy_percent() const { return BusyPercent(system_start_, system_end_); }
  double load_1m() const { return load_end_; }
  double kernel_threads_cpu_seconds() const {
    return KernelThreadsCpuSecondsBetween(kthreads_start_, kthreads_end_);
  }
  // Busy CPU time not charged to the server, the tool or kernel threads, in
  // seconds.
  std::optional<double> other_cpu_seconds() const;
  // Server CPU seconds per 10^9 bytes moved.
  std::optional<double> ServerCpuSecondsPerGB(uint64_t bytes) const;

  // Adds window_s, server_cpu_pct, tool_cpu_pct, kernel_threads_cpu_pct,
  // other_cpu_pct (of one core), machine_busy_pct (of all cores), load_1m,
  // and machine_dirtied_MB and machine_written_back_MB (page cache, MB).
  void AddTo(RunResult* result) const;

 private:
  std::vector<pid_t> pids_;
  Clock::time_point start_;
  Clock::time_point end_;
  bool stopped_ = false;
  std::optional<double> server_cpu_start_;
  std::optional<double> server_cpu_end_;
  double tool_cpu_start_ = 0;
  double tool_cpu_end_ = 0;
  std::map<pid_t, uint64_t> kthreads_start_;
  std::map<pid_t, uint64_t> kthreads_end_;
  SystemCpuTicks system_start_;
  SystemCpuTicks system_end_;
  double load_end_ = 0;
  PageWriteCounts pages_start_;
  PageWriteCounts pages_end_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_MEASUREMENT_WINDOW_H_
