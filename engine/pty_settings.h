// PtySettings: what a program's termios on a pty listener asks of the port.
//
// A pty listener (config `listen: [{pty: /dev/ttyV0}]`) serves the program
// that opens the pty as a client of the port. ttyhub holds the master in
// packet mode (TIOCPKT) and sets EXTPROC on the slave, so each tcsetattr()
// the program makes is reported to the master as a TIOCPKT_IOCTL status
// byte. ttyhub then reads the termios back and asks the port's line for the
// change, through the same path RFC 2217 clients and `ttyhubctl set` use, so
// it reaches a local UART or, for an rfc2217:// device, the remote port.
//
// A pty carries the speed, the stop bits and the flow control flags. It
// cannot carry data bits or parity: Linux forces CS8 and clears PARENB on
// every pty termios change (drivers/tty/pty.c, pty_set_termios; checked on
// 6.18). So only the fields the pty carries, and of those only the ones that
// changed since ttyhub last looked, are taken from the program: a program
// that sets 19200 baud does not also reset the port's 7E1 framing to 8N1.
//
// The pure functions are unit-tested (tests/engine/pty_settings_test.cc);
// PtySettingsWatch does the two ioctls through the TtyControl seam. Used by
// the pty listener's ClientConnection, on its port's worker thread.
#ifndef TTYHUB_ENGINE_PTY_SETTINGS_H_
#define TTYHUB_ENGINE_PTY_SETTINGS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "config/serial_settings.h"
#include "engine/serial_termios.h"
#include "engine/tty_control.h"

namespace ttyhub {

// The part of a pty's termios that can mean something to a serial port.
struct PtyLineView {
  uint32_t baud = 0;                      // bits per second
  uint8_t stop_bits = 1;                  // 1 or 2 (CSTOPB)
  FlowControl flow = FlowControl::kNone;  // CRTSCTS, else IXON, else none

  bool operator==(const PtyLineView&) const = default;
};

PtyLineView PtyLineViewOf(const SerialTermios& t);

// The settings a program's termios change asks the port for: `base` (the
// settings in force, or already asked for) with each field of `now` that
// differs from `before` taken from `now`. Data bits and parity always stay
// `base`'s, and so does the speed when `now` has B0 (hang up).
SerialSettings PtyChangeRequest(const SerialSettings& base, const PtyLineView& before,
                                const PtyLineView& now);

// The slave's termios when the pty is created: raw (cfmakeraw), the port's
// speed, stop bits and flow control, CLOCAL, and EXTPROC, which makes the
// kernel report each later termios change to the master in packet mode.
SerialTermios InitialPtyTermios(const SerialTermios& current, const SerialSettings& line);

// Watches one pty's termios for changes (one per pty listener client).
class PtySettingsWatch {
 public:
  explicit PtySettingsWatch(TtyControl& tty) : tty_(tty) {}

  // Sets the pty's initial termios for `line` (through the master, whose
  // termios ioctls act on the slave) and remembers what it shows.
  absl::Status Start(int master_fd, const SerialSettings& line);
  // Reads the termios after a TIOCPKT_IOCTL report. Returns the settings to
  // ask of the port (from `base`) if a field the pty carries changed since
  // the last look, else nullopt. A program that cleared EXTPROC gets it
  // back, so later changes are still reported.
  std::optional<SerialSettings> Check(int master_fd, const SerialSettings& base);

 private:
  TtyControl& tty_;
  PtyLineView seen_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PTY_SETTINGS_H_
