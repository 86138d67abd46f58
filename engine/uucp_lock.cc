// UUCP device locks. See uucp_lock.h.
#include "engine/uucp_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttyhub {
namespace {

std::string ReadSmallFile(const std::string& path) {
  std::string out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return out;
  char buf[64];
  const ssize_t n = read(fd, buf, sizeof(buf));
  if (n > 0) out.assign(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// The command name of `pid` (/proc/PID/comm), or "" if unknown.
std::string CommandOf(pid_t pid) {
  std::string comm = ReadSmallFile(absl::StrCat("/proc/", pid, "/comm"));
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\0')) comm.pop_back();
  for (char& c : comm) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return comm;
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

UucpLock::UucpLock(std::string lock_dir, std::string device_path)
    : lock_dir_(std::move(lock_dir)), device_path_(std::move(device_path)) {}

std::string UucpLock::LockPath() const {
  std::string real = device_path_;
  if (char* resolved = realpath(device_path_.c_str(), nullptr); resolved != nullptr) {
    real = resolved;
    free(resolved);
  }
  const size_t slash = real.rfind('/');
  return absl::StrCat(lock_dir_, "/LCK..",
                      slash == std::string::npos ? real : real.substr(slash + 1));
}

pid_t UucpLock::ParseLockPid(const std::string& contents) {
  const absl::string_view text = absl::StripAsciiWhitespace(contents);
  int64_t pid = 0;
  if (!text.empty() && absl::SimpleAtoi(text, &pid)) {
    return pid > 0 && pid <= INT_MAX ? static_cast<pid_t>(pid) : -1;
  }
  // The old binary form: a 4-byte int, which for any real PID has a zero byte.
  if (contents.size() == sizeof(int32_t) && contents.find('\0') != std::string::npos) {
    int32_t binary = 0;
    std::memcpy(&binary, contents.data(), sizeof(binary));
    return binary > 0 ? binary : -1;
  }
  return -1;
}

absl::Status UucpLock::Acquire(pid_t* took_stale) {
  if (took_stale != nullptr) *took_stale = 0;
  const std::string lock_path = LockPath();
  if (held_ && lock_path == held_path_ && ParseLockPid(ReadSmallFile(lock_path)) == getpid()) {
    return absl::OkStatus();
  }
  Release();
  const pid_t me = getpid();
  const std::string contents = absl::StrFormat("%10d\n", me);
  // Twice at most: once more after removing a stale lock.
  for (int attempt = 0; attempt < 2; ++attempt) {
    // Per thread: workers lock their devices concurrently.
    const std::string tmp = absl::StrCat(lock_dir_, "/LTMP.", me, ".", gettid());
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("cannot create a lock file in ", lock_dir_));
    }
    const bool written =
        write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
    (void)fchmod(fd, 0644);  // readable by minicom and friends whatever the umask
    close(fd);
    if (!written) {
      const int err = errno;
      unlink(tmp.c_str());
      return absl::ErrnoToStatus(err, absl::StrCat("cannot write ", tmp));
    }
    const int linked = link(tmp.c_str(), lock_path.c_str());
    const int link_errno = errno;
    unlink(tmp.c_str());
    if (linked == 0) {
      held_ = true;
      held_path_ = lock_path;
      return absl::OkStatus();
    }
    if (link_errno != EEXIST) {
      return absl::ErrnoToStatus(link_errno, absl::StrCat("cannot create ", lock_path));
    }
    const pid_t owner = ParseLockPid(ReadSmallFile(lock_path));
    if (owner == me) {  // left by this process (an earlier open): ours
      held_ = true;
      held_path_ = lock_path;
      return absl::OkStatus();
    }
    if (owner > 0 && Alive(owner)) {
      const std::string command = CommandOf(owner);
      return absl::UnavailableError(absl::StrCat(device_path_, " is locked by PID ", owner,
                                                 command.empty() ? "" : " (" + command + ")",
                                                 " through ", lock_path));
    }
    if (owner <= 0) {
      // Unreadable: perhaps being written by a tool that does not create
      // its lock atomically. Give it a few seconds before calling it stale.
      struct stat st {};
      if (stat(lock_path.c_str(), &st) == 0 && time(nullptr) - st.st_mtime < 5) {
        return absl::UnavailableError(
            absl::StrCat(device_path_, " is locked through ", lock_path, " (no PID in it yet)"));
      }
    }
    // Stale (its process is gone) or unreadable: take it over.
    if (unlink(lock_path.c_str()) != 0 && errno != ENOENT) {
      return absl::ErrnoToStatus(errno, absl::StrCat("cannot remove the stale lock ", lock_path));
    }
    if (took_stale != nullptr) *took_stale = owner > 0 ? owner : -1;
  }
  return absl::UnavailableError(absl::StrCat(lock_path, " keeps being re-created; retrying"));
}

void UucpLock::Release() {
  if (!held_) return;
  held_ = false;
  // Only our own: never remove a lock another process took over meanwhile.
  if (ParseLockPid(ReadSmallFile(held_path_)) == getpid()) unlink(held_path_.c_str());
  held_path_.clear();
}

}  // namespace ttyhub
