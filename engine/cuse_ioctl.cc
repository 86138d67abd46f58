// Tty ioctls for CUSE listeners. See cuse_ioctl.h.
#include "engine/cuse_ioctl.h"

#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/cuse_termios.h"

namespace ttyhub {
namespace {

static_assert(kTcgets2 == _IOR('T', 0x2A, char[kKernelTermios2Bytes]));
static_assert(kTcsets2 == _IOW('T', 0x2B, char[kKernelTermios2Bytes]));
static_assert(kTcsetsw2 == _IOW('T', 0x2C, char[kKernelTermios2Bytes]));
static_assert(kTcsetsf2 == _IOW('T', 0x2D, char[kKernelTermios2Bytes]));

int ErrnoOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kPermissionDenied:
      return EPERM;
    case absl::StatusCode::kInvalidArgument:
      return EINVAL;
    default:
      return EIO;
  }
}

std::string IntBytes(int v) { return std::string(reinterpret_cast<const char*>(&v), sizeof(v)); }

int IntFrom(absl::string_view in) {
  int v = 0;
  std::memcpy(&v, in.data(), std::min(in.size(), sizeof(v)));
  return v;
}

CuseIoctlReply Error(int error) {
  CuseIoctlReply r;
  r.error = error;
  return r;
}

// Success once the port has acted on everything sent so far.
CuseIoctlReply AfterSync(CuseTerminal& terminal) {
  if (!terminal.connected()) return Error(EIO);
  CuseIoctlReply r;
  r.wait = terminal.Sync();
  return r;
}

}  // namespace

std::optional<CuseIoctlBuffers> CuseIoctlBuffersFor(unsigned cmd) {
  switch (cmd) {
    case TCGETS:
      return CuseIoctlBuffers{0, kKernelTermiosBytes};
    case kTcgets2:
      return CuseIoctlBuffers{0, kKernelTermios2Bytes};
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      return CuseIoctlBuffers{kKernelTermiosBytes, 0};
    case kTcsets2:
    case kTcsetsw2:
    case kTcsetsf2:
      return CuseIoctlBuffers{kKernelTermios2Bytes, 0};
    case TIOCMGET:
    case TIOCINQ:
    case TIOCOUTQ:
      return CuseIoctlBuffers{0, sizeof(int)};
    case TIOCMSET:
    case TIOCMBIS:
    case TIOCMBIC:
      return CuseIoctlBuffers{sizeof(int), 0};
    case TIOCGWINSZ:
      return CuseIoctlBuffers{0, sizeof(winsize)};
    case TIOCSWINSZ:
      return CuseIoctlBuffers{sizeof(winsize), 0};
    case TCSBRK:
    case TCSBRKP:
    case TIOCSBRK:
    case TIOCCBRK:
    case TCFLSH:
    case TCXONC:
    case TIOCEXCL:
    case TIOCNXCL:
      return CuseIoctlBuffers{};
    default:
      return std::nullopt;
  }
}

CuseIoctlReply HandleCuseIoctl(CuseTerminal& terminal, unsigned cmd, uint64_t arg,
                               absl::string_view in) {
  const std::optional<CuseIoctlBuffers> buffers = CuseIoctlBuffersFor(cmd);
  if (!buffers) return Error(ENOTTY);
  if (in.size() < buffers->in) return Error(EFAULT);
  CuseIoctlReply r;
  switch (cmd) {
    case TCGETS:
    case kTcgets2:
      if (!terminal.settings_known() && terminal.connected()) {
        r.wait = terminal.settings_ticket();
        r.again = true;
        return r;
      }
      r.out = KernelBytesFromTermios(terminal.Termios(), buffers->out);
      return r;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case kTcsets2:
    case kTcsetsw2:
    case kTcsetsf2: {
      if (absl::Status s = terminal.SetTermios(TermiosFromKernelBytes(in)); !s.ok()) {
        return Error(ErrnoOf(s));
      }
      if (cmd == TCSETS || cmd == kTcsets2) return r;
      if (cmd == TCSETSF || cmd == kTcsetsf2) terminal.FlushInput();
      return AfterSync(terminal);
    }
    case TIOCMGET:
      r.out = IntBytes(terminal.ModemBits());
      return r;
    case TIOCMSET:
      return Error(ErrnoOf(terminal.SetModemBits(IntFrom(in))));
    case TIOCMBIS:
    case TIOCMBIC:
      return Error(ErrnoOf(terminal.ChangeModemBits(IntFrom(in), cmd == TIOCMBIS)));
    case TCSBRK:
    case TCSBRKP:
      // TCSBRK 0 and TCSBRKP 0 send a break; TCSBRK 1 is tcdrain. TCSBRKP's
      // length (tenths of a second) is not honoured: the port's break pulse
      // lasts about 250 ms.
      if (cmd == TCSBRKP || arg == 0) {
        if (absl::Status s = terminal.BreakPulse(); !s.ok()) return Error(ErrnoOf(s));
      }
      return AfterSync(terminal);
    case TIOCSBRK:
    case TIOCCBRK:
      return Error(ErrnoOf(terminal.SetBreak(cmd == TIOCSBRK)));
    case TCFLSH:
      if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH) return Error(EINVAL);
      if (arg != TCOFLUSH) terminal.FlushInput();
      if (arg != TCIFLUSH) terminal.FlushOutput();
      return r;
    case TIOCINQ:
      r.out = IntBytes(static_cast<int>(terminal.rx_size()));
      return r;
    case TIOCOUTQ:
      r.out = IntBytes(static_cast<int>(terminal.out_queue()));
      return r;
    case TIOCGWINSZ:
      r.out = terminal.winsize;
      return r;
    case TIOCSWINSZ:
      terminal.winsize = std::string(in.substr(0, sizeof(winsize)));
      return r;
    case TCXONC:
      if (arg > TCION) return Error(EINVAL);
      return r;  // no effect: the port's flow control is its own
    default:     // TIOCEXCL, TIOCNXCL: accepted, not enforced
      return r;
  }
}

}  // namespace ttyhub
