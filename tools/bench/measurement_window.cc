// See measurement_window.h.
#include "tools/bench/measurement_window.h"

#include <algorithm>
#include <utility>

namespace ttyhub::bench {
namespace {

// The CPU seconds of every process in `pids`, summed; unset if `pids` is
// empty or one of them cannot be read.
std::optional<double> SummedCpuSeconds(const std::vector<pid_t>& pids) {
  if (pids.empty()) return std::nullopt;
  double sum = 0;
  for (pid_t pid : pids) {
    const std::optional<double> cpu = ProcessCpuSeconds(pid);
    if (!cpu) return std::nullopt;
    sum += *cpu;
  }
  return sum;
}

std::vector<pid_t> PidsOf(pid_t server_pid) {
  if (server_pid <= 0) return {};
  return {server_pid};
}

}  // namespace

MeasurementWindow::MeasurementWindow(pid_t server_pid) : MeasurementWindow(PidsOf(server_pid)) {}

MeasurementWindow::MeasurementWindow(std::vector<pid_t> server_pids)
    : pids_(std::move(server_pids)),
      start_(Clock::now()),
      server_cpu_start_(SummedCpuSeconds(pids_)),
      tool_cpu_start_(ToolCpuSeconds()),
      kthreads_start_(KernelThreadsCpuTicks()),
      system_start_(ReadSystemCpuTicks()),
      pages_start_(ReadPageWriteCounts()) {}

void MeasurementWindow::Stop() {
  if (stopped_) return;
  stopped_ = true;
  end_ = Clock::now();
  if (!pids_.empty()) server_cpu_end_ = SummedCpuSeconds(pids_);
  tool_cpu_end_ = ToolCpuSeconds();
  system_end_ = ReadSystemCpuTicks();
  kthreads_end_ = KernelThreadsCpuTicks();
  load_end_ = LoadAverage1m();
  pages_end_ = ReadPageWriteCounts();
}

double MeasurementWindow::seconds() const {
  return SecondsBetween(start_, stopped_ ? end_ : Clock::now());
}

std::optional<double> MeasurementWindow::server_cpu_seconds() const {
  if (!server_cpu_start_ || !server_cpu_end_) return std::nullopt;
  return *server_cpu_end_ - *server_cpu_start_;
}

std::optional<double> MeasurementWindow::other_cpu_seconds() const {
  const double busy = static_cast<double>(system_end_.busy - system_start_.busy) / TicksPerSecond();
  const double server = !pids_.empty() ? server_cpu_seconds().value_or(0) : 0;
  return std::max(0.0, busy - server - tool_cpu_seconds() - kernel_threads_cpu_seconds());
}

std::optional<double> MeasurementWindow::ServerCpuSecondsPerGB(uint64_t bytes) const {
  const std::optional<double> cpu = server_cpu_seconds();
  if (!cpu || bytes == 0) return std::nullopt;
  return *cpu / (static_cast<double>(bytes) / 1e9);
}

void MeasurementWindow::AddTo(RunResult* result) const {
  const double s = seconds();
  result->Add("window_s", s, "s");
  if (const std::optional<double> cpu = server_cpu_seconds(); cpu && s > 0) {
    result->Add("server_cpu_pct", 100.0 * *cpu / s, "% of a core");
  }
  if (s > 0) {
    result->Add("tool_cpu_pct", 100.0 * tool_cpu_seconds() / s, "% of a core");
    result->Add("kernel_threads_cpu_pct", 100.0 * kernel_threads_cpu_seconds() / s, "% of a core");
    result->Add("other_cpu_pct", 100.0 * other_cpu_seconds().value_or(0) / s, "% of a core");
  }
  result->Add("machine_busy_pct", machine_busy_percent(), "% of all cores");
  result->Add("load_1m", load_1m(), "");
  if (stopped_ && pages_end_.dirtied >= pages_start_.dirtied &&
      pages_end_.written_back >= pages_start_.written_back) {
    const double page_mb = static_cast<double>(PageBytes()) / 1e6;
    result->Add("machine_dirtied_MB",
                static_cast<double>(pages_end_.dirtied - pages_start_.dirtied) * page_mb, "MB");
    result->Add("machine_written_back_MB",
                static_cast<double>(pages_end_.written_back - pages_start_.written_back) * page_mb,
                "MB");
  }
}

}  // namespace ttyhub::bench
