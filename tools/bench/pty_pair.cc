// See pty_pair.h.
#include "tools/bench/pty_pair.h"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::bench {
namespace {

absl::Status MakeRaw(int fd, absl::string_view what) {
  termios t;
  if (tcgetattr(fd, &t) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("tcgetattr ", what));
  cfmakeraw(&t);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(fd, TCSANOW, &t) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("tcsetattr ", what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PtyPair>> PtyPair::Create() {
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!master.valid()) {
    return absl::ErrnoToStatus(errno, "posix_openpt (is kernel.pty.max reached?)");
  }
  if (grantpt(master.get()) != 0 || unlockpt(master.get()) != 0) {
    return absl::ErrnoToStatus(errno, "grantpt/unlockpt");
  }
  char name[128];
  if (ptsname_r(master.get(), name, sizeof(name)) != 0) {
    return absl::ErrnoToStatus(errno, "ptsname_r");
  }
  UniqueFd slave(open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!slave.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("open ", name));
  if (absl::Status s = MakeRaw(slave.get(), name); !s.ok()) return s;
  if (absl::Status s = MakeRaw(master.get(), "pty master"); !s.ok()) return s;
  return std::unique_ptr<PtyPair>(new PtyPair(std::move(master), std::move(slave), name));
}

}  // namespace ttyhub::bench
