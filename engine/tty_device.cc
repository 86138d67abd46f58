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
  const int fd = open(path_.c_str(), O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path_));
  if (!isatty(fd)) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(path_, " is not a terminal device"));
  }
  if (absl::Status s = ApplyTtySettings(tty_, fd, settings, local); !s.ok()) {
    close(fd);
    return absl::Status(s.code(), absl::StrCat("configure ", path_, ": ", s.message()));
  }
  fd_ = fd;
  return absl::OkStatus();
}

void TtyDevice::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::Status TtyDevice::ApplySettings(const SerialSettings& settings, bool local) {
  if (fd_ < 0) return absl::FailedPreconditionError("device is not open");
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
