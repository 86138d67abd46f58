// Kernel implementation of TtyControl. This file alone includes the kernel's
// termios2 definitions (they clash with glibc's <termios.h>).
#include "engine/tty_control.h"

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <linux/serial.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace ttyhub {

static_assert(BOTHER == kBother, "kBother must match the kernel's BOTHER");
static_assert(TIOCM_DTR == kModemDtr && TIOCM_RTS == kModemRts && TIOCM_CTS == kModemCts &&
                  TIOCM_CAR == kModemDcd && TIOCM_RNG == kModemRi && TIOCM_DSR == kModemDsr,
              "modem bits");
static_assert(sizeof(SerialTermios::cc) == sizeof(termios2::c_cc), "NCCS");

absl::Status KernelTtyControl::GetAttr(int fd, SerialTermios* out) {
  termios2 k;
  if (ioctl(fd, TCGETS2, &k) != 0) return absl::ErrnoToStatus(errno, "TCGETS2");
  out->iflag = k.c_iflag;
  out->oflag = k.c_oflag;
  out->cflag = k.c_cflag;
  out->lflag = k.c_lflag;
  out->line = k.c_line;
  std::memcpy(out->cc, k.c_cc, sizeof(out->cc));
  out->ispeed = k.c_ispeed;
  out->ospeed = k.c_ospeed;
  return absl::OkStatus();
}

absl::Status KernelTtyControl::SetAttr(int fd, const SerialTermios& t) {
  termios2 k;
  std::memset(&k, 0, sizeof(k));
  k.c_iflag = t.iflag;
  k.c_oflag = t.oflag;
  k.c_cflag = t.cflag;
  k.c_lflag = t.lflag;
  k.c_line = t.line;
  std::memcpy(k.c_cc, t.cc, sizeof(t.cc));
  k.c_ispeed = t.ispeed;
  k.c_ospeed = t.ospeed;
  if (ioctl(fd, TCSETS2, &k) != 0) return absl::ErrnoToStatus(errno, "TCSETS2");
  return absl::OkStatus();
}

absl::Status KernelTtyControl::SetModemLines(int fd, int bits, bool on) {
  if (ioctl(fd, on ? TIOCMBIS : TIOCMBIC, &bits) != 0) {
    return absl::ErrnoToStatus(errno, on ? "TIOCMBIS" : "TIOCMBIC");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> KernelTtyControl::GetModemLines(int fd) {
  int bits = 0;
  if (ioctl(fd, TIOCMGET, &bits) != 0) return absl::ErrnoToStatus(errno, "TIOCMGET");
  return bits;
}

absl::Status KernelTtyControl::SetBreak(int fd, bool on) {
  if (ioctl(fd, on ? TIOCSBRK : TIOCCBRK) != 0) {
    return absl::ErrnoToStatus(errno, on ? "TIOCSBRK" : "TIOCCBRK");
  }
  return absl::OkStatus();
}

absl::Status KernelTtyControl::Flush(int fd, bool input, bool output) {
  const int which = input && output ? TCIOFLUSH : input ? TCIFLUSH : TCOFLUSH;
  if (!input && !output) return absl::OkStatus();
  if (ioctl(fd, TCFLSH, which) != 0) return absl::ErrnoToStatus(errno, "TCFLSH");
  return absl::OkStatus();
}

absl::StatusOr<UartCounters> KernelTtyControl::GetCounters(int fd) {
  serial_icounter_struct ic;
  std::memset(&ic, 0, sizeof(ic));
  if (ioctl(fd, TIOCGICOUNT, &ic) != 0) return absl::ErrnoToStatus(errno, "TIOCGICOUNT");
  UartCounters c;
  c.rx = static_cast<uint64_t>(ic.rx);
  c.tx = static_cast<uint64_t>(ic.tx);
  c.frame = static_cast<uint64_t>(ic.frame);
  c.parity = static_cast<uint64_t>(ic.parity);
  c.overrun = static_cast<uint64_t>(ic.overrun);
  c.buf_overrun = static_cast<uint64_t>(ic.buf_overrun);
  c.brk = static_cast<uint64_t>(ic.brk);
  return c;
}

}  // namespace ttyhub
