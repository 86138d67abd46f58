// Telnet negotiation and commands for one client. See telnet_session.h.
#include "engine/telnet_session.h"

#include "engine/telnet_protocol.h"

namespace ttyhub {

using namespace telnet;  // NOLINT

TelnetSession::TelnetSession(bool rfc2217, SerialLineControl& line, std::string signature)
    : rfc2217_(rfc2217), line_(line) {
  if (rfc2217_) comport_ = std::make_unique<Rfc2217Handler>(line, std::move(signature));
}

int TelnetSession::SlotOf(uint8_t option) const {
  switch (option) {
    case kOptBinary:
      return kBinarySlot;
    case kOptEcho:
      return kEchoSlot;
    case kOptSga:
      return kSgaSlot;
    case kOptComPort:
      return kComPortSlot;
    default:
      return -1;
  }
}

// What we will do ourselves: echo (the device echoes), suppress go-ahead,
// binary, and COM-PORT-OPTION on rfc2217 listeners.
bool TelnetSession::SupportedUs(int slot) const {
  return slot == kBinarySlot || slot == kEchoSlot || slot == kSgaSlot ||
         (slot == kComPortSlot && rfc2217_);
}

// What we let the client do: binary, suppress go-ahead, COM-PORT-OPTION.
// Not ECHO: we do not want the client echoing our output back.
bool TelnetSession::SupportedHim(int slot) const {
  return slot == kBinarySlot || slot == kSgaSlot || (slot == kComPortSlot && rfc2217_);
}

bool TelnetSession::comport_active() const {
  return rfc2217_ && (him_[kComPortSlot].enabled || us_[kComPortSlot].enabled);
}

void TelnetSession::Send(uint8_t verb, uint8_t option) {
  output_.push_back(static_cast<char>(kIac));
  output_.push_back(static_cast<char>(verb));
  output_.push_back(static_cast<char>(option));
}

void TelnetSession::Request(bool us, uint8_t option, bool enable) {
  Side& side = (us ? us_ : him_)[SlotOf(option)];
  side.pending = true;
  Send(us ? (enable ? kWill : kWont) : (enable ? kDo : kDont), option);
}

void TelnetSession::Start() {
  Request(/*us=*/true, kOptEcho, true);
  Request(/*us=*/true, kOptSga, true);
  Request(/*us=*/false, kOptSga, true);
  Request(/*us=*/true, kOptBinary, true);
  Request(/*us=*/false, kOptBinary, true);
}

bool TelnetSession::ActsOnDevice(const TelnetEvent& e) {
  return (e.kind == TelnetEvent::Kind::kCommand && e.code == kBrk) ||
         (e.kind == TelnetEvent::Kind::kSubnegotiation && e.code == kOptComPort);
}

size_t TelnetSession::DecodeInput(uint8_t* buf, size_t n, uint64_t position) {
  const size_t start = events_.size();
  const size_t data = decoder_.Decode(buf, n, &events_);
  // Keep the commands that must wait for their place; act on the rest now.
  size_t kept = start;
  for (size_t i = start; i < events_.size(); ++i) {
    events_[i].at += position;
    if (ActsOnDevice(events_[i])) {
      if (kept != i) events_[kept] = std::move(events_[i]);
      ++kept;
    } else if (line_.Active()) {
      Act(events_[i]);
    }
  }
  events_.resize(kept);
  return data;
}

void TelnetSession::DropEvents() {
  events_.clear();
  first_ = 0;
  unmarked_ = 0;
}

void TelnetSession::ProcessEventsThrough(uint64_t position) {
  // Pop before acting: acting may close the client (and drop the rest).
  while (first_ < events_.size() && events_[first_].at <= position && line_.Active()) {
    const TelnetEvent e = std::move(events_[first_++]);
    Act(e);
  }
  if (first_ >= events_.size()) {  // all done, or dropped by a close meanwhile
    DropEvents();
  } else if (first_ > 64 && first_ * 2 > events_.size()) {
    events_.erase(events_.begin(), events_.begin() + static_cast<ptrdiff_t>(first_));
    unmarked_ = unmarked_ > first_ ? unmarked_ - first_ : 0;
    first_ = 0;
  }
}

void TelnetSession::Act(const TelnetEvent& e) {
  switch (e.kind) {
    case TelnetEvent::Kind::kCommand:
      OnCommand(e.code);
      break;
    case TelnetEvent::Kind::kSubnegotiation:
      if (e.code == kOptComPort && comport_ && !e.truncated) {
        comport_->Handle(e.payload, &output_);
      }
      break;
    default:
      OnNegotiation(e);
      break;
  }
}

void TelnetSession::OnNegotiation(const TelnetEvent& e) {
  const bool about_us = e.kind == TelnetEvent::Kind::kDo || e.kind == TelnetEvent::Kind::kDont;
  const bool enable = e.kind == TelnetEvent::Kind::kWill || e.kind == TelnetEvent::Kind::kDo;
  const int slot = SlotOf(e.code);
  const bool supported = slot >= 0 && (about_us ? SupportedUs(slot) : SupportedHim(slot));
  const uint8_t yes = about_us ? kWill : kDo;
  const uint8_t no = about_us ? kWont : kDont;
  if (!supported) {
    // Refuse politely, once per request; never request anything back. An
    // option that is already off needs no answer to WONT/DONT.
    if (enable && ++refused_options_ <= 256) Send(no, e.code);
    return;
  }
  Side& side = (about_us ? us_ : him_)[slot];
  const bool was_pending = side.pending;
  side.pending = false;
  if (enable == side.enabled) return;  // already so: no answer (RFC 1143)
  side.enabled = enable;
  if (was_pending) return;                             // this was the answer to our request
  if (side.answers++ >= kMaxAnswersPerOption) return;  // a peer looping on purpose
  Send(enable ? yes : no, e.code);
}

void TelnetSession::OnCommand(uint8_t command) {
  switch (command) {
    case kBrk:
      if (line_.MayChange()) {
        line_.SendBreakPulse();
      } else {
        line_.CountRefusedChange();
      }
      break;
    case kAyt:
      output_.append("\r\n[ttyhub: yes]\r\n");
      break;
    default:
      break;  // IP, AO, EC, EL: nothing sensible to do on a raw serial line
  }
}

void TelnetSession::OnModemState(uint8_t state) {
  if (comport_active()) comport_->OnModemState(state, &output_);
}

void TelnetSession::OnLineState(uint8_t state) {
  if (comport_active()) comport_->OnLineState(state, &output_);
}

uint64_t TelnetSession::protocol_errors() const {
  return decoder_.protocol_errors() + (comport_ ? comport_->protocol_errors() : 0);
}

}  // namespace ttyhub
