// CuseTermios: the termios a CUSE listener's application sees, and the
// port settings it asks for (issue 13, section 3).
//
// An application that opens a `cuse:` listener's /dev/NAME talks to it with
// the tty ioctls. TCGETS/TCSETS* carry the kernel's struct termios (36
// bytes), TCGETS2/TCSETS2* its termios2 (44 bytes: the same, then the input
// and output speeds). SerialTermios has termios2's layout, so both are
// copies of its first bytes. Nothing here does I/O; the functions are
// unit-tested (tests/engine/cuse_termios_test.cc).
//
// Only the line's fields (speed, CSIZE, PARENB/PARODD/CMSPAR, CSTOPB,
// CRTSCTS, IXON) mean something to the port. The rest (echo, canonical
// mode, ...) is kept as the application set it and reported back, but has
// no effect: bytes pass raw, with no line discipline.
//
// Used on the listener's port's worker thread.
#ifndef TTYHUB_ENGINE_CUSE_TERMIOS_H_
#define TTYHUB_ENGINE_CUSE_TERMIOS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/serial_settings.h"
#include "engine/serial_termios.h"

namespace ttyhub {

// Sizes of the kernel's struct termios and struct termios2, in bytes.
inline constexpr size_t kKernelTermiosBytes = 36;
inline constexpr size_t kKernelTermios2Bytes = 44;

// The kernel's bytes (36 or 44 of them; anything else is padded with
// zeros) as a SerialTermios. A 36-byte termios has no speed fields: they
// are left 0, and the speed is in the CBAUD code.
SerialTermios TermiosFromKernelBytes(absl::string_view bytes);
// The first `size` bytes (36 or 44) of `t` as the kernel lays them out.
std::string KernelBytesFromTermios(const SerialTermios& t, size_t size);

// What an application's TCSETS asks of the port.
struct TermiosRequest {
  SerialSettings settings;
  // B0: "hang up" (drop DTR and RTS); the speed then stays `current`'s.
  bool hang_up = false;
};
// The request `t` makes, fields the termios cannot express taken from
// `current` (a BOTHER speed in a 36-byte termios). InvalidArgument for a
// speed outside kMinBaudRate..kMaxBaudRate.
absl::StatusOr<TermiosRequest> RequestFromTermios(const SerialTermios& t,
                                                  const SerialSettings& current);

// `app` (what the application last set) with the line's fields replaced by
// `s`, the settings in force: what TCGETS reports. The speed is a Bxxx code
// where one exists, else BOTHER; ispeed and ospeed hold it in bits/s.
SerialTermios TermiosWithSettings(const SerialTermios& app, const SerialSettings& s);

// The termios before any application set one: raw (no echo, no canonical
// mode, no output processing), CREAD and CLOCAL, VMIN 1, VTIME 0, and `s`.
SerialTermios InitialCuseTermios(const SerialSettings& s);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CUSE_TERMIOS_H_
