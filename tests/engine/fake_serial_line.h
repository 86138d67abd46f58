// A SerialLineControl for protocol tests: a pretend UART with state.
#ifndef TTYHUB_TESTS_ENGINE_FAKE_SERIAL_LINE_H_
#define TTYHUB_TESTS_ENGINE_FAKE_SERIAL_LINE_H_

#include "engine/serial_line_control.h"
#include "engine/tty_control.h"

namespace ttyhub {

class FakeSerialLine final : public SerialLineControl {
 public:
  bool rw = true;
  int refused = 0;
  SerialSettings settings;
  bool brk = false;
  int breaks_pulsed = 0;
  int outputs = kModemDtr | kModemRts;
  uint8_t modem = 0;
  uint8_t line = 0;
  int purged_rx = 0, purged_tx = 0;
  bool suspended = false;
  bool active = true;
  bool close_on_resume = false;  // RESUME "closes the client" (Active() turns false)

  bool MayChange() const override { return rw; }
  bool Active() const override { return active; }
  void CountRefusedChange() override { ++refused; }
  SerialSettings LineSettings() const override { return settings; }
  SerialSettings ChangeLineSettings(const SerialSettings& wanted) override {
    settings = wanted;
    return settings;
  }
  bool BreakState() const override { return brk; }
  void SetBreakState(bool on) override { brk = on; }
  void SendBreakPulse() override { ++breaks_pulsed; }
  bool OutputLine(int l) const override { return (outputs & l) != 0; }
  void SetOutputLine(int l, bool on) override { outputs = on ? (outputs | l) : (outputs & ~l); }
  uint8_t ModemState() override { return modem; }
  uint8_t LineState() override { return line; }
  void Purge(bool rx, bool tx) override {
    purged_rx += rx;
    purged_tx += tx;
  }
  void SuspendOutput(bool s) override {
    suspended = s;
    if (!s && close_on_resume) active = false;
  }
};

}  // namespace ttyhub

#endif  // TTYHUB_TESTS_ENGINE_FAKE_SERIAL_LINE_H_
