// The admin API's console log endpoints (issue 10, section 3): answers built
// from the ports' snapshots (their log settings) and the request's query.
//
//   GET /api/v1/ports/NAME/log?lines=N&since=T
//       The port's log as it is on disk, raw bytes (text/plain, charset not
//       guaranteed): its last N lines (default and maximum
//       LogLimits::max_lines), only those stamped at or after T if `since`
//       is given, at most LogLimits::max_bytes (the newest are kept).
//   GET /api/v1/ports/NAME/log?after=CURSOR
//       The bytes written after CURSOR, up to max_bytes: `--follow` polls
//       this. Every log answer has a header X-Ttyhub-Log-Cursor naming the
//       position after its last byte; it survives rotation (the file is
//       found by inode under its rotated name).
//   GET /api/v1/grep?re=REGEX&since=T&ports=a,b
//       Every logging port's lines that match REGEX (RE2), as NDJSON: one
//       {"port","time","line"} object per match, ports in configuration
//       order (or as listed), lines oldest first, then one {"end": {...}}
//       object with the totals and whether a limit stopped the search.
//
// T is a duration back from now ("90s", "10m", "1h", config/units.h) or an
// RFC 3339 time ("2026-12-01T09:00:00Z"). Headers of a log answer:
//   X-Ttyhub-Log-Cursor     the position after the last byte sent
//   X-Ttyhub-Log-Truncated  "older": lines that were asked for were left out
//                           (limits); "newer": more follows the cursor
//   X-Ttyhub-Log-Gap        "1": the cursor's file is gone (rotated past
//                           `keep`, or replaced), so the answer starts at the
//                           current file and bytes may be missing
//
// Errors (absl codes, mapped to HTTP by the admin server): InvalidArgument
// (400) for a bad query or regex; NotFound (404) for a port not configured;
// FailedPrecondition (409) for a port that does not log, or `since` on a log
// without timestamps; Internal (500) when a log file cannot be read.
//
// Files are found only from a port's configured log path (its snapshot),
// never from request data. The bodies are AdminBodyStreams: read while they
// are sent, in bounded steps, on the admin server's threads.
#ifndef TTYHUB_ENGINE_ADMIN_LOG_ENDPOINTS_H_
#define TTYHUB_ENGINE_ADMIN_LOG_ENDPOINTS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/admin_server.h"
#include "engine/snapshot.h"

namespace ttyhub {

// What one request may cost. The defaults are documented in docs/metrics.md.
struct LogLimits {
  size_t max_lines = 100'000;             // lines= at most; also the default
  uint64_t max_bytes = 16ULL << 20;       // one log answer's body; grep's output
  size_t max_matches = 10'000;            // grep
  uint64_t max_grep_read = 256ULL << 20;  // bytes grep reads, all ports together
  size_t max_grep_line = 64 * 1024;       // a longer line is matched and given by its start
  uint64_t grep_step = 1 << 20;           // bytes grep reads per step between sends
};

using QueryArgs = std::vector<std::pair<std::string, std::string>>;

// GET /api/v1/ports/NAME/log for `port`. `now` is the time `since` counts back from.
absl::StatusOr<AdminResponse> PortLogResponse(const PortSnapshot& port, const QueryArgs& query,
                                              std::chrono::system_clock::time_point now,
                                              const LogLimits& limits = LogLimits());

// GET /api/v1/grep over `ports` (every configured port, in order).
absl::StatusOr<AdminResponse> GrepResponse(const std::vector<PortSnapshot>& ports,
                                           const QueryArgs& query,
                                           std::chrono::system_clock::time_point now,
                                           const LogLimits& limits = LogLimits());

// `since=`: a duration back from `now`, or an RFC 3339 time; in ms since
// the Unix epoch.
absl::StatusOr<int64_t> ParseSince(const std::string& text,
                                   std::chrono::system_clock::time_point now);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ADMIN_LOG_ENDPOINTS_H_
