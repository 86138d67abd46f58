// Parsing of byte sizes ("256KiB") and durations ("30s", "10m", 600, "100us").
//
// Pure functions used by the config loader. No I/O, no threads.
#ifndef TTYHUB_CONFIG_UNITS_H_
#define TTYHUB_CONFIG_UNITS_H_

#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// Accepts a plain number of bytes or a number with a suffix: B, KiB, MiB, GiB
// (powers of 1024) and K/KB, M/MB, G/GB (also treated as powers of 1024, as
// operators mean them for buffers). Case-insensitive suffix.
absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text);

// Accepts a plain number of seconds, or a number with a suffix ms, s, m, h.
// "0" is a valid duration (callers give it the meaning "never").
absl::StatusOr<std::chrono::milliseconds> ParseDuration(absl::string_view text);

// A short duration that must carry its unit: "100us" (or "100µs"), "2ms",
// "1s". A bare number is an error, since seconds (ParseDuration's meaning)
// would rarely be what is meant where microseconds matter.
absl::StatusOr<std::chrono::microseconds> ParseMicroseconds(absl::string_view text);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_UNITS_H_
