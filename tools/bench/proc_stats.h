// Readings from /proc and getrusage: a process's CPU time and memory, the
// machine's CPU busy time and load average, and the tool's own CPU time.
//
// Stateless readers; called from the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_PROC_STATS_H_
#define TTYHUB_TOOLS_BENCH_PROC_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>

namespace ttyhub::bench {

// utime + stime of the whole process (every thread, live or exited), in
// seconds, from /proc/PID/stat. Resolution: one clock tick (10 ms at 100 Hz).
std::optional<double> ProcessCpuSeconds(pid_t pid);

struct ProcessMemory {
  uint64_t rss_bytes = 0;       // VmRSS: resident now
  uint64_t peak_rss_bytes = 0;  // VmHWM: the high-water mark of VmRSS
};
std::optional<ProcessMemory> ReadProcessMemory(pid_t pid);

// Open file descriptors of the process (entries of /proc/PID/fd; for the
// tool itself, without the one used to list them).
std::optional<int> ProcessOpenFdCount(pid_t pid);

// Threads of the process (/proc/PID/status Threads:).
std::optional<int> ProcessThreadCount(pid_t pid);

// The machine's aggregate CPU time from /proc/stat, in clock ticks.
struct SystemCpuTicks {
  uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
  uint64_t total = 0;  // busy + idle + iowait
};
// Clock ticks per second (USER_HZ).
double TicksPerSecond();
SystemCpuTicks ReadSystemCpuTicks();
// Busy share of all cores between two readings, in percent (0..100).
double BusyPercent(const SystemCpuTicks& before, const SystemCpuTicks& after);

// utime + stime of each kernel thread (kthreadd and its children: the
// kworkers that push pty data, ksoftirqd...), in clock ticks, by pid.
std::map<pid_t, uint64_t> KernelThreadsCpuTicks();
// CPU seconds the kernel threads used between two readings. Kworkers come
// and go: a thread gone by `after` counts nothing (its CPU in the interval
// is lost, so this is a lower bound), one new in `after` counts all of its
// CPU time.
double KernelThreadsCpuSecondsBetween(const std::map<pid_t, uint64_t>& before,
                                      const std::map<pid_t, uint64_t>& after);

// Page-cache writes of the whole machine (/proc/vmstat), in pages: pages
// dirtied (buffered file writes) and pages written back to storage. Their
// difference over a window tells whether buffered writes (console logs)
// reached the disk in it or stayed in memory.
struct PageWriteCounts {
  uint64_t dirtied = 0;       // nr_dirtied
  uint64_t written_back = 0;  // nr_written
};
PageWriteCounts ReadPageWriteCounts();
// Bytes per page (sysconf).
uint64_t PageBytes();

// The 1-minute load average.
double LoadAverage1m();

// The tool's own user + system CPU time (getrusage RUSAGE_SELF), in seconds.
double ToolCpuSeconds();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PROC_STATS_H_
