// The terminal behind a CUSE listener. See cuse_terminal.h.
#include "engine/cuse_terminal.h"

#include <algorithm>
#include <cstring>

#include "engine/cuse_termios.h"
#include "engine/modem_lines.h"
#include "engine/rfc2217_client.h"
#include "engine/telnet_protocol.h"

namespace ttyhub {

using namespace telnet::comport;  // NOLINT: the MODEMSTATE bits read best unqualified

namespace {

absl::Status ReadOnly() {
  return absl::PermissionDeniedError("the listener is read-only (access: ro)");
}

}  // namespace

CuseTerminal::CuseTerminal(bool may_change, const SerialSettings& initial, Limits limits)
    : may_change_(may_change),
      limits_(limits),
      app_termios_(InitialCuseTermios(initial)),
      settings_(initial),
      output_lines_(kModemDtr | kModemRts) {}

void CuseTerminal::Connect() {
  session_ = std::make_unique<TelnetClientSession>(/*rfc2217=*/true);
  to_port_.clear();
  expected_ = 0;
  session_->Start();
  to_port_.append(session_->output());
  session_->output().clear();
  Refresh();
}

void CuseTerminal::Refresh() {
  if (!session_) return;
  session_->comport().RequestCurrentSettings(&to_port_);
  Sent(5);
  settings_ticket_ = expected_;
  settings_known_ = false;
  Rfc2217Client::RequestModemState(&to_port_);  // answered as a notification: not counted
}

void CuseTerminal::Disconnect() {
  session_.reset();
  to_port_.clear();
}

void CuseTerminal::FromPort(uint8_t* buf, size_t n) {
  if (!session_) return;
  const size_t data = session_->Decode(buf, n);
  to_port_.append(session_->output());
  session_->output().clear();
  Rfc2217Client& comport = session_->comport();
  if (std::optional<SerialSettings> reported = comport.TakeReportedSettings()) {
    settings_ = *reported;
  }
  if (comport.answers() >= settings_ticket_) settings_known_ = true;
  if (comport.modem_state()) modem_state_ = *comport.modem_state();
  // Compact before appending, so rx_ never holds more than the limit plus
  // what was read already.
  if (rx_head_ > 0 && rx_head_ * 2 >= rx_.size()) {
    rx_.erase(0, rx_head_);
    rx_head_ = 0;
  }
  const size_t room = limits_.rx_bytes > rx_size() ? limits_.rx_bytes - rx_size() : 0;
  const size_t taken = std::min(room, data);
  rx_.append(reinterpret_cast<const char*>(buf), taken);
  rx_dropped_ += data - taken;
}

size_t CuseTerminal::write_room() const {
  if (!session_ || to_port_.size() >= limits_.tx_bytes) return 0;
  return limits_.tx_bytes - to_port_.size();
}

size_t CuseTerminal::Write(absl::string_view data) {
  // Each byte encodes to at most two; take what fits whatever it holds.
  const size_t take = std::min(data.size(), write_room() / 2);
  if (take == 0) return 0;
  session_->EncodeData(data.substr(0, take), &to_port_);
  return take;
}

size_t CuseTerminal::Read(char* out, size_t max) {
  const size_t n = std::min(max, rx_size());
  std::memcpy(out, rx_.data() + rx_head_, n);
  rx_head_ += n;
  if (rx_head_ == rx_.size()) {
    rx_.clear();
    rx_head_ = 0;
  }
  return n;
}

SerialTermios CuseTerminal::Termios() const { return TermiosWithSettings(app_termios_, settings_); }

absl::Status CuseTerminal::SetTermios(const SerialTermios& t) {
  absl::StatusOr<TermiosRequest> request = RequestFromTermios(t, settings_);
  if (!request.ok()) return request.status();
  const bool changes = request->settings != settings_ || request->hang_up;
  if (changes && !may_change_) return ReadOnly();
  app_termios_ = t;
  if (!changes || !session_) return absl::OkStatus();
  if (request->settings != settings_) {
    // Every field, not only those that differ from what this terminal last
    // asked for: someone else (ttyhubctl set) may have changed the port.
    session_->comport().RequestSettings(request->settings, /*everything=*/true, &to_port_);
    Sent(5);
  }
  if (request->hang_up) {
    Rfc2217Client::RequestOutputLines(kModemDtr | kModemRts, /*on=*/false, &to_port_);
    Sent(2);
    output_lines_ = 0;
  }
  return absl::OkStatus();
}

int CuseTerminal::ModemBits() const {
  int bits = output_lines_;
  if (modem_state_ & kStateCts) bits |= kModemCts;
  if (modem_state_ & kStateDsr) bits |= kModemDsr;
  if (modem_state_ & kStateRi) bits |= kModemRi;
  if (modem_state_ & kStateDcd) bits |= kModemDcd;
  return bits;
}

absl::Status CuseTerminal::SetModemBits(int bits) {
  const int wanted = bits & (kModemDtr | kModemRts);
  if (wanted == output_lines_) return absl::OkStatus();
  if (!may_change_) return ReadOnly();
  const int on = wanted & ~output_lines_;
  const int off = output_lines_ & ~wanted;
  output_lines_ = wanted;
  if (!session_) return absl::OkStatus();
  if (on != 0) {
    Rfc2217Client::RequestOutputLines(on, true, &to_port_);
    Sent(static_cast<uint64_t>(__builtin_popcount(static_cast<unsigned>(on))));
  }
  if (off != 0) {
    Rfc2217Client::RequestOutputLines(off, false, &to_port_);
    Sent(static_cast<uint64_t>(__builtin_popcount(static_cast<unsigned>(off))));
  }
  return absl::OkStatus();
}

absl::Status CuseTerminal::ChangeModemBits(int bits, bool on) {
  return SetModemBits(on ? (output_lines_ | bits) : (output_lines_ & ~bits));
}

absl::Status CuseTerminal::SetBreak(bool on) {
  if (!may_change_) return ReadOnly();
  if (session_) {
    Rfc2217Client::RequestBreak(on, &to_port_);
    Sent(1);
  }
  return absl::OkStatus();
}

absl::Status CuseTerminal::BreakPulse() {
  if (!may_change_) return ReadOnly();
  if (session_) TelnetClientSession::AppendBreak(&to_port_);  // IAC BRK: no answer
  return absl::OkStatus();
}

void CuseTerminal::FlushInput() {
  DiscardReceived();
  if (session_) {
    Rfc2217Client::RequestPurge(/*rx=*/true, /*tx=*/false, &to_port_);
    Sent(1);
  }
}

void CuseTerminal::FlushOutput() {
  // What this terminal queued is kept: it is usually nothing (sends leave
  // at once), and requests in it must reach the port, since their answers
  // are counted. The port purges what the device's driver holds.
  if (!session_) return;
  if (may_change_) {
    Rfc2217Client::RequestPurge(/*rx=*/false, /*tx=*/true, &to_port_);
    Sent(1);
  }
}

uint64_t CuseTerminal::Sync() {
  if (!session_) return 0;
  Rfc2217Client::RequestSync(&to_port_);
  Sent(1);
  return expected_;
}

bool CuseTerminal::Reached(uint64_t ticket) const {
  return session_ && session_->comport().answers() >= ticket;
}

}  // namespace ttyhub
