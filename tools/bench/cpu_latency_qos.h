// CpuLatencyQos: holds the CPU latency PM QoS request at 0 us for as long as
// it lives (`ttyhub-bench --cpu-latency-qos`, issue 14).
//
// Writing a 32-bit value to /dev/cpu_dma_latency and keeping the file open
// asks the kernel's cpuidle governor not to enter idle states whose exit
// latency exceeds it; closing the file drops the request. At 0 the CPUs
// stay in the shallowest state, so a wake-up costs no exit from a deep idle
// state. That is a property of the machine, not of the server measured, so
// the bench reports its figures with and without it, and says which. Needs
// root (the file is 0600). Owned by the tool's main thread.
#ifndef TTYHUB_TOOLS_BENCH_CPU_LATENCY_QOS_H_
#define TTYHUB_TOOLS_BENCH_CPU_LATENCY_QOS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ttyhub::bench {

class CpuLatencyQos {
 public:
  static constexpr const char* kPath = "/dev/cpu_dma_latency";

  // Opens kPath and requests `max_latency_us`. An error names the file and
  // why (missing: no cpuidle PM QoS in this kernel; EACCES: not root).
  static absl::StatusOr<std::unique_ptr<CpuLatencyQos>> Hold(int max_latency_us);
  ~CpuLatencyQos();
  CpuLatencyQos(const CpuLatencyQos&) = delete;
  CpuLatencyQos& operator=(const CpuLatencyQos&) = delete;

  // For the report: what is held, e.g. "CPU latency PM QoS held at 0 us
  // (/dev/cpu_dma_latency) for the whole run".
  std::string Describe() const;

 private:
  CpuLatencyQos(int fd, int max_latency_us) : fd_(fd), max_latency_us_(max_latency_us) {}
  int fd_;
  int max_latency_us_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CPU_LATENCY_QOS_H_
