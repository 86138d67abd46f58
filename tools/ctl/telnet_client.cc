// The NVT client codec. See telnet_client.h.
#include "tools/ctl/telnet_client.h"

namespace ttyhub::ctl {
namespace {

constexpr uint8_t kIac = 255;
constexpr uint8_t kDont = 254;
constexpr uint8_t kDo = 253;
constexpr uint8_t kWont = 252;
constexpr uint8_t kWill = 251;
constexpr uint8_t kSb = 250;
constexpr uint8_t kBrk = 243;
constexpr uint8_t kSe = 240;

bool AcceptsServerOption(uint8_t option) {
  return option == TelnetClient::kEcho || option == TelnetClient::kSga ||
         option == TelnetClient::kBinary;
}

bool AcceptsOwnOption(uint8_t option) {
  return option == TelnetClient::kSga || option == TelnetClient::kBinary;
}

}  // namespace

void TelnetClient::Reply(uint8_t command, uint8_t option) {
  replies_.push_back(static_cast<char>(kIac));
  replies_.push_back(static_cast<char>(command));
  replies_.push_back(static_cast<char>(option));
}

void TelnetClient::Negotiate(uint8_t command, uint8_t option) {
  switch (command) {
    case kWill:
      if (him_[option]) return;  // already on: not answered (RFC 1143)
      if (AcceptsServerOption(option)) {
        him_[option] = true;
        Reply(kDo, option);
      } else {
        Reply(kDont, option);
      }
      return;
    case kWont:
      if (!him_[option]) return;
      him_[option] = false;
      Reply(kDont, option);
      return;
    case kDo:
      if (us_[option]) return;
      if (AcceptsOwnOption(option)) {
        us_[option] = true;
        Reply(kWill, option);
      } else {
        Reply(kWont, option);
      }
      return;
    case kDont:
      if (!us_[option]) return;
      us_[option] = false;
      Reply(kWont, option);
      return;
    default:
      return;
  }
}

std::string TelnetClient::Receive(absl::string_view wire) {
  std::string data;
  data.reserve(wire.size());
  for (const char ch : wire) {
    const auto b = static_cast<uint8_t>(ch);
    switch (state_) {
      case State::kCr:
        state_ = State::kData;
        if (b == 0) continue;  // CR NUL is a bare CR, already passed on
        [[fallthrough]];
      case State::kData:
        if (b == kIac) {
          state_ = State::kIac;
        } else {
          data.push_back(ch);
          if (b == '\r' && !him_[kBinary]) state_ = State::kCr;
        }
        continue;
      case State::kIac:
        if (b == kIac) {
          data.push_back(ch);
          state_ = State::kData;
        } else if (b >= kWill && b <= kDont) {
          command_ = b;
          state_ = State::kOption;
        } else if (b == kSb) {
          state_ = State::kSub;
        } else {
          state_ = State::kData;  // NOP, DM, GA, ...: nothing for a console client
        }
        continue;
      case State::kOption:
        Negotiate(command_, b);
        state_ = State::kData;
        continue;
      case State::kSub:
        if (b == kIac) state_ = State::kSubIac;
        continue;  // subnegotiations are dropped (none were agreed)
      case State::kSubIac:
        if (b == kSe) {
          state_ = State::kData;
        } else if (b == kIac) {
          state_ = State::kSub;  // an escaped 0xFF inside the subnegotiation
        } else if (b >= kWill && b <= kDont) {
          command_ = b;  // IAC <command> abandons the subnegotiation
          state_ = State::kOption;
        } else {
          state_ = State::kData;
        }
        continue;
    }
  }
  return data;
}

std::string TelnetClient::EncodeInput(absl::string_view keys) const {
  std::string wire;
  wire.reserve(keys.size() + 8);
  for (const char ch : keys) {
    const auto b = static_cast<uint8_t>(ch);
    wire.push_back(ch);
    if (b == kIac) {
      wire.push_back(ch);
    } else if (b == '\r' && !us_[kBinary]) {
      wire.push_back('\0');
    }
  }
  return wire;
}

std::string TelnetClient::BreakCommand() {
  return std::string{static_cast<char>(kIac), static_cast<char>(kBrk)};
}

}  // namespace ttyhub::ctl
