// See filesystem_info.h.
#include "tools/bench/filesystem_info.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ttyhub::bench {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i > 3) {
      const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
      if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
        out.push_back(static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool UnderMountPoint(const std::string& path, const std::string& mount_point) {
  if (mount_point == "/") return true;
  return path.compare(0, mount_point.size(), mount_point) == 0 &&
         (path.size() == mount_point.size() || path[mount_point.size()] == '/');
}

}  // namespace

std::string FilesystemInfo::Describe() const {
  return absl::StrCat(type, " (", source, " mounted at ", mount_point, ", ", options, ")");
}

absl::StatusOr<FilesystemInfo> FilesystemOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
  std::error_code ec;
  const std::string canonical = std::filesystem::canonical(path, ec).string();
  if (ec) return absl::InternalError(absl::StrCat("canonical ", path, ": ", ec.message()));
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return absl::UnavailableError("cannot read /proc/self/mountinfo");
  FilesystemInfo best;
  bool found = false;
  std::string line;
  // ID PARENT MAJOR:MINOR ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 10) continue;
    const std::vector<std::string> dev = absl::StrSplit(f[2], ':');
    unsigned major_number = 0, minor_number = 0;
    if (dev.size() != 2 || !absl::SimpleAtoi(dev[0], &major_number) ||
        !absl::SimpleAtoi(dev[1], &minor_number) || major_number != major(st.st_dev) ||
        minor_number != minor(st.st_dev)) {
      continue;
    }
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 2 >= f.size()) continue;
    const std::string mount_point = Unescape(f[4]);
    if (!UnderMountPoint(canonical, mount_point)) continue;
    // The longest mount point wins; at equal length the later mount (on top).
    if (found && mount_point.size() < best.mount_point.size()) continue;
    best = FilesystemInfo{f[dash + 1], Unescape(f[dash + 2]), mount_point, f[5]};
    found = true;
  }
  if (!found) return absl::NotFoundError(absl::StrCat("no mount found for ", canonical));
  return best;
}

}  // namespace ttyhub::bench
