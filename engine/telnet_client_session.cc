// Telnet client negotiation and stream coding. See telnet_client_session.h.
#include "engine/telnet_client_session.h"

#include "engine/telnet_protocol.h"

namespace ttyhub {

using namespace telnet;  // NOLINT: the wire constants read best unqualified here

int TelnetClientSession::SlotOf(uint8_t option) {
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

bool TelnetClientSession::WeWill(int slot) const {
  return slot == kBinarySlot || slot == kSgaSlot || (slot == kComPortSlot && rfc2217_);
}

bool TelnetClientSession::HeMay(int slot) const {
  return slot == kBinarySlot || slot == kSgaSlot || slot == kEchoSlot ||
         (slot == kComPortSlot && rfc2217_);
}

void TelnetClientSession::Send(uint8_t verb, uint8_t option) {
  output_.push_back(static_cast<char>(kIac));
  output_.push_back(static_cast<char>(verb));
  output_.push_back(static_cast<char>(option));
}

void TelnetClientSession::Answer(Side* side, uint8_t verb, uint8_t option) {
  if (side->answers >= kMaxAnswersPerOption) return;
  ++side->answers;
  Send(verb, option);
}

void TelnetClientSession::Request(bool us, uint8_t option) {
  Side& side = (us ? us_ : him_)[SlotOf(option)];
  side.pending = true;
  Send(us ? kWill : kDo, option);
}

void TelnetClientSession::Start() {
  Request(/*us=*/true, kOptBinary);
  Request(/*us=*/false, kOptBinary);
  Request(/*us=*/false, kOptSga);
  Request(/*us=*/true, kOptSga);
  if (rfc2217_) Request(/*us=*/true, kOptComPort);
}

bool TelnetClientSession::comport_active() const {
  return rfc2217_ && (us_[kComPortSlot].enabled || him_[kComPortSlot].enabled);
}

bool TelnetClientSession::TakeComPortStarted() {
  if (comport_started_ || !comport_active()) return false;
  comport_started_ = true;
  return true;
}

void TelnetClientSession::OnNegotiation(const TelnetEvent& e) {
  const int slot = SlotOf(e.code);
  const bool about_us = e.kind == TelnetEvent::Kind::kDo || e.kind == TelnetEvent::Kind::kDont;
  const bool enable = e.kind == TelnetEvent::Kind::kDo || e.kind == TelnetEvent::Kind::kWill;
  if (slot < 0 || !(about_us ? WeWill(slot) : HeMay(slot))) {
    // Unsupported: refuse a request to enable; a request to disable is
    // already the state. Capped per option against a looping server.
    if (enable && refusals_[e.code] < kMaxAnswersPerOption) {
      ++refusals_[e.code];
      Send(about_us ? kWont : kDont, e.code);
    }
    return;
  }
  Side& side = (about_us ? us_ : him_)[slot];
  const bool was_pending = side.pending;
  side.pending = false;
  if (enable) {
    side.refused = false;
    if (side.enabled) return;  // already in force: no answer (RFC 1143)
    side.enabled = true;
    if (!was_pending) Answer(&side, about_us ? kWill : kDo, e.code);
  } else {
    if (was_pending) side.refused = true;
    if (!side.enabled) {
      if (slot == kComPortSlot && was_pending) comport_refused_ = true;
      return;
    }
    side.enabled = false;
    if (!was_pending) Answer(&side, about_us ? kWont : kDont, e.code);
  }
}

size_t TelnetClientSession::Decode(uint8_t* buf, size_t n) {
  events_.clear();
  const size_t data = decoder_.Decode(buf, n, &events_);
  for (const TelnetEvent& e : events_) {
    switch (e.kind) {
      case TelnetEvent::Kind::kWill:
      case TelnetEvent::Kind::kWont:
      case TelnetEvent::Kind::kDo:
      case TelnetEvent::Kind::kDont:
        OnNegotiation(e);
        break;
      case TelnetEvent::Kind::kSubnegotiation:
        if (e.code == kOptComPort && rfc2217_ && !e.truncated) comport_.HandleAnswer(e.payload);
        break;
      case TelnetEvent::Kind::kCommand:
        break;  // a server's BRK, AYT...: nothing for a device to do
    }
  }
  // A server that said WONT BINARY after WILL: the decoder follows it by
  // itself. A refused COM-PORT: both sides said no.
  if (rfc2217_ && us_[kComPortSlot].refused && !him_[kComPortSlot].enabled) {
    comport_refused_ = true;
  }
  return data;
}

void TelnetClientSession::EncodeData(absl::string_view data, std::string* out) const {
  const bool binary = binary_to_server();
  out->reserve(out->size() + data.size() + 8);
  for (const char c : data) {
    out->push_back(c);
    if (static_cast<uint8_t>(c) == kIac) {
      out->push_back(c);
    } else if (c == '\r' && !binary) {
      out->push_back('\0');  // the NVT's bare CR; CR LF arrives as CR NUL LF, read as CR LF
    }
  }
}

void TelnetClientSession::AppendBreak(std::string* out) {
  out->push_back(static_cast<char>(kIac));
  out->push_back(static_cast<char>(kBrk));
}

}  // namespace ttyhub
