// Raw terminal mode and the session's exit signals. See terminal_mode.h.
#include "tools/ctl/terminal_mode.h"

#include <errno.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"

namespace ttyhub::ctl {

absl::StatusOr<TerminalMode> TerminalMode::MakeRaw(int fd) {
  termios saved{};
  if (!isatty(fd)) return TerminalMode(fd, saved, false);
  if (tcgetattr(fd, &saved) != 0) {
    return absl::ErrnoToStatus(errno, "cannot read the terminal's settings");
  }
  termios raw = saved;
  // cfmakeraw: no input processing (ICRNL, IXON, BRKINT, ...), no output
  // processing (OPOST), no echo, no canonical mode, no signal keys (ISIG):
  // Ctrl-C, Ctrl-Z and Ctrl-\ go to the device as bytes.
  cfmakeraw(&raw);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  int rc;
  do {
    rc = tcsetattr(fd, TCSADRAIN, &raw);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    tcsetattr(fd, TCSANOW, &saved);  // tcsetattr may have applied part of it
    return absl::ErrnoToStatus(err, "cannot put the terminal in raw mode");
  }
  return TerminalMode(fd, saved, true);
}

TerminalMode::TerminalMode(TerminalMode&& other) noexcept
    : fd_(other.fd_), saved_(other.saved_), raw_(other.raw_) {
  other.raw_ = false;
}

void TerminalMode::Restore() {
  if (!raw_) return;
  raw_ = false;
  int rc;
  do {
    rc = tcsetattr(fd_, TCSADRAIN, &saved_);
  } while (rc != 0 && errno == EINTR);
}

absl::StatusOr<ExitSignals> ExitSignals::Block() {
  sigset_t ending;
  sigemptyset(&ending);
  for (int s : {SIGTERM, SIGHUP, SIGINT, SIGQUIT}) sigaddset(&ending, s);
  sigset_t blocked = ending;
  sigaddset(&blocked, SIGPIPE);
  sigset_t old_mask;
  if (sigprocmask(SIG_BLOCK, &blocked, &old_mask) != 0) {
    return absl::ErrnoToStatus(errno, "sigprocmask");
  }
  const int fd = signalfd(-1, &ending, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return absl::ErrnoToStatus(err, "signalfd");
  }
  return ExitSignals(fd, old_mask);
}

ExitSignals::ExitSignals(ExitSignals&& other) noexcept
    : fd_(other.fd_), old_mask_(other.old_mask_) {
  other.fd_ = -1;
}

ExitSignals::~ExitSignals() {
  if (fd_ < 0) return;
  close(fd_);
  // A SIGPIPE raised by a write to a closed output was answered by that
  // write's EPIPE: drop it rather than die of it once unblocked.
  sigset_t pending;
  if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    const timespec now{0, 0};
    sigtimedwait(&pipe_only, nullptr, &now);
  }
  sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

int ExitSignals::Take() {
  signalfd_siginfo info{};
  const ssize_t n = read(fd_, &info, sizeof(info));
  if (n != static_cast<ssize_t>(sizeof(info))) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace ttyhub::ctl
