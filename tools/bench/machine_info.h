// A description of the machine a benchmark ran on: CPU model, cores,
// kernel, memory, the relevant limits. Read once at start-up by the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_MACHINE_INFO_H_
#define TTYHUB_TOOLS_BENCH_MACHINE_INFO_H_

#include <cstdint>
#include <string>

namespace ttyhub::bench {

struct MachineInfo {
  std::string cpu_model;
  int online_cpus = 0;
  std::string kernel;  // uname -sr
  std::string hostname;
  uint64_t memory_bytes = 0;
  uint64_t open_files_limit = 0;  // RLIMIT_NOFILE soft limit, after raising
  uint64_t pty_max = 0;           // /proc/sys/kernel/pty/max
  uint64_t pty_in_use = 0;        // /proc/sys/kernel/pty/nr at start
  double load_average_at_start = 0;
};

MachineInfo ReadMachineInfo();

// Raises RLIMIT_NOFILE to the hard limit; returns the resulting soft limit.
uint64_t RaiseOpenFilesLimit();

// Ptys that can still be created now (pty/max - pty/nr), a best estimate.
uint64_t PtysAvailable();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_MACHINE_INFO_H_
