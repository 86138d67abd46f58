// Modem control line bits (TIOCM_* values).
//
// Light constants shared by the tty seam, the port's line control and the
// RFC 2217 handler (whose wire encodings are in telnet_protocol.h). Any thread.
#ifndef TTYHUB_ENGINE_MODEM_LINES_H_
#define TTYHUB_ENGINE_MODEM_LINES_H_

namespace ttyhub {

// Modem line bits, as TIOCM_*: outputs DTR, RTS; inputs CTS, DCD, RI, DSR.
inline constexpr int kModemDtr = 0x002;
inline constexpr int kModemRts = 0x004;
inline constexpr int kModemCts = 0x020;
inline constexpr int kModemDcd = 0x040;
inline constexpr int kModemRi = 0x080;
inline constexpr int kModemDsr = 0x100;

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_MODEM_LINES_H_
