// Parsing and formatting of serial settings strings. See serial_settings.h.
#include "config/serial_settings.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {

absl::Status CheckBaudRate(uint32_t baud) {
  if (baud >= kMinBaudRate && baud <= kMaxBaudRate) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("baud rate ", baud, " is out of range (",
                                                 kMinBaudRate, " to ", kMaxBaudRate, ")"));
}

absl::StatusOr<SerialSettings> ParseSerialSettings(absl::string_view text) {
  const std::string quoted = absl::StrCat("'", text, "'");
  size_t i = 0;
  uint64_t baud = 0;
  while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
    baud = baud * 10 + static_cast<uint64_t>(text[i] - '0');
    if (baud > kMaxBaudRate) {  // also keeps the sum from overflowing
      return absl::InvalidArgumentError(absl::StrCat("baud rate too large in ", quoted, " (",
                                                     kMinBaudRate, " to ", kMaxBaudRate, ")"));
    }
    ++i;
  }
  if (i == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected <baud><parity><data bits><stop bits>, like 115200n81, got ", quoted));
  }
  if (absl::Status s = CheckBaudRate(static_cast<uint32_t>(baud)); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(s.message(), " in ", quoted));
  }
  SerialSettings s;
  s.baud = static_cast<uint32_t>(baud);
  if (text.size() - i != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected parity, data bits and stop bits after the baud rate (like 115200n81), got ",
        quoted));
  }
  switch (absl::ascii_tolower(static_cast<unsigned char>(text[i]))) {
    case 'n':
      s.parity = Parity::kNone;
      break;
    case 'e':
      s.parity = Parity::kEven;
      break;
    case 'o':
      s.parity = Parity::kOdd;
      break;
    case 'm':
      s.parity = Parity::kMark;
      break;
    case 's':
      s.parity = Parity::kSpace;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown parity '", text.substr(i, 1), "' in ",
                                                     quoted, " (use n, e, o, m or s)"));
  }
  const char data = text[i + 1];
  if (data < '5' || data > '8') {
    return absl::InvalidArgumentError(
        absl::StrCat("data bits must be 5 to 8, got '", text.substr(i + 1, 1), "' in ", quoted));
  }
  s.data_bits = static_cast<uint8_t>(data - '0');
  const char stop = text[i + 2];
  if (stop != '1' && stop != '2') {
    return absl::InvalidArgumentError(
        absl::StrCat("stop bits must be 1 or 2, got '", text.substr(i + 2, 1), "' in ", quoted));
  }
  s.stop_bits = static_cast<uint8_t>(stop - '0');
  return s;
}

char ParityLetter(Parity p) {
  switch (p) {
    case Parity::kNone:
      return 'N';
    case Parity::kEven:
      return 'E';
    case Parity::kOdd:
      return 'O';
    case Parity::kMark:
      return 'M';
    case Parity::kSpace:
      return 'S';
  }
  return '?';
}

std::string FormatSerialSettings(const SerialSettings& s) {
  return absl::StrCat(s.baud, std::string(1, ParityLetter(s.parity)), static_cast<int>(s.data_bits),
                      static_cast<int>(s.stop_bits));
}

absl::StatusOr<FlowControl> ParseFlowControl(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "none") return FlowControl::kNone;
  if (lower == "xonxoff") return FlowControl::kXonXoff;
  if (lower == "rtscts") return FlowControl::kRtsCts;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown flow control '", text, "' (use none, xonxoff or rtscts)"));
}

absl::string_view FlowControlName(FlowControl f) {
  switch (f) {
    case FlowControl::kNone:
      return "none";
    case FlowControl::kXonXoff:
      return "xonxoff";
    case FlowControl::kRtsCts:
      return "rtscts";
  }
  return "?";
}

}  // namespace ttyhub
