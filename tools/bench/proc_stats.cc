// See proc_stats.h.
#include "tools/bench/proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ttyhub::bench {
namespace {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of "Key:   1234 kB" in /proc/PID/status, in bytes (or count).
std::optional<uint64_t> StatusField(const std::string& status, absl::string_view key,
                                    uint64_t multiplier) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, key)) continue;
    if (!absl::ConsumePrefix(&line, ":")) continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    uint64_t value;
    if (parts.empty() || !absl::SimpleAtoi(parts[0], &value)) return std::nullopt;
    return value * multiplier;
  }
  return std::nullopt;
}

}  // namespace

double TicksPerSecond() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

namespace {

// Fields of /proc/PID/stat after the command name: index 0 is field 3 (state).
std::optional<std::vector<std::string>> StatFields(pid_t pid) {
  const std::optional<std::string> stat = ReadSmallFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat) return std::nullopt;
  // The command name (field 2) may contain spaces: fields resume after ')'.
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  return absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipWhitespace());
}

}  // namespace

std::map<pid_t, uint64_t> KernelThreadsCpuTicks() {
  constexpr pid_t kKthreadd = 2;
  std::map<pid_t, uint64_t> ticks;
  DIR* d = opendir("/proc");
  if (d == nullptr) return ticks;
  while (dirent* e = readdir(d)) {
    pid_t pid;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    const std::optional<std::vector<std::string>> f = StatFields(pid);
    // ppid is field 4 (index 1); utime, stime are fields 14, 15 (11, 12).
    pid_t ppid;
    uint64_t utime, stime;
    if (!f || f->size() < 13 || !absl::SimpleAtoi((*f)[1], &ppid)) continue;
    if (pid != kKthreadd && ppid != kKthreadd) continue;
    if (absl::SimpleAtoi((*f)[11], &utime) && absl::SimpleAtoi((*f)[12], &stime)) {
      ticks[pid] = utime + stime;
    }
  }
  closedir(d);
  return ticks;
}

double KernelThreadsCpuSecondsBetween(const std::map<pid_t, uint64_t>& before,
                                      const std::map<pid_t, uint64_t>& after) {
  uint64_t ticks = 0;
  for (const auto& [pid, now] : after) {
    const auto it = before.find(pid);
    const uint64_t then = it == before.end() ? 0 : it->second;
    if (now >= then) ticks += now - then;
  }
  return static_cast<double>(ticks) / TicksPerSecond();
}

std::optional<double> ProcessCpuSeconds(pid_t pid) {
  const std::optional<std::vector<std::string>> fields = StatFields(pid);
  // utime (field 14) and stime (15) are indices 11 and 12.
  uint64_t utime, stime;
  if (!fields || fields->size() < 13 || !absl::SimpleAtoi((*fields)[11], &utime) ||
      !absl::SimpleAtoi((*fields)[12], &stime)) {
    return std::nullopt;
  }
  return static_cast<double>(utime + stime) / TicksPerSecond();
}

std::optional<ProcessMemory> ReadProcessMemory(pid_t pid) {
  const std::optional<std::string> status = ReadSmallFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status) return std::nullopt;
  const std::optional<uint64_t> rss = StatusField(*status, "VmRSS", 1024);
  const std::optional<uint64_t> hwm = StatusField(*status, "VmHWM", 1024);
  if (!rss || !hwm) return std::nullopt;
  return ProcessMemory{*rss, *hwm};
}

std::optional<int> ProcessOpenFdCount(pid_t pid) {
  DIR* d = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (d == nullptr) return std::nullopt;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return pid == getpid() ? n - 1 : n;
}

std::optional<int> ProcessThreadCount(pid_t pid) {
  const std::optional<std::string> status = ReadSmallFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status) return std::nullopt;
  const std::optional<uint64_t> threads = StatusField(*status, "Threads", 1);
  if (!threads) return std::nullopt;
  return static_cast<int>(*threads);
}

SystemCpuTicks ReadSystemCpuTicks() {
  SystemCpuTicks t;
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal &&
      cpu == "cpu") {
    t.busy = user + nice + system + irq + softirq + steal;
    t.total = t.busy + idle + iowait;
  }
  return t;
}

double BusyPercent(const SystemCpuTicks& before, const SystemCpuTicks& after) {
  const uint64_t total = after.total - before.total;
  if (total == 0) return 0;
  return 100.0 * static_cast<double>(after.busy - before.busy) / static_cast<double>(total);
}

PageWriteCounts ReadPageWriteCounts() {
  PageWriteCounts c;
  std::ifstream in("/proc/vmstat");
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "nr_dirtied") c.dirtied = value;
    if (key == "nr_written") c.written_back = value;
  }
  return c;
}

uint64_t PageBytes() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

double LoadAverage1m() {
  double load[1] = {0};
  if (getloadavg(load, 1) != 1) return -1;
  return load[0];
}

double ToolCpuSeconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

}  // namespace ttyhub::bench
