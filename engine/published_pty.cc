// A pty pair published as a symlink. See published_pty.h.
#include "engine/published_pty.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "engine/atomic_symlink.h"

namespace ttyhub {

absl::StatusOr<std::unique_ptr<PublishedPty>> PublishedPty::Create(const std::string& link,
                                                                   int64_t uid, int64_t gid,
                                                                   uint32_t mode) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (master < 0) return absl::ErrnoToStatus(errno, "posix_openpt");
  char name[PATH_MAX];
  const int packet = 1;
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof(name)) != 0 ||
      ioctl(master, TIOCPKT, &packet) != 0) {
    const int err = errno;
    close(master);
    return absl::ErrnoToStatus(err, "set up a pty");
  }
  const int slave = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0) {
    const int err = errno;
    close(master);
    return absl::ErrnoToStatus(err, absl::StrCat("open ", name));
  }
  auto pty = std::unique_ptr<PublishedPty>(new PublishedPty(link, master, slave, name));
  pty->published_ = false;
  if ((uid >= 0 || gid >= 0) &&
      fchown(slave, uid >= 0 ? static_cast<uid_t>(uid) : static_cast<uid_t>(-1),
             gid >= 0 ? static_cast<gid_t>(gid) : static_cast<gid_t>(-1)) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot give ", name, " owner ", uid, " and group ", gid));
  }
  if (fchmod(slave, mode) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot set the mode of ", name));
  }
  // Never replace anything but a symlink (the config loader checked too;
  // this is the moment that counts).
  if (absl::Status s = PublishSymlink(name, link); !s.ok()) return s;
  pty->published_ = true;
  return pty;
}

PublishedPty::~PublishedPty() {
  if (master_ >= 0) close(master_);
  if (slave_ >= 0) close(slave_);
  Unpublish();
}

void PublishedPty::Unpublish() {
  if (!published_) return;
  published_ = false;
  char target[PATH_MAX];
  const ssize_t n = readlink(link_.c_str(), target, sizeof(target) - 1);
  if (n > 0) {
    target[n] = '\0';
    if (slave_path_ == target) unlink(link_.c_str());
  }
}

int PublishedPty::TakeMaster() {
  const int fd = master_;
  master_ = -1;
  return fd;
}

}  // namespace ttyhub
