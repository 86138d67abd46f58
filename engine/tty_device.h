// TtyDevice: a serial line at a filesystem path (/dev/ttyUSB0, /dev/ttyS0, a
// symlink such as /dev/serial/by-id/..., or a pty slave).
//
// Opened O_RDWR|O_NONBLOCK|O_NOCTTY: a blocking tty would put the worker's
// ring thread to sleep. Settings go through the TtyControl seam. Reopening
// follows symlinks again, so a re-pointed link or a re-plugged adapter is
// picked up. While open it holds the device's UUCP lock (uucp_lock.h) and
// TIOCEXCL, so minicom and ttyhub never share a device by accident; a
// device locked by a live process is refused (the port retries with
// backoff). Owned by one Port on its worker thread.
#ifndef TTYHUB_ENGINE_TTY_DEVICE_H_
#define TTYHUB_ENGINE_TTY_DEVICE_H_

#include <memory>
#include <string>

#include "engine/logger.h"
#include "engine/serial_device.h"
#include "engine/tty_control.h"
#include "engine/uucp_lock.h"

namespace ttyhub {

class TtyDevice final : public SerialDevice {
 public:
  // `lock_dir`: where UUCP lock files go ("" = none); `log` and `label`
  // ("port p1") for what the lock has to say.
  // `write_only` (ser2net's rawlp): opened O_WRONLY and its termios never
  // touched.
  TtyDevice(std::string path, TtyControl& tty, std::string lock_dir = "", Logger* log = nullptr,
            std::string label = "", bool write_only = false)
      : path_(std::move(path)),
        tty_(tty),
        log_(log),
        label_(std::move(label)),
        write_only_(write_only) {
    if (!lock_dir.empty()) lock_ = std::make_unique<UucpLock>(std::move(lock_dir), path_);
  }
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
  Logger* log_;
  std::string label_;
  std::unique_ptr<UucpLock> lock_;  // null: no lock files
  bool lock_warned_ = false;        // "no lock possible" is said once
  const bool write_only_;
  int fd_ = -1;
};

// Applies `settings` to the tty `fd` through `tty`: read termios, build, write.
// Shared by TtyDevice and PtyDevice.
absl::Status ApplyTtySettings(TtyControl& tty, int fd, const SerialSettings& settings, bool local);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TTY_DEVICE_H_
