// A port's serial line: settings, break, modem lines, UART sampling. See
// device_line.h.
#include "engine/device_line.h"

#include <sys/ioctl.h>

#include "absl/strings/str_cat.h"
#include "engine/telnet_protocol.h"

namespace ttyhub {

DeviceLine::DeviceLine(const PortConfig& config, SerialDevice& device, WorkerContext& ctx)
    : port_name_(config.name),
      device_(device),
      ctx_(ctx),
      local_(config.local),
      hangup_when_done_(config.hangup_when_done),
      settings_(config.serial),
      settings_text_(FormatSerialSettings(config.serial)) {}

absl::Status DeviceLine::ChangeSettings(const SerialSettings& wanted) {
  if (!device_.has_line_settings()) {
    return absl::FailedPreconditionError(
        "its device carries bytes only (tcp:// or telnet://): there is no serial line to set; "
        "an rfc2217:// device forwards settings");
  }
  if (wanted == settings_) return absl::OkStatus();
  if (absl::Status s = CheckBaudRate(wanted.baud); !s.ok()) return s;
  if (open_) {
    if (absl::Status s = device_.ApplySettings(wanted, local_); !s.ok()) return s;
  }
  // Also what a reopen applies: while the device is away, it is applied
  // when it returns.
  settings_ = wanted;
  settings_text_ = FormatSerialSettings(wanted);
  line_errors_.Reset();
  if (settings_log_.Admit(ctx_.now)) {
    ctx_.log->Info(absl::StrCat("port ", port_name_, ": serial settings now ", settings_text_,
                                ", flow ", FlowControlName(wanted.flow)));
  }
  return absl::OkStatus();
}

void DeviceLine::AdoptReportedSettings(const SerialSettings& reported) {
  if (reported == settings_) return;
  settings_ = reported;
  settings_text_ = FormatSerialSettings(reported);
  line_errors_.Reset();
  if (settings_log_.Admit(ctx_.now)) {
    ctx_.log->Info(absl::StrCat("port ", port_name_, ": serial settings now ", settings_text_,
                                ", flow ", FlowControlName(reported.flow),
                                ", as the device reported them"));
  }
}

void DeviceLine::SetBreak(bool on) {
  if (!open_) return;
  if (absl::Status s = device_.SetBreak(on); s.ok()) {
    break_on_ = on;
  } else {
    ctx_.log->Debug(absl::StrCat("port ", port_name_, ": cannot ", on ? "start" : "end",
                                 " a break: ", s.message()));
  }
  if (!on) break_pulse_until_ = TimePoint{};
}

void DeviceLine::SendBreakPulse() {
  SetBreak(true);
  if (break_on_) break_pulse_until_ = ctx_.now + std::chrono::milliseconds(250);
}

void DeviceLine::SetOutputLine(int line, bool on) {
  if (!open_) return;
  if (absl::Status s = device_.SetModemBits(line, on); s.ok()) {
    output_lines_ = on ? (output_lines_ | line) : (output_lines_ & ~line);
  } else {
    ctx_.log->Debug(absl::StrCat("port ", port_name_, ": cannot set modem line: ", s.message()));
  }
}

uint8_t DeviceLine::ModemState() {
  if (!modem_lines_available_ || !open_) return 0;
  auto bits = device_.GetModemLines();
  if (!bits.ok()) {
    modem_lines_available_ = false;  // ptys, sims: nothing to report
    return 0;
  }
  uint8_t state = 0;
  if (*bits & kModemCts) state |= telnet::comport::kStateCts;
  if (*bits & kModemDsr) state |= telnet::comport::kStateDsr;
  if (*bits & kModemRi) state |= telnet::comport::kStateRi;
  if (*bits & kModemDcd) state |= telnet::comport::kStateDcd;
  return state;
}

std::optional<uint8_t> DeviceLine::PollModemState() {
  if (!modem_lines_available_ || !open_) return std::nullopt;
  const uint8_t state = ModemState();
  if (state == last_modem_state_) return std::nullopt;
  last_modem_state_ = state;
  return state;
}

uint64_t DeviceLine::FlushDeviceOutput() {
  if (!open_) return 0;
  int queued = 0;
  if (ioctl(device_.fd(), TIOCOUTQ, &queued) != 0 || queued < 0) queued = 0;
  (void)device_.Flush(/*input=*/false, /*output=*/true);
  return static_cast<uint64_t>(queued);
}

void DeviceLine::OnDeviceOpened(size_t clients) {
  open_ = true;
  line_errors_.Reset();
  uart_counters_available_ = true;
  last_uart_.reset();
  modem_lines_available_ = true;
  break_on_ = false;
  break_pulse_until_ = TimePoint{};
  output_lines_ = kModemDtr | kModemRts;
  OnClientCountChanged(clients);
}

void DeviceLine::OnClientCountChanged(size_t clients) {
  if (!hangup_when_done_ || !open_) return;
  if (absl::Status s = device_.SetModemLines(clients > 0); !s.ok()) {
    ctx_.log->Debug(absl::StrCat("port ", port_name_, ": cannot ", clients > 0 ? "raise" : "drop",
                                 " DTR/RTS: ", s.message()));
  }
}

DeviceLine::TickEvents DeviceLine::OnTick(TimePoint now) {
  TickEvents events;
  if (break_pulse_until_ != TimePoint{} && now >= break_pulse_until_) {
    SetBreak(false);
    break_pulse_until_ = TimePoint{};  // even if the device refused to end it
    events.pulse_ended = true;
  }
  if (const auto held = settings_log_.TakeSuppressed(now)) {
    ctx_.log->Info(absl::StrCat("port ", port_name_, ": ", *held,
                                " more serial setting changes not logged; now ", settings_text_,
                                ", flow ", FlowControlName(settings_.flow)));
  }
  if (now >= next_line_sample_) {
    next_line_sample_ = now + std::chrono::seconds(1);
    line_state_ = 0;
    SampleLineErrors();
    events.line_state = line_state_;
  }
  return events;
}

void DeviceLine::SampleLineErrors() {
  if (!uart_counters_available_ || !open_) return;
  auto counters = device_.GetCounters();
  if (!counters.ok()) {
    uart_counters_available_ = false;  // ptys, sims, adapters without TIOCGICOUNT
    return;
  }
  if (auto warning = line_errors_.Sample(ctx_.now, *counters, port_name_, settings_text_)) {
    ctx_.log->Warn(*warning);
  }
  // RFC 2217 LINESTATE: which errors occurred since the last sample.
  uint8_t state = 0;
  if (last_uart_) {
    using namespace telnet::comport;  // NOLINT
    if (counters->overrun > last_uart_->overrun ||
        counters->buf_overrun > last_uart_->buf_overrun) {
      state |= kLineOverrun;
    }
    if (counters->parity > last_uart_->parity) state |= kLineParity;
    if (counters->frame > last_uart_->frame) state |= kLineFraming;
    if (counters->brk > last_uart_->brk) state |= kLineBreak;
  }
  last_uart_ = *counters;
  line_state_ = state;
}

std::optional<UartCounters> DeviceLine::Counters() {
  if (!open_ || !uart_counters_available_) return std::nullopt;
  auto c = device_.GetCounters();
  if (!c.ok()) return std::nullopt;
  return *c;
}

}  // namespace ttyhub
