// TtyDevice: a serial line at a filesystem path (/dev/ttyUSB0, /dev/ttyS0, a
// symlink such as /dev/serial/by-id/..., or a pty slave).
//
// Opened O_RDWR|O_NONBLOCK|O_NOCTTY: a blocking tty would put the worker's
// ring thread to sleep. Settings go through the TtyControl seam. Reopening
// follows symlinks again, so a re-pointed link or a re-plugged adapter is
// picked up. Owned by one Port on its worker thread.
#ifndef TTYHUB_ENGINE_TTY_DEVICE_H_
#define TTYHUB_ENGINE_TTY_DEVICE_H_

#include <string>

#include "engine/serial_device.h"
#include "engine/tty_control.h"

namespace ttyhub {

class TtyDevice final : public SerialDevice {
 public:
  TtyDevice(std::string path, TtyControl& tty) : path_(std::move(path)), tty_(tty) {}
  ~TtyDevice() override { Close(); }

  absl::Status Open(const SerialSettings& settings, bool local) override;
  void Close() override;
  int fd() const override { return fd_; }
  absl::Status ApplySettings(const SerialSettings& settings, bool local) override;
  absl::Status SetModemBits(int bits, bool on) override;
  absl::StatusOr<int> GetModemLines() override;
  absl::Status SetBreak(bool on) override;
  absl::Status Flush(bool input, bool output) override;
  absl::Status Probe() override {
    SerialTermios t;
    return fd_ < 0 ? absl::FailedPreconditionError("not open") : tty_.GetAttr(fd_, &t);
  }
  absl::StatusOr<UartCounters> GetCounters() override;

 private:
  std::string path_;
  TtyControl& tty_;
  int fd_ = -1;
};

// Applies `settings` to the tty `fd` through `tty`: read termios, build, write.
// Shared by TtyDevice and PtyDevice.
absl::Status ApplyTtySettings(TtyControl& tty, int fd, const SerialSettings& settings, bool local);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TTY_DEVICE_H_
