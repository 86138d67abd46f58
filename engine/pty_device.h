// PtyDevice: ttyhub creates a pseudo-terminal pair and publishes the far end.
//
// For `device: pty:/path/link`, ttyhub holds the master (the port reads and
// writes it) and makes /path/link a symlink to the slave (/dev/pts/N). Any
// program (minicom, a legacy application, a device simulator) can open the
// link and play the serial device. ttyhub also keeps the slave open itself,
// so the master never sees a hang-up when that program closes and reopens it.
// The link is replaced atomically at start and removed at shutdown if it
// still points to our slave. Owned by one Port on its worker thread.
#ifndef TTYHUB_ENGINE_PTY_DEVICE_H_
#define TTYHUB_ENGINE_PTY_DEVICE_H_

#include <string>

#include "engine/serial_device.h"
#include "engine/tty_control.h"

namespace ttyhub {

class PtyDevice final : public SerialDevice {
 public:
  PtyDevice(std::string link_path, TtyControl& tty) : link_path_(std::move(link_path)), tty_(tty) {}
  ~PtyDevice() override;

  absl::Status Open(const SerialSettings& settings, bool local) override;
  void Close() override;
  int fd() const override { return master_fd_; }
  absl::Status ApplySettings(const SerialSettings& settings, bool local) override;
  absl::Status SetModemBits(int bits, bool on) override;
  absl::StatusOr<int> GetModemLines() override {
    return absl::UnimplementedError("a pseudo-terminal has no modem lines");
  }
  absl::Status SetBreak(bool on) override;
  absl::Status Flush(bool input, bool output) override;
  absl::Status Probe() override {
    SerialTermios t;
    return master_fd_ < 0 ? absl::FailedPreconditionError("not open")
                          : tty_.GetAttr(master_fd_, &t);
  }
  absl::StatusOr<UartCounters> GetCounters() override {
    return absl::UnimplementedError("a pseudo-terminal has no UART counters");
  }
  void Shutdown() override;

 private:
  std::string link_path_;
  TtyControl& tty_;
  int master_fd_ = -1;
  int slave_fd_ = -1;
  std::string slave_path_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PTY_DEVICE_H_
