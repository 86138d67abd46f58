// See machine_info.h.
#include "tools/bench/machine_info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/bench/proc_stats.h"

namespace ttyhub::bench {
namespace {

uint64_t ReadNumberFile(const char* path) {
  std::ifstream in(path);
  uint64_t v = 0;
  in >> v;
  return v;
}

}  // namespace

uint64_t RaiseOpenFilesLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

uint64_t PtysAvailable() {
  const uint64_t max = ReadNumberFile("/proc/sys/kernel/pty/max");
  const uint64_t nr = ReadNumberFile("/proc/sys/kernel/pty/nr");
  // The kernel hands out at most max - 1 (index 0 .. max - 2 in practice).
  return max > nr + 1 ? max - nr - 1 : 0;
}

MachineInfo ReadMachineInfo() {
  MachineInfo m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        m.cpu_model = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
      break;
    }
  }
  m.online_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  utsname u;
  if (uname(&u) == 0) {
    m.kernel = absl::StrCat(u.sysname, " ", u.release);
    m.hostname = u.nodename;
  }
  m.memory_bytes =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) m.open_files_limit = rl.rlim_cur;
  m.pty_max = ReadNumberFile("/proc/sys/kernel/pty/max");
  m.pty_in_use = ReadNumberFile("/proc/sys/kernel/pty/nr");
  m.load_average_at_start = LoadAverage1m();
  return m;
}

}  // namespace ttyhub::bench
