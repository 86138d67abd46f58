// AlertStats: what one alert on a port has seen, as plain values. The
// port's AlertMatcher keeps one per alert; snapshots copy them out to the
// admin thread (JSON, Prometheus, ttyhubctl).
#ifndef TTYHUB_ENGINE_ALERT_STATS_H_
#define TTYHUB_ENGINE_ALERT_STATS_H_

#include <cstdint>
#include <string>

namespace ttyhub {

struct AlertStats {
  std::string name;
  uint64_t matches = 0;            // lines (or 4 KiB pieces of a longer line) that matched
  int64_t last_match_unix_ms = 0;  // wall clock of the last match; 0: never matched
  std::string last_line;           // the last matching line, display-safe (see AlertMatcher)
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ALERT_STATS_H_
