// Byte size and duration parsing. See units.h.
#include "config/units.h"

#include <cctype>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {
namespace {

// Splits "123abc" into 123 and "abc". Fails on no digits or overflow.
absl::Status SplitNumber(absl::string_view text, uint64_t* number, absl::string_view* suffix) {
  text = absl::StripAsciiWhitespace(text);
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return absl::InvalidArgumentError(absl::StrCat("number too large in '", text, "'"));
    }
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0)
    return absl::InvalidArgumentError(absl::StrCat("expected a number, got '", text, "'"));
  *number = n;
  *suffix = absl::StripAsciiWhitespace(text.substr(i));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text) {
  uint64_t n = 0;
  absl::string_view suffix;
  if (absl::Status s = SplitNumber(text, &n, &suffix); !s.ok()) return s;
  const std::string unit = absl::AsciiStrToLower(suffix);
  uint64_t scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = uint64_t{1} << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = uint64_t{1} << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    scale = uint64_t{1} << 30;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown size unit '", suffix, "' in '", text, "' (use B, KiB, MiB or GiB)"));
  }
  if (n > std::numeric_limits<uint64_t>::max() / scale) {
    return absl::InvalidArgumentError(absl::StrCat("size too large: '", text, "'"));
  }
  return n * scale;
}

absl::StatusOr<std::chrono::milliseconds> ParseDuration(absl::string_view text) {
  uint64_t n = 0;
  absl::string_view suffix;
  if (absl::Status s = SplitNumber(text, &n, &suffix); !s.ok()) return s;
  const std::string unit = absl::AsciiStrToLower(suffix);
  uint64_t ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m" || unit == "min") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown duration unit '", suffix, "' in '", text, "' (use ms, s, m or h)"));
  }
  // Cap at ~1 year to keep all arithmetic on steady_clock far from overflow.
  constexpr uint64_t kMaxMs = 366ull * 24 * 3'600'000;
  if (n > kMaxMs / ms_per_unit) {
    return absl::InvalidArgumentError(absl::StrCat("duration too long: '", text, "'"));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(n * ms_per_unit));
}

absl::StatusOr<std::chrono::microseconds> ParseMicroseconds(absl::string_view text) {
  uint64_t n = 0;
  absl::string_view suffix;
  if (absl::Status s = SplitNumber(text, &n, &suffix); !s.ok()) return s;
  const std::string unit = absl::AsciiStrToLower(suffix);
  uint64_t us_per_unit = 0;
  if (unit == "us" || unit == "\u00b5s") {
    us_per_unit = 1;
  } else if (unit == "ms") {
    us_per_unit = 1000;
  } else if (unit == "s") {
    us_per_unit = 1'000'000;
  } else if (unit.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' needs a unit: us, ms or s (for example 100us)"));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown duration unit '", suffix, "' in '", text, "' (use us, ms or s)"));
  }
  constexpr uint64_t kMaxUs = 3'600'000'000ull;  // an hour: far from any overflow
  if (n > kMaxUs / us_per_unit) {
    return absl::InvalidArgumentError(absl::StrCat("duration too long: '", text, "'"));
  }
  return std::chrono::microseconds(static_cast<int64_t>(n * us_per_unit));
}

}  // namespace ttyhub
