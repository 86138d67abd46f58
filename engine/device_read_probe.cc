// The device-read probe. See device_read_probe.h.
#include "engine/device_read_probe.h"

#include <dirent.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {
namespace {

// io-wq worker threads of this process ("iou-wrk-<tid>").
int IoWorkerThreads() {
  int n = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(absl::StrCat("/proc/self/task/", e->d_name, "/comm"));
    std::string name;
    if (std::getline(comm, name) && absl::StartsWith(name, "iou-wrk")) ++n;
  }
  closedir(dir);
  return n;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

DeviceReadProbe Poll(std::string why) {
  return {false, absl::StrCat("poll, then read(2) (", why, ")")};
}

}  // namespace

DeviceReadProbe ProbeDeviceReads() {
  Fd master(posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (master.get() < 0 || grantpt(master.get()) != 0 || unlockpt(master.get()) != 0) {
    return Poll(absl::StrCat("no pty for the probe: ", std::strerror(errno)));
  }
  char name[128];
  if (ptsname_r(master.get(), name, sizeof(name)) != 0) return Poll("ptsname failed");
  Fd slave(open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (slave.get() < 0) return Poll(absl::StrCat("cannot open ", name));
  termios t{};
  if (tcgetattr(slave.get(), &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(slave.get(), TCSANOW, &t);
  }
  io_uring ring;
  if (io_uring_queue_init(4, &ring, 0) != 0) return Poll("no io_uring for the probe");
  const int workers_before = IoWorkerThreads();
  char byte = 0;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  io_uring_prep_read(sqe, slave.get(), &byte, 1, static_cast<uint64_t>(-1));
  io_uring_submit(&ring);
  DeviceReadProbe result;
  io_uring_cqe* cqe = nullptr;
  __kernel_timespec short_wait{0, 5'000'000};  // 5 ms: the READ must still be pending
  if (io_uring_wait_cqe_timeout(&ring, &cqe, &short_wait) == 0) {
    result = Poll(absl::StrCat("a READ of an empty tty completed at once with ", cqe->res));
    io_uring_cqe_seen(&ring, cqe);
  } else if (write(master.get(), "x", 1) != 1) {
    result = Poll("the probe could not write to its pty");
  } else {
    __kernel_timespec long_wait{1, 0};
    if (io_uring_wait_cqe_timeout(&ring, &cqe, &long_wait) != 0) {
      result = Poll("a READ of a tty did not complete within 1 s");
    } else if (cqe->res != 1 || byte != 'x') {
      result = Poll(absl::StrCat("a READ of a tty returned ", cqe->res));
      io_uring_cqe_seen(&ring, cqe);
    } else {
      io_uring_cqe_seen(&ring, cqe);
      const int workers_after = IoWorkerThreads();
      if (workers_before < 0 || workers_after != workers_before) {
        result = Poll("this kernel reads ttys on an io-wq thread");
      } else {
        result = {true,
                  "io_uring READ (this kernel waits for a tty with an internal poll and reads "
                  "it inline)"};
      }
    }
  }
  io_uring_queue_exit(&ring);  // cancels a READ still pending
  return result;
}

}  // namespace ttyhub
