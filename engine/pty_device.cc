// Pseudo-terminal pair creation and link publishing. See pty_device.h.
#include "engine/pty_device.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/atomic_symlink.h"
#include "engine/tty_device.h"

namespace ttyhub {
namespace {

// mkdir -p of the directory holding `path`.
absl::Status MakeParentDirs(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string dir = path.substr(0, pos);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", dir));
    }
  }
  return absl::OkStatus();
}

}  // namespace

PtyDevice::~PtyDevice() {
  Shutdown();
  Close();
}

absl::Status PtyDevice::Open(const SerialSettings& settings, bool local) {
  Close();
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (master < 0) return absl::ErrnoToStatus(errno, "posix_openpt");
  char name[PATH_MAX];
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof(name)) != 0) {
    const int err = errno;
    close(master);
    return absl::ErrnoToStatus(err, "set up pty");
  }
  const int slave = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0) {
    const int err = errno;
    close(master);
    return absl::ErrnoToStatus(err, absl::StrCat("open ", name));
  }
  // Raw on the slave, so a program that opens the link without configuring
  // it (cat, a script) gets bytes unchanged.
  if (absl::Status s = ApplyTtySettings(tty_, slave, settings, local); !s.ok()) {
    close(slave);
    close(master);
    return s;
  }
  // Publish: never clobber anything but a symlink (e.g. one we left).
  absl::Status s = MakeParentDirs(link_path_);
  if (s.ok()) s = PublishSymlink(name, link_path_);
  if (!s.ok()) {
    close(slave);
    close(master);
    return s;
  }
  master_fd_ = master;
  slave_fd_ = slave;
  slave_path_ = name;
  return absl::OkStatus();
}

void PtyDevice::Close() {
  if (master_fd_ >= 0) close(master_fd_);
  if (slave_fd_ >= 0) close(slave_fd_);
  master_fd_ = slave_fd_ = -1;
}

absl::Status PtyDevice::ApplySettings(const SerialSettings& settings, bool local) {
  if (slave_fd_ < 0) return absl::FailedPreconditionError("pty is not open");
  return ApplyTtySettings(tty_, slave_fd_, settings, local);
}

absl::Status PtyDevice::SetModemBits(int, bool) {
  return absl::UnimplementedError("a pseudo-terminal has no modem lines");
}

absl::Status PtyDevice::SetBreak(bool on) {
  // A break on the master reaches the program on the slave as a NUL (or
  // SIGINT with BRKINT), as a UART break would.
  if (master_fd_ < 0) return absl::FailedPreconditionError("pty is not open");
  return tty_.SetBreak(master_fd_, on);
}

absl::Status PtyDevice::Flush(bool input, bool output) {
  if (master_fd_ < 0) return absl::FailedPreconditionError("pty is not open");
  return tty_.Flush(master_fd_, input, output);
}

void PtyDevice::Shutdown() {
  if (slave_path_.empty()) return;
  char target[PATH_MAX];
  const ssize_t n = readlink(link_path_.c_str(), target, sizeof(target) - 1);
  if (n > 0) {
    target[n] = '\0';
    if (slave_path_ == target) unlink(link_path_.c_str());
  }
  slave_path_.clear();
}

}  // namespace ttyhub
