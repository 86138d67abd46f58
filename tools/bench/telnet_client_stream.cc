// See telnet_client_stream.h.
#include "tools/bench/telnet_client_stream.h"

#include <cstring>

namespace ttyhub::bench {
namespace {

// Telnet (RFC 854) and RFC 2217 codes.
constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250,
                  kAyt = 246, kSe = 240;
constexpr uint8_t kOptBinary = 0, kOptEcho = 1, kOptSga = 3, kOptComPort = 44;
constexpr uint8_t kSetBaudrate = 1, kFlowcontrolSuspend = 8, kFlowcontrolResume = 9;

// What ttyhub sends to a client it turns away, before closing.
constexpr char kRefusalPrefix[] = "ttyhub: port ";
constexpr size_t kRefusalPrefixLen = sizeof(kRefusalPrefix) - 1;
// ttyhub's answer to AYT.
constexpr char kAytAnswer[] = "[ttyhub: yes]\r\n";
constexpr size_t kAytAnswerLen = sizeof(kAytAnswer) - 1;

void AppendCommand(std::string* out, uint8_t verb, uint8_t option) {
  out->push_back(static_cast<char>(kIac));
  out->push_back(static_cast<char>(verb));
  out->push_back(static_cast<char>(option));
}

std::string ComPortCommand(uint8_t command, const uint8_t* value, size_t n) {
  std::string out = {static_cast<char>(kIac), static_cast<char>(kSb),
                     static_cast<char>(kOptComPort), static_cast<char>(command)};
  for (size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<char>(value[i]));
    if (value[i] == kIac) out.push_back(static_cast<char>(kIac));
  }
  out.push_back(static_cast<char>(kIac));
  out.push_back(static_cast<char>(kSe));
  return out;
}

}  // namespace

const char* ClientProtocolName(ClientProtocol p) {
  switch (p) {
    case ClientProtocol::kRaw:
      return "raw";
    case ClientProtocol::kTelnet:
      return "telnet";
    case ClientProtocol::kRfc2217:
      return "rfc2217";
  }
  return "?";
}

std::string TelnetClientHello(bool rfc2217) {
  std::string out;
  AppendCommand(&out, kDo, kOptBinary);
  AppendCommand(&out, kWill, kOptBinary);
  AppendCommand(&out, kDo, kOptSga);
  AppendCommand(&out, kWill, kOptSga);
  AppendCommand(&out, kDo, kOptEcho);
  if (rfc2217) AppendCommand(&out, kWill, kOptComPort);
  out.push_back(static_cast<char>(kIac));
  out.push_back(static_cast<char>(kAyt));
  return out;
}

std::string Rfc2217SetBaudRate(uint32_t baud) {
  const uint8_t value[4] = {static_cast<uint8_t>(baud >> 24), static_cast<uint8_t>(baud >> 16),
                            static_cast<uint8_t>(baud >> 8), static_cast<uint8_t>(baud)};
  return ComPortCommand(kSetBaudrate, value, sizeof(value));
}

std::string Rfc2217FlowControlSuspend() { return ComPortCommand(kFlowcontrolSuspend, nullptr, 0); }

std::string Rfc2217FlowControlResume() { return ComPortCommand(kFlowcontrolResume, nullptr, 0); }

void ClientStreamFilter::MatchRefusal(uint8_t byte) {
  if (refusal_decided_) return;
  if (byte != static_cast<uint8_t>(kRefusalPrefix[refusal_matched_])) {
    refusal_decided_ = true;
    return;
  }
  if (++refusal_matched_ == kRefusalPrefixLen) {
    refusal_decided_ = true;
    refused_ = true;
  }
}

void ClientStreamFilter::MatchAytAnswer(uint8_t byte) {
  if (byte == static_cast<uint8_t>(kAytAnswer[ayt_matched_])) {
    if (++ayt_matched_ == kAytAnswerLen) synced_ = true;
    return;
  }
  // '[' occurs once in the answer, so a mismatch can only restart the match here.
  ayt_matched_ = byte == static_cast<uint8_t>(kAytAnswer[0]) ? 1 : 0;
}

size_t ClientStreamFilter::Filter(uint8_t* data, size_t n) {
  if (refused_) return 0;
  size_t kept = 0;
  if (protocol_ == ClientProtocol::kRaw) {
    if (refusal_decided_) return n;
    size_t i = 0;
    // Until the first bytes tell data from a refusal, hold none back: the
    // verifier joins anywhere, so dropping them costs nothing.
    while (i < n && !refusal_decided_) MatchRefusal(data[i++]);
    if (refused_ || !refusal_decided_) return 0;
    // The byte that decided "data" is data too.
    const size_t from = i - 1;
    std::memmove(data, data + from, n - from);
    return n - from;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = data[i];
    bool is_data = false;
    switch (state_) {
      case TelnetState::kData:
        if (b == kIac) {
          state_ = TelnetState::kIac;
        } else {
          is_data = true;
        }
        break;
      case TelnetState::kIac:
        if (b == kIac) {
          is_data = true;
          state_ = TelnetState::kData;
        } else if (b >= kWill && b <= kDont) {
          state_ = TelnetState::kOption;
        } else if (b == kSb) {
          state_ = TelnetState::kSb;
        } else {
          ++commands_;
          state_ = TelnetState::kData;
        }
        break;
      case TelnetState::kOption:
        ++commands_;
        state_ = TelnetState::kData;
        break;
      case TelnetState::kSb:
        if (b == kIac) state_ = TelnetState::kSbIac;
        break;
      case TelnetState::kSbIac:
        if (b == kSe) {
          ++subnegotiations_;
          state_ = TelnetState::kData;
        } else if (b == kIac) {
          state_ = TelnetState::kSb;  // an escaped 0xFF in the payload
        } else {
          ++commands_;  // IAC x abandons the subnegotiation
          state_ = TelnetState::kData;
        }
        break;
    }
    if (!is_data) continue;
    if (synced_) {
      data[kept++] = b;
      continue;
    }
    MatchRefusal(b);
    if (refused_) return 0;
    MatchAytAnswer(b);
  }
  return kept;
}

}  // namespace ttyhub::bench
