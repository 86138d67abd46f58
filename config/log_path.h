// Console log file names (issue 10): the `log.path` template and its
// expansion. A template holds `%n` (the port's name), `%%`, and ser2net's
// filename escapes, so a TRACEFILE name carries over as written:
//   \Y year   \y day of the year (001-366)   \M month name (Jan)   \m month (01-12)
//   \A weekday name (Mon)   \D day of the month   \e seconds since the epoch
//   \U microseconds in the current second   \H hour (00-23)   \h hour (01-12)
//   \i minute   \S and \s second   \q am/pm   \P AM/PM
//   \p the port's first TCP listener port   \d the device name after its last /
//   \\ a backslash
// Times are local time, as ser2net's; the template is expanded each time the
// file is opened (start, reopen, rotation). Pure functions, any thread.
#ifndef TTYHUB_CONFIG_LOG_PATH_H_
#define TTYHUB_CONFIG_LOG_PATH_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// The default console log path, inside systemd's LogsDirectory=ttyhub.
inline constexpr absl::string_view kDefaultLogPath = "/var/log/ttyhub/%n.log";
// The longest template accepted, in bytes (PATH_MAX leaves room to expand).
inline constexpr size_t kMaxLogPathTemplateBytes = 1024;

// OK if `tmpl` is an absolute path whose escapes are all known and whose
// expansion cannot contain "..", a NUL or a control character. The error
// names the offending escape or character.
absl::Status ValidateLogPathTemplate(absl::string_view tmpl);

struct LogPathFields {
  absl::string_view port_name;
  absl::string_view device;  // as configured; \d takes what follows its last '/'
  uint16_t tcp_port = 0;     // \p; 0 expands to "0"
};

// Expands a validated template at `now`.
std::string ExpandLogPath(absl::string_view tmpl, const LogPathFields& fields,
                          std::chrono::system_clock::time_point now);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_LOG_PATH_H_
