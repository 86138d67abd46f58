// See interrupt_flag.h.
#include "tools/bench/interrupt_flag.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"

namespace ttyhub::bench {

absl::StatusOr<std::unique_ptr<InterruptFlag>> InterruptFlag::Create() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return absl::ErrnoToStatus(errno, "sigprocmask");
  UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "signalfd");
  return std::unique_ptr<InterruptFlag>(new InterruptFlag(std::move(fd)));
}

bool InterruptFlag::Poll() {
  signalfd_siginfo info;
  while (read(fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    raised_ = true;
  }
  return raised_;
}

}  // namespace ttyhub::bench
