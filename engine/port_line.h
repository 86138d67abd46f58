// PortLine: a port's serial line, as its clients may drive it.
//
// Settings (speed, framing, flow control), break, the DTR/RTS outputs, the
// modem and line state RFC 2217 reports. A telnet/RFC 2217 client reaches it through
// ClientHost::line(); DeviceLine implements it over the port's SerialDevice.
// Every state reported is the state in force: a device that refuses a change
// keeps its old state. Worker thread only.
#ifndef TTYHUB_ENGINE_PORT_LINE_H_
#define TTYHUB_ENGINE_PORT_LINE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "config/serial_settings.h"

namespace ttyhub {

class PortLine {
 public:
  // The live settings (what snapshots report and a reopen applies).
  virtual const SerialSettings& settings() const = 0;
  // Applies `wanted` to the device, live. Settings equal to the live ones
  // are not re-applied (and not logged). On error nothing changed.
  virtual absl::Status ChangeSettings(const SerialSettings& wanted) = 0;

  virtual bool break_on() const = 0;
  virtual void SetBreak(bool on) = 0;
  // A break of about 250 ms (telnet IAC BRK). Device writes wait for its end.
  virtual void SendBreakPulse() = 0;

  // Output lines: kModemDtr or kModemRts (modem_lines.h).
  virtual bool OutputLine(int line) const = 0;
  virtual void SetOutputLine(int line, bool on) = 0;

  // RFC 2217 MODEMSTATE (CTS/DSR/RI/DCD bits, no deltas) and the LINESTATE
  // error bits seen at the last sample; 0 where the device cannot tell.
  virtual uint8_t ModemState() = 0;
  virtual uint8_t LineState() const = 0;

 protected:
  ~PortLine() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PORT_LINE_H_
