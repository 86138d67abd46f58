// The CPU latency PM QoS request. See cpu_latency_qos.h.
#include "tools/bench/cpu_latency_qos.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

absl::StatusOr<std::unique_ptr<CpuLatencyQos>> CpuLatencyQos::Hold(int max_latency_us) {
  const int fd = open(kPath, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("--cpu-latency-qos: cannot open ", kPath,
                            errno == ENOENT   ? " (this kernel has no CPU latency PM QoS)"
                            : errno == EACCES ? " (needs root)"
                                              : ""));
  }
  const int32_t value = max_latency_us;
  if (write(fd, &value, sizeof(value)) != static_cast<ssize_t>(sizeof(value))) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat("--cpu-latency-qos: cannot write ", kPath));
  }
  return std::unique_ptr<CpuLatencyQos>(new CpuLatencyQos(fd, max_latency_us));
}

CpuLatencyQos::~CpuLatencyQos() { close(fd_); }

std::string CpuLatencyQos::Describe() const {
  return absl::StrCat("CPU latency PM QoS held at ", max_latency_us_, " us (", kPath,
                      ") for the whole run");
}

}  // namespace ttyhub::bench
