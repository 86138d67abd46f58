// SerialTermios: the kernel's termios2 as a plain struct, and the pure
// function that turns SerialSettings into it.
//
// termios2 (TCGETS2/TCSETS2) carries arbitrary baud rates through BOTHER. The
// kernel header that declares it clashes with glibc's <termios.h>, so this
// mirror uses glibc's flag constants (identical values on Linux) and only
// tty_control.cc, which does the ioctls, sees the kernel struct.
//
// BuildTermios is where parity, data bits, stop bits, flow control and CLOCAL
// become bits. Pseudo-terminals silently drop most of them, so the unit tests
// check this function directly and the engine applies its result through the
// TtyControl seam (tty_control.h).
#ifndef TTYHUB_ENGINE_SERIAL_TERMIOS_H_
#define TTYHUB_ENGINE_SERIAL_TERMIOS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "config/serial_settings.h"

namespace ttyhub {

struct SerialTermios {
  uint32_t iflag = 0;
  uint32_t oflag = 0;
  uint32_t cflag = 0;
  uint32_t lflag = 0;
  uint8_t line = 0;
  uint8_t cc[19] = {};
  uint32_t ispeed = 0;  // bits per second, meaningful with BOTHER
  uint32_t ospeed = 0;
};

// Linux's BOTHER ("baud rate in c_ospeed"); glibc's <termios.h> lacks it.
inline constexpr uint32_t kBother = 0010000;

// Returns `current` turned into a raw 8-bit-clean line (no echo, no signals,
// no CR/LF translation, VMIN=1 VTIME=0) with the speed, framing and flow
// control of `s`. `local` sets CLOCAL (ignore DCD). Fields the settings do not
// cover, such as the line discipline, are kept from `current`.
SerialTermios BuildTermios(const SerialTermios& current, const SerialSettings& s, bool local);

// Reads settings back out of termios (speed from ospeed or the Bxxx code).
// Flow control is rtscts if CRTSCTS, xonxoff if IXON, else none.
SerialSettings SettingsFromTermios(const SerialTermios& t);

// The Bxxx code for a standard rate, or 0 if `baud` needs BOTHER.
uint32_t StandardBaudCode(uint32_t baud);

// The c_cflag bits for `s`'s frame: CSIZE (data bits), PARENB, PARODD and
// CMSPAR (parity), CSTOPB (stop bits). Flow control and speed are not in it.
uint32_t FrameCflag(const SerialSettings& s);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_SERIAL_TERMIOS_H_
