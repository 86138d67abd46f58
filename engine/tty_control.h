// TtyControl: the seam between the engine and the tty ioctls.
//
// Everything the engine asks of a serial line beyond read/write goes through
// this interface: termios2 get/set, modem control lines, break, and the UART
// error counters. KernelTtyControl does the real ioctls. Tests substitute a
// recording fake to check what a real UART would have been told, since
// pseudo-terminals ignore parity, data bits and modem lines.
//
// Implementations must be safe to call from any worker thread (the kernel one
// is stateless). main() owns the instance; workers hold a reference.
#ifndef TTYHUB_ENGINE_TTY_CONTROL_H_
#define TTYHUB_ENGINE_TTY_CONTROL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/modem_lines.h"
#include "engine/serial_termios.h"
#include "engine/uart_counters.h"

namespace ttyhub {

class TtyControl {
 public:
  virtual ~TtyControl() = default;

  virtual absl::Status GetAttr(int fd, SerialTermios* out) = 0;
  // Applies immediately (TCSETS2, like TCSANOW).
  virtual absl::Status SetAttr(int fd, const SerialTermios& t) = 0;
  // Raises (`on`) or drops the given modem control bits (kModemDtr | kModemRts).
  virtual absl::Status SetModemLines(int fd, int bits, bool on) = 0;
  // The driver's error counters (TIOCGICOUNT). Ptys and many USB adapters
  // do not have them: that is an error, never zeros.
  virtual absl::StatusOr<UartCounters> GetCounters(int fd) = 0;
  // All modem lines (TIOCMGET), as kModem* bits.
  virtual absl::StatusOr<int> GetModemLines(int fd) = 0;
  // Starts (`on`) or ends a break condition (TIOCSBRK / TIOCCBRK).
  virtual absl::Status SetBreak(int fd, bool on) = 0;
  // Discards data the driver holds: received and not yet read (`input`),
  // written and not yet transmitted (`output`). TCFLSH.
  virtual absl::Status Flush(int fd, bool input, bool output) = 0;
};

class KernelTtyControl final : public TtyControl {
 public:
  absl::Status GetAttr(int fd, SerialTermios* out) override;
  absl::Status SetAttr(int fd, const SerialTermios& t) override;
  absl::Status SetModemLines(int fd, int bits, bool on) override;
  absl::StatusOr<UartCounters> GetCounters(int fd) override;
  absl::StatusOr<int> GetModemLines(int fd) override;
  absl::Status SetBreak(int fd, bool on) override;
  absl::Status Flush(int fd, bool input, bool output) override;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TTY_CONTROL_H_
