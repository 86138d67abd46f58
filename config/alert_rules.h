// Alert rules: the limits on a port's `alerts:` list and the check that one
// regex is acceptable, shared by the config loader (which reports errors
// with their position) and the engine's AlertMatcher (which compiles the
// port's regexes with the same options, so a validated config always
// compiles at startup).
//
// Matching runs on untrusted device output, so regexes use RE2: linear time
// in the input, whatever the pattern. The limits bound what one port's
// alerts may cost in memory. Pure functions; any thread.
#ifndef TTYHUB_CONFIG_ALERT_RULES_H_
#define TTYHUB_CONFIG_ALERT_RULES_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// At most this many alerts per port.
inline constexpr size_t kMaxAlertsPerPort = 64;
// A regex is at most this many bytes of text.
inline constexpr size_t kMaxAlertRegexBytes = 1024;
// RE2's memory budget (bytes) for one compiled regex: its program and DFA
// cache. A regex whose program does not fit is refused ("pattern too large").
// The port's set of alerts gets this much per alert.
inline constexpr int64_t kAlertRegexMaxMem = 1 << 20;
// An alert name: 1 to 64 of A-Z a-z 0-9 _ - .
inline constexpr size_t kMaxAlertNameBytes = 64;

bool IsValidAlertName(absl::string_view name);

// OK if `regex` is within kMaxAlertRegexBytes and compiles with RE2 under
// kAlertRegexMaxMem; otherwise InvalidArgument with RE2's own error text.
absl::Status ValidateAlertRegex(absl::string_view regex);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_ALERT_RULES_H_
