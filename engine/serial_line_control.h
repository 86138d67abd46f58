// SerialLineControl: what a telnet/RFC 2217 session may do to the line.
//
// Implemented by ClientConnection, which forwards to its port's PortLine and
// applies the rule that only rw clients may change the shared device. Kept
// abstract so the protocol logic is tested without a port. Worker thread
// only.
#ifndef TTYHUB_ENGINE_SERIAL_LINE_CONTROL_H_
#define TTYHUB_ENGINE_SERIAL_LINE_CONTROL_H_

#include <cstdint>

#include "config/serial_settings.h"

namespace ttyhub {

class SerialLineControl {
 public:
  // Whether this client may change the device (rw access).
  virtual bool MayChange() const = 0;
  // False once the client is closing: the session then acts on nothing more.
  virtual bool Active() const = 0;
  // A change this client asked for was refused (ro access).
  virtual void CountRefusedChange() = 0;

  // The live settings (speed, framing, flow control).
  virtual SerialSettings LineSettings() const = 0;
  // Applies `wanted` to the shared device; returns what is now in force
  // (the old settings if the device refused).
  virtual SerialSettings ChangeLineSettings(const SerialSettings& wanted) = 0;

  // Break: the state reported is the state in force, nothing else.
  virtual bool BreakState() const = 0;
  virtual void SetBreakState(bool on) = 0;
  virtual void SendBreakPulse() = 0;  // telnet IAC BRK: a break of about 250 ms

  // Output lines: kModemDtr or kModemRts (tty_control.h).
  virtual bool OutputLine(int line) const = 0;
  virtual void SetOutputLine(int line, bool on) = 0;

  // Current RFC 2217 MODEMSTATE (CTS/DSR/RI/DCD bits, no deltas) and
  // LINESTATE, 0 where the device cannot tell.
  virtual uint8_t ModemState() = 0;
  virtual uint8_t LineState() = 0;

  // PURGE-DATA: `rx` drops device data not yet sent to this client; `tx`
  // flushes what the device's driver still holds for transmission (rw
  // clients only; the client's own earlier input has reached it by then).
  virtual void Purge(bool rx, bool tx) = 0;

  // FLOWCONTROL-SUSPEND / RESUME: stop or restart sending port data to this
  // client. A lossless (rw) client still holds the ring meanwhile, for at
  // most stall_timeout.
  virtual void SuspendOutput(bool suspended) = 0;

 protected:
  ~SerialLineControl() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_SERIAL_LINE_CONTROL_H_
