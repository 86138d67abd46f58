// CuseIoctl: the tty ioctls a `cuse:` listener's device answers, as pure
// functions over its CuseTerminal (issue 13, section 3).
//
// CUSE hands ttyhub an ioctl's number and its argument. Tty ioctl numbers
// do not encode their argument's size, so the listener asks for
// "unrestricted" ioctls: it tells the kernel which bytes to copy in from,
// and out to, the application's argument (CuseIoctlBuffers), and is called
// again with them. Ioctls whose argument is a value (TCSBRK, TCFLSH, ...)
// are answered on the first call.
//
// Implemented: TCGETS, TCSETS, TCSETSW, TCSETSF and their termios2 forms
// (TCGETS2...), TIOCMGET, TIOCMSET, TIOCMBIS, TIOCMBIC, TCSBRK, TCSBRKP,
// TIOCSBRK, TIOCCBRK, TCFLSH, TIOCINQ (FIONREAD), TIOCOUTQ, TIOCGWINSZ,
// TIOCSWINSZ; TIOCEXCL, TIOCNXCL and TCXONC are accepted with no effect.
// Anything else is ENOTTY. TCSETSW/TCSETSF and TCSBRK (a break, or
// tcdrain) answer once the port has acted on everything before them.
//
// Pure; unit-tested (tests/engine/cuse_ioctl_test.cc). Used on the
// listener's port's worker thread.
#ifndef TTYHUB_ENGINE_CUSE_IOCTL_H_
#define TTYHUB_ENGINE_CUSE_IOCTL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/cuse_terminal.h"

namespace ttyhub {

// The termios2 ioctls (the kernel's header for them clashes with glibc's).
inline constexpr unsigned kTcgets2 = 0x802C542A;
inline constexpr unsigned kTcsets2 = 0x402C542B;
inline constexpr unsigned kTcsetsw2 = 0x402C542C;
inline constexpr unsigned kTcsetsf2 = 0x402C542D;

// Bytes the kernel must copy from (`in`) and to (`out`) the application's
// argument before `cmd` can be answered; both 0 when the argument is a
// value. nullopt: not a supported ioctl.
struct CuseIoctlBuffers {
  size_t in = 0;
  size_t out = 0;
};
std::optional<CuseIoctlBuffers> CuseIoctlBuffersFor(unsigned cmd);

struct CuseIoctlReply {
  int error = 0;    // errno to answer with; 0: success
  std::string out;  // bytes for the application's argument
  // Nonzero: answer only once terminal.Reached(wait) (or fail it with EIO
  // if the connection to the port is lost or the wait times out).
  uint64_t wait = 0;
  // With `wait`: handle the ioctl again then, and answer with that (a
  // TCGETS before the port has said which settings hold).
  bool again = false;
};

// Handles `cmd`. `arg` is the argument as a value; `in` the bytes copied
// in (CuseIoctlBuffersFor(cmd)->in of them).
CuseIoctlReply HandleCuseIoctl(CuseTerminal& terminal, unsigned cmd, uint64_t arg,
                               absl::string_view in);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CUSE_IOCTL_H_
