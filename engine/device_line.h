// DeviceLine: the serial line of one port's device, apart from its data.
//
// Owns the live settings, the break (and the 250 ms telnet break pulse),
// the DTR/RTS outputs, modem-state polling for RFC 2217 clients, and the
// once-a-second UART error sampling that feeds the parity/framing warning
// and RFC 2217 LINESTATE. Port owns the data path and tells this type when
// the device opens and closes; clients drive it through PortLine.
//
// Setting changes are logged within a budget (a client can send thousands
// of SET-BAUDRATE commands in one packet), and a change to the settings
// already in force is neither re-applied nor logged.
//
// Owned by one Port; every call happens on that port's worker thread.
#ifndef TTYHUB_ENGINE_DEVICE_LINE_H_
#define TTYHUB_ENGINE_DEVICE_LINE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "engine/line_error_monitor.h"
#include "engine/logger.h"
#include "engine/port_line.h"
#include "engine/serial_device.h"
#include "engine/uart_counters.h"
#include "engine/worker_context.h"

namespace ttyhub {

class DeviceLine final : public PortLine {
 public:
  // `device` outlives this object; `config` gives the name, the initial
  // settings, `local` and `hangup_when_done`.
  DeviceLine(const PortConfig& config, SerialDevice& device, WorkerContext& ctx);

  // PortLine.
  const SerialSettings& settings() const override { return settings_; }
  absl::Status ChangeSettings(const SerialSettings& wanted) override;
  bool break_on() const override { return break_on_; }
  void SetBreak(bool on) override;
  void SendBreakPulse() override;
  bool OutputLine(int line) const override { return (output_lines_ & line) != 0; }
  void SetOutputLine(int line, bool on) override;
  uint8_t ModemState() override;
  uint8_t LineState() const override { return line_state_; }
  // Discards what the driver holds for transmission (TCOFLUSH). Returns the
  // bytes discarded, as the driver counted them just before (TIOCOUTQ).
  uint64_t FlushDeviceOutput();

  // The device reports the settings in force (an RFC 2217 server's answers
  // to what was applied): they become settings(), logged if they changed.
  void AdoptReportedSettings(const SerialSettings& reported);

  // "9600N81", for banners and logs; follows ChangeSettings.
  const std::string& settings_text() const { return settings_text_; }
  // A telnet break pulse is running: device writes wait until it ends.
  bool pulse_active() const { return break_pulse_until_ != TimePoint{}; }

  // The device just opened (with settings()): outputs as the driver asserts
  // them at open, fresh error baselines; DTR/RTS follow `clients` if
  // hangup_when_done.
  void OnDeviceOpened(size_t clients);
  void OnDeviceClosed() { open_ = false; }
  // hangup_when_done: raise DTR/RTS when the first client arrives, drop
  // them when the last one leaves.
  void OnClientCountChanged(size_t clients);

  struct TickEvents {
    bool pulse_ended = false;  // the break pulse ended: resume device writes
    uint8_t line_state = 0;    // LINESTATE bits to notify RFC 2217 clients of
  };
  TickEvents OnTick(TimePoint now);
  // The modem state if it changed since the last call (for RFC 2217
  // notifications); nullopt if unchanged or the device has no modem lines.
  std::optional<uint8_t> PollModemState();
  // The UART's counters, for snapshots; nullopt if the device has none.
  std::optional<UartCounters> Counters();

 private:
  void SampleLineErrors();

  // A copy, for log lines: a reload may give the port a new configuration
  // (Port::AdoptConfig) and free the one this line was made from.
  const std::string port_name_;
  SerialDevice& device_;
  WorkerContext& ctx_;
  const bool local_;
  const bool hangup_when_done_;
  bool open_ = false;

  SerialSettings settings_;
  std::string settings_text_;
  // At most 10 setting-change lines per 10 s, then one summary line.
  LogBudget settings_log_{std::chrono::seconds(10), 10};

  bool break_on_ = false;
  TimePoint break_pulse_until_{};             // {} when no pulse is running
  int output_lines_ = kModemDtr | kModemRts;  // asserted at open, as the driver does
  bool modem_lines_available_ = true;         // until the device says otherwise
  uint8_t last_modem_state_ = 0;

  LineErrorMonitor line_errors_;
  bool uart_counters_available_ = true;    // until the device says otherwise
  std::optional<UartCounters> last_uart_;  // for LINESTATE deltas
  uint8_t line_state_ = 0;                 // LINESTATE bits seen at the last sample
  TimePoint next_line_sample_{};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_DEVICE_LINE_H_
