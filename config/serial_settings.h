// Serial line settings: the "115200n81" notation and its parsed form.
//
// Pure value types and parsing; no I/O, no threads. Used by the config loader
// to validate `serial:` strings and by the engine to build termios.
#ifndef TTYHUB_CONFIG_SERIAL_SETTINGS_H_
#define TTYHUB_CONFIG_SERIAL_SETTINGS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

enum class Parity : uint8_t { kNone, kEven, kOdd, kMark, kSpace };
enum class FlowControl : uint8_t { kNone, kXonXoff, kRtsCts };

// Framing and speed of one serial line.
struct SerialSettings {
  uint32_t baud =
      9600;  // bits per second, kMinBaudRate..kMaxBaudRate (termios2 BOTHER if not Bxxx)
  Parity parity = Parity::kNone;
  uint8_t data_bits = 8;  // 5..8
  uint8_t stop_bits = 1;  // 1 or 2
  FlowControl flow = FlowControl::kNone;

  bool operator==(const SerialSettings&) const = default;
};

// The baud rates ttyhub accepts, in bits per second, from the config, the
// admin API and RFC 2217 SET-BAUDRATE alike.
//   - 50 is termios' lowest rate (B50); B0 means "hang up", not a speed.
//   - 12,000,000 is the fastest that common serial hardware runs: FTDI's
//     FT232H/FT2232H/FT4232H (12 Mbaud). Linux's largest Bxxx constant is
//     B4000000; faster rates go through termios2 BOTHER, whose speed_t field
//     would carry up to 4294967295, but no UART driver honours such values and
//     many silently round them. A rate above 12 Mbaud is a typo (an extra
//     zero), so it is refused rather than handed to a driver.
inline constexpr uint32_t kMinBaudRate = 50;
inline constexpr uint32_t kMaxBaudRate = 12'000'000;

// OK if `baud` is within kMinBaudRate..kMaxBaudRate; otherwise InvalidArgument
// saying so, like "baud rate 20000000 is out of range (50 to 12000000)".
absl::Status CheckBaudRate(uint32_t baud);

// Parses "<baud><parity><databits><stopbits>", e.g. "115200n81" or "9600E71".
// Parity letters n/e/o/m/s, case-insensitive. Leaves `flow` at kNone.
// Errors describe the offending part, e.g. "unknown parity 'x' in '9600x81'".
absl::StatusOr<SerialSettings> ParseSerialSettings(absl::string_view text);

// "9600N81": the conventional upper-case form, used in banners (\s) and logs.
std::string FormatSerialSettings(const SerialSettings& s);

// "none" | "xonxoff" | "rtscts".
absl::StatusOr<FlowControl> ParseFlowControl(absl::string_view text);
absl::string_view FlowControlName(FlowControl f);
char ParityLetter(Parity p);  // 'N', 'E', 'O', 'M', 'S'

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SERIAL_SETTINGS_H_
