// COM-PORT-OPTION server logic. See rfc2217_handler.h.
#include "engine/rfc2217_handler.h"

#include "engine/rfc2217_parity.h"
#include "engine/telnet_protocol.h"
#include "engine/tty_control.h"

namespace ttyhub {

using namespace telnet;           // NOLINT
using namespace telnet::comport;  // NOLINT

namespace {

std::string Byte(uint8_t b) { return std::string(1, static_cast<char>(b)); }

std::string Be32(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

}  // namespace

void Rfc2217Handler::AppendAnswer(uint8_t code, absl::string_view value, std::string* out) {
  const char head[] = {static_cast<char>(kIac), static_cast<char>(kSb),
                       static_cast<char>(kOptComPort), static_cast<char>(code + kServerOffset)};
  out->append(head, sizeof(head));
  for (char c : value) {
    out->push_back(c);
    if (static_cast<uint8_t>(c) == kIac) out->push_back(c);
  }
  out->push_back(static_cast<char>(kIac));
  out->push_back(static_cast<char>(kSe));
}

uint8_t Rfc2217Handler::FlowValue(bool inbound) const {
  switch (line_.LineSettings().flow) {
    case FlowControl::kNone:
      return inbound ? kCtlFlowInNone : kCtlFlowNone;
    case FlowControl::kXonXoff:
      return inbound ? kCtlFlowInXonXoff : kCtlFlowXonXoff;
    case FlowControl::kRtsCts:
      return inbound ? kCtlFlowInHardware : kCtlFlowHardware;
  }
  return kCtlFlowNone;
}

void Rfc2217Handler::Handle(absl::string_view payload, std::string* out) {
  if (payload.empty()) {
    ++protocol_errors_;
    return;
  }
  const uint8_t code = static_cast<uint8_t>(payload[0]);
  const absl::string_view v = payload.substr(1);
  switch (code) {
    case kSignature:
      // An empty signature asks for ours; a non-empty one is the client's.
      if (v.empty()) AppendAnswer(kSignature, signature_, out);
      return;
    case kSetBaudrate:
      SetBaud(v, out);
      return;
    case kSetDatasize:
    case kSetParity:
    case kSetStopsize:
      SetByteSetting(code, v, out);
      return;
    case kSetControl:
      SetControl(v, out);
      return;
    case kNotifyLinestate:
      AppendAnswer(kNotifyLinestate, Byte(line_.LineState()), out);
      return;
    case kNotifyModemstate:
      AppendAnswer(kNotifyModemstate, Byte(line_.ModemState()), out);
      return;
    case kFlowcontrolSuspend:
      line_.SuspendOutput(true);
      return;
    case kFlowcontrolResume:
      line_.SuspendOutput(false);
      return;
    case kSetLinestateMask:
    case kSetModemstateMask:
      if (v.size() != 1) {
        ++protocol_errors_;
        return;
      }
      (code == kSetLinestateMask ? linestate_mask_ : modemstate_mask_) = static_cast<uint8_t>(v[0]);
      AppendAnswer(code, v, out);
      return;
    case kPurgeData: {
      const uint8_t what = v.size() == 1 ? static_cast<uint8_t>(v[0]) : 0;
      if (what < kPurgeRx || what > kPurgeBoth) {
        ++protocol_errors_;
        return;
      }
      // A read-only client's purge is its own business: an RX purge drops
      // what this client has not been sent yet (its cursor moves), a TX
      // purge has nothing of its to drop. Both are answered as done, so a
      // viewer such as pyserial (which purges as it opens) works.
      line_.Purge(what != kPurgeTx, line_.MayChange() && what != kPurgeRx);
      AppendAnswer(kPurgeData, Byte(what), out);
      return;
    }
    default:
      ++protocol_errors_;
      return;
  }
}

void Rfc2217Handler::SetBaud(absl::string_view v, std::string* out) {
  SerialSettings s = line_.LineSettings();
  if (v.size() != 4) {
    ++protocol_errors_;
  } else {
    const uint32_t baud = (static_cast<uint32_t>(static_cast<uint8_t>(v[0])) << 24) |
                          (static_cast<uint32_t>(static_cast<uint8_t>(v[1])) << 16) |
                          (static_cast<uint32_t>(static_cast<uint8_t>(v[2])) << 8) |
                          static_cast<uint32_t>(static_cast<uint8_t>(v[3]));
    if (baud != 0) {
      if (line_.MayChange()) {
        SerialSettings wanted = s;
        wanted.baud = baud;
        s = line_.ChangeLineSettings(wanted);
      } else {
        line_.CountRefusedChange();
      }
    }
  }
  AppendAnswer(kSetBaudrate, Be32(s.baud), out);
}

void Rfc2217Handler::SetByteSetting(uint8_t code, absl::string_view v, std::string* out) {
  SerialSettings s = line_.LineSettings();
  const uint8_t value = v.size() == 1 ? static_cast<uint8_t>(v[0]) : 0;
  if (v.size() != 1) ++protocol_errors_;
  SerialSettings wanted = s;
  bool valid = false;
  switch (code) {
    case kSetDatasize:
      valid = value >= 5 && value <= 8;
      wanted.data_bits = value;
      break;
    case kSetParity:
      valid = IsParityCode(value);
      wanted.parity = ParityFromCode(value);
      break;
    case kSetStopsize:
      // 1.5 stop bits exist only with 5 data bits on Linux: refused.
      valid = value == kStop1 || value == kStop2;
      wanted.stop_bits = value == kStop2 ? 2 : 1;
      break;
  }
  if (value != 0) {
    if (!valid) {
      ++protocol_errors_;
    } else if (!line_.MayChange()) {
      line_.CountRefusedChange();
    } else {
      s = line_.ChangeLineSettings(wanted);
    }
  }
  uint8_t answer = 0;
  switch (code) {
    case kSetDatasize:
      answer = s.data_bits;
      break;
    case kSetParity:
      answer = ParityCode(s.parity);
      break;
    case kSetStopsize:
      answer = s.stop_bits == 2 ? kStop2 : kStop1;
      break;
  }
  AppendAnswer(code, Byte(answer), out);
}

void Rfc2217Handler::SetControl(absl::string_view v, std::string* out) {
  if (v.size() != 1) {
    ++protocol_errors_;
    return;
  }
  const uint8_t c = static_cast<uint8_t>(v[0]);
  const bool may = line_.MayChange();
  auto refuse_if_ro = [&]() {
    if (!may) line_.CountRefusedChange();
    return may;
  };
  auto set_flow = [&](FlowControl f) {
    if (!refuse_if_ro()) return;
    SerialSettings s = line_.LineSettings();
    s.flow = f;
    line_.ChangeLineSettings(s);
  };
  uint8_t answer = 0;
  switch (c) {
    case kCtlQueryFlow:
      answer = FlowValue(false);
      break;
    case kCtlFlowNone:
    case kCtlFlowInNone:
      set_flow(FlowControl::kNone);
      answer = FlowValue(c == kCtlFlowInNone);
      break;
    case kCtlFlowXonXoff:
    case kCtlFlowInXonXoff:
      set_flow(FlowControl::kXonXoff);
      answer = FlowValue(c == kCtlFlowInXonXoff);
      break;
    case kCtlFlowHardware:
    case kCtlFlowInHardware:
      set_flow(FlowControl::kRtsCts);
      answer = FlowValue(c == kCtlFlowInHardware);
      break;
    case kCtlQueryFlowIn:
      answer = FlowValue(true);
      break;
    case kCtlFlowDcd:
    case kCtlFlowDsr:
      // Not possible with Linux termios: refused by answering what holds.
      answer = FlowValue(false);
      break;
    case kCtlFlowInDtr:
      answer = FlowValue(true);
      break;
    case kCtlQueryBreak:
      answer = line_.BreakState() ? kCtlBreakOn : kCtlBreakOff;
      break;
    case kCtlBreakOn:
    case kCtlBreakOff:
      if (refuse_if_ro()) line_.SetBreakState(c == kCtlBreakOn);
      answer = line_.BreakState() ? kCtlBreakOn : kCtlBreakOff;
      break;
    case kCtlQueryDtr:
      answer = line_.OutputLine(kModemDtr) ? kCtlDtrOn : kCtlDtrOff;
      break;
    case kCtlDtrOn:
    case kCtlDtrOff:
      if (refuse_if_ro()) line_.SetOutputLine(kModemDtr, c == kCtlDtrOn);
      answer = line_.OutputLine(kModemDtr) ? kCtlDtrOn : kCtlDtrOff;
      break;
    case kCtlQueryRts:
      answer = line_.OutputLine(kModemRts) ? kCtlRtsOn : kCtlRtsOff;
      break;
    case kCtlRtsOn:
    case kCtlRtsOff:
      if (refuse_if_ro()) line_.SetOutputLine(kModemRts, c == kCtlRtsOn);
      answer = line_.OutputLine(kModemRts) ? kCtlRtsOn : kCtlRtsOff;
      break;
    default:
      ++protocol_errors_;
      return;
  }
  AppendAnswer(kSetControl, Byte(answer), out);
}

void Rfc2217Handler::OnModemState(uint8_t state, std::string* out) {
  state &= 0xF0;
  if (!modemstate_known_) {
    modemstate_known_ = true;
    last_modemstate_ = state;
    return;
  }
  if (state == last_modemstate_) return;
  uint8_t deltas = 0;
  if ((state ^ last_modemstate_) & kStateCts) deltas |= kModemCtsDelta;
  if ((state ^ last_modemstate_) & kStateDsr) deltas |= kModemDsrDelta;
  if ((last_modemstate_ & kStateRi) && !(state & kStateRi)) deltas |= kModemRiTrailing;
  if ((state ^ last_modemstate_) & kStateDcd) deltas |= kModemDcdDelta;
  last_modemstate_ = state;
  const uint8_t value = static_cast<uint8_t>((state | deltas) & modemstate_mask_);
  if ((deltas & modemstate_mask_) != 0) AppendAnswer(kNotifyModemstate, Byte(value), out);
}

void Rfc2217Handler::OnLineState(uint8_t state, std::string* out) {
  const uint8_t value = state & linestate_mask_;
  if (value != 0) AppendAnswer(kNotifyLinestate, Byte(value), out);
}

}  // namespace ttyhub
