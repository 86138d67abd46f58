// COM-PORT-OPTION client logic. See rfc2217_client.h.
#include "engine/rfc2217_client.h"

#include "engine/modem_lines.h"
#include "engine/rfc2217_parity.h"
#include "engine/telnet_protocol.h"

namespace ttyhub {

using namespace telnet;           // NOLINT: the wire constants read best unqualified here
using namespace telnet::comport;  // NOLINT

namespace {

std::string Byte(uint8_t b) { return std::string(1, static_cast<char>(b)); }

uint8_t FlowCode(FlowControl f) {
  switch (f) {
    case FlowControl::kNone:
      return kCtlFlowNone;
    case FlowControl::kXonXoff:
      return kCtlFlowXonXoff;
    case FlowControl::kRtsCts:
      return kCtlFlowHardware;
  }
  return kCtlFlowNone;
}

// IAC SB COM-PORT <code> <value, 0xFF doubled> IAC SE.
void AppendRequest(uint8_t code, absl::string_view value, std::string* out) {
  const char head[] = {static_cast<char>(kIac), static_cast<char>(kSb),
                       static_cast<char>(kOptComPort), static_cast<char>(code)};
  out->append(head, sizeof(head));
  for (const char c : value) {
    out->push_back(c);
    if (static_cast<uint8_t>(c) == kIac) out->push_back(c);
  }
  out->push_back(static_cast<char>(kIac));
  out->push_back(static_cast<char>(kSe));
}

}  // namespace

void Rfc2217Client::RequestSettings(const SerialSettings& wanted, bool everything,
                                    std::string* out) {
  const bool all = everything || !requested_.has_value();
  const SerialSettings before = requested_.value_or(wanted);
  // Each field sent reads as requested until its answer comes.
  if (all || wanted.baud != before.baud) {
    const uint32_t b = wanted.baud;
    const char value[] = {static_cast<char>(b >> 24), static_cast<char>(b >> 16),
                          static_cast<char>(b >> 8), static_cast<char>(b)};
    AppendRequest(kSetBaudrate, absl::string_view(value, sizeof(value)), out);
    reported_.baud = wanted.baud;
    ++awaited_;
  }
  if (all || wanted.data_bits != before.data_bits) {
    AppendRequest(kSetDatasize, Byte(wanted.data_bits), out);
    reported_.data_bits = wanted.data_bits;
    ++awaited_;
  }
  if (all || wanted.parity != before.parity) {
    AppendRequest(kSetParity, Byte(ParityCode(wanted.parity)), out);
    reported_.parity = wanted.parity;
    ++awaited_;
  }
  if (all || wanted.stop_bits != before.stop_bits) {
    AppendRequest(kSetStopsize, Byte(wanted.stop_bits == 2 ? kStop2 : kStop1), out);
    reported_.stop_bits = wanted.stop_bits;
    ++awaited_;
  }
  if (all || wanted.flow != before.flow) {
    AppendRequest(kSetControl, Byte(FlowCode(wanted.flow)), out);
    reported_.flow = wanted.flow;
    ++awaited_;
  }
  requested_ = wanted;
}

void Rfc2217Client::RequestSignature(std::string* out) { AppendRequest(kSignature, "", out); }

void Rfc2217Client::RequestBreak(bool on, std::string* out) {
  AppendRequest(kSetControl, Byte(on ? kCtlBreakOn : kCtlBreakOff), out);
}

void Rfc2217Client::RequestOutputLines(int bits, bool on, std::string* out) {
  if (bits & kModemDtr) AppendRequest(kSetControl, Byte(on ? kCtlDtrOn : kCtlDtrOff), out);
  if (bits & kModemRts) AppendRequest(kSetControl, Byte(on ? kCtlRtsOn : kCtlRtsOff), out);
}

void Rfc2217Client::RequestPurge(bool rx, bool tx, std::string* out) {
  if (!rx && !tx) return;
  AppendRequest(kPurgeData, Byte(rx && tx ? kPurgeBoth : rx ? kPurgeRx : kPurgeTx), out);
}

void Rfc2217Client::RequestCurrentSettings(std::string* out) {
  AppendRequest(kSetBaudrate, absl::string_view("\0\0\0\0", 4), out);
  AppendRequest(kSetDatasize, Byte(0), out);
  AppendRequest(kSetParity, Byte(0), out);
  AppendRequest(kSetStopsize, Byte(0), out);
  AppendRequest(kSetControl, Byte(kCtlQueryFlow), out);
  awaited_ += 5;
}

void Rfc2217Client::RequestModemState(std::string* out) {
  AppendRequest(kNotifyModemstate, Byte(0), out);
}

void Rfc2217Client::RequestSync(std::string* out) {
  AppendRequest(kSetControl, Byte(kCtlQueryDtr), out);
}

void Rfc2217Client::HandleAnswer(absl::string_view payload) {
  if (payload.empty()) {
    ++protocol_errors_;
    return;
  }
  const uint8_t code = static_cast<uint8_t>(payload[0]);
  if (code != kNotifyLinestate + kServerOffset && code != kNotifyModemstate + kServerOffset) {
    ++answers_;
  }
  const absl::string_view v = payload.substr(1);
  const uint8_t value = v.size() == 1 ? static_cast<uint8_t>(v[0]) : 0;
  // A settings answer counts against those awaited whatever it says; one
  // with a value ttyhub cannot hold leaves the field as it was.
  auto settings_answer = [&](bool valid) {
    if (awaited_ > 0) --awaited_;
    if (!valid) {
      ++protocol_errors_;
      return;
    }
    answered_ = true;
  };
  switch (code) {
    case kSignature + kServerOffset:
      signature_ = std::string(v.substr(0, 128));
      return;
    case kSetBaudrate + kServerOffset: {
      uint32_t baud = 0;
      if (v.size() == 4) {
        baud = (static_cast<uint32_t>(static_cast<uint8_t>(v[0])) << 24) |
               (static_cast<uint32_t>(static_cast<uint8_t>(v[1])) << 16) |
               (static_cast<uint32_t>(static_cast<uint8_t>(v[2])) << 8) |
               static_cast<uint32_t>(static_cast<uint8_t>(v[3]));
      }
      const bool valid = v.size() == 4 && CheckBaudRate(baud).ok();
      if (valid) reported_.baud = baud;
      settings_answer(valid);
      return;
    }
    case kSetDatasize + kServerOffset: {
      const bool valid = v.size() == 1 && value >= 5 && value <= 8;
      if (valid) reported_.data_bits = value;
      settings_answer(valid);
      return;
    }
    case kSetParity + kServerOffset: {
      const bool valid = v.size() == 1 && IsParityCode(value);
      if (valid) {
        reported_.parity = ParityFromCode(value);
      }
      settings_answer(valid);
      return;
    }
    case kSetStopsize + kServerOffset: {
      // 1.5 stop bits (3) is a value ttyhub cannot hold: the field stays.
      const bool valid = v.size() == 1 && (value == kStop1 || value == kStop2);
      if (valid) reported_.stop_bits = value == kStop2 ? 2 : 1;
      settings_answer(valid);
      return;
    }
    case kSetControl + kServerOffset:
      if (v.size() != 1) {
        ++protocol_errors_;
        return;
      }
      // Flow control answers are settings; break, DTR and RTS answers are
      // not (they were not counted as awaited).
      if (value == kCtlFlowNone || value == kCtlFlowXonXoff || value == kCtlFlowHardware) {
        reported_.flow = value == kCtlFlowXonXoff    ? FlowControl::kXonXoff
                         : value == kCtlFlowHardware ? FlowControl::kRtsCts
                                                     : FlowControl::kNone;
        settings_answer(true);
      } else if (value == kCtlFlowDcd || value == kCtlFlowDsr || value == 0) {
        settings_answer(false);  // an outbound flow control ttyhub cannot express
      }
      return;
    case kNotifyModemstate + kServerOffset:
      if (v.size() == 1) {
        modem_state_ = value;
      } else {
        ++protocol_errors_;
      }
      return;
    case kNotifyLinestate + kServerOffset:
    case kFlowcontrolSuspend + kServerOffset:
    case kFlowcontrolResume + kServerOffset:
    case kSetLinestateMask + kServerOffset:
    case kSetModemstateMask + kServerOffset:
    case kPurgeData + kServerOffset:
      return;  // acknowledged; nothing of the port's state follows from them
    default:
      ++protocol_errors_;
      return;
  }
}

std::optional<SerialSettings> Rfc2217Client::TakeReportedSettings() {
  if (awaited_ > 0 || !answered_) return std::nullopt;
  answered_ = false;
  return reported_;
}

}  // namespace ttyhub
