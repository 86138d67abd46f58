// Opening and configuring a tty path. See tty_device.h.
#include "engine/tty_device.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "engine/serial_termios.h"

namespace ttyhub {

absl::Status ApplyTtySettings(TtyControl& tty, int fd, const SerialSettings& settings, bool local) {
  SerialTermios current;
  if (absl::Status s = tty.GetAttr(fd, &current); !s.ok()) return s;
  return tty.SetAttr(fd, BuildTermios(current, settings, local));
}

absl::Status TtyDevice::Open(const SerialSettings& settings, bool local) {
  Close();
  if (lock_) {
    pid_t stale = 0;
    const absl::Status locked = lock_->Acquire(&stale);
    if (absl::IsUnavailable(locked)) return locked;  // another program has it
    if (!locked.ok() && !lock_warned_ && log_ != nullptr) {
      lock_warned_ = true;
      log_->Warn(absl::StrCat(label_, ": no UUCP lock for ", path_, ": ", locked.message(),
                              "; going on with TIOCEXCL only (minicom and cu will not see "
                              "that ttyhub uses the device)"));
    }
    if (stale != 0 && log_ != nullptr) {
      log_->Info(absl::StrCat(label_, ": took over the stale lock ", lock_->LockPath(),
                              stale > 0 ? absl::StrCat(" of PID ", stale, ", which is gone")
                                        : std::string(" (no PID in it)")));
    }
  }
  const int fd =
      open(path_.c_str(), (write_only_ ? O_WRONLY : O_RDWR) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (lock_) lock_->Release();
    return absl::ErrnoToStatus(
        err,
        absl::StrCat("open ", path_,
                     err == EBUSY ? " (another program holds it open exclusively, TIOCEXCL)" : ""));
  }
  if (!isatty(fd)) {
    close(fd);
    if (lock_) lock_->Release();
    return absl::FailedPreconditionError(absl::StrCat(path_, " is not a terminal device"));
  }
  if (absl::Status s = write_only_ ? absl::OkStatus() : ApplyTtySettings(tty_, fd, settings, local);
      !s.ok()) {
    close(fd);
    if (lock_) lock_->Release();
    return absl::Status(s.code(), absl::StrCat("configure ", path_, ": ", s.message()));
  }
  // Exclusive: further opens fail with EBUSY (except with CAP_SYS_ADMIN).
  // Not every driver allows it; the UUCP lock still stands then.
  (void)ioctl(fd, TIOCEXCL);
  fd_ = fd;
  return absl::OkStatus();
}

void TtyDevice::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (lock_) lock_->Release();
}

absl::Status TtyDevice::ApplySettings(const SerialSettings& settings, bool local) {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  if (write_only_) {
    return absl::FailedPreconditionError(
        "the device is write_only (rawlp): ttyhub never changes its termios");
  }
  return ApplyTtySettings(tty_, fd_, settings, local);
}

absl::Status TtyDevice::SetModemBits(int bits, bool on) {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  return tty_.SetModemLines(fd_, bits, on);
}

absl::StatusOr<int> TtyDevice::GetModemLines() {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  return tty_.GetModemLines(fd_);
}

absl::Status TtyDevice::SetBreak(bool on) {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  return tty_.SetBreak(fd_, on);
}

absl::Status TtyDevice::Flush(bool input, bool output) {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  return tty_.Flush(fd_, input, output);
}

absl::StatusOr<UartCounters> TtyDevice::GetCounters() {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
  return tty_.GetCounters(fd_);
}

}  // namespace ttyhub
