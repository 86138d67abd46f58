// AlertMatcher: matches a port's console output, line by line, against the
// port's alerts (issue 10, `alerts:`), and keeps each alert's count, last
// match time and last matching line.
//
// Device output is untrusted, so matching uses RE2: one unanchored
// RE2::Set over all the port's regexes, so each line is scanned once,
// whatever the number of alerts, in time linear in the line. Lines end at
// '\n'; a trailing '\r' is dropped. A partial line waits in a buffer for the
// rest of its bytes. A line longer than kMaxLineBytes is matched in pieces
// of kMaxLineBytes (a match straddling two pieces is missed), so the buffer
// never grows past kMaxLineBytes.
//
// The last matching line is kept for display: its first kMaxShownLineBytes
// bytes, with bytes outside printable ASCII (and '\') written as \xHH, so it
// is safe in a log line, a terminal and JSON whatever the device sent.
//
// Owned by its Port; used only on the port's worker thread.
#ifndef TTYHUB_ENGINE_ALERT_MATCHER_H_
#define TTYHUB_ENGINE_ALERT_MATCHER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "config/config.h"
#include "engine/alert_stats.h"

namespace ttyhub {

class AlertMatcher {
 public:
  // Lines longer than this (bytes) are matched in pieces of this size.
  static constexpr size_t kMaxLineBytes = 4096;
  // The last matching line keeps at most this many bytes of the line.
  static constexpr size_t kMaxShownLineBytes = 256;

  // Compiles `alerts` (non-empty, validated by the config loader). Fails only
  // if RE2 cannot build the set within its memory budget.
  static absl::StatusOr<std::unique_ptr<AlertMatcher>> Create(
      const std::vector<AlertConfig>& alerts);
  ~AlertMatcher();
  AlertMatcher(const AlertMatcher&) = delete;
  AlertMatcher& operator=(const AlertMatcher&) = delete;

  // Called once per alert that matched a line, after its stats are updated.
  using OnMatch = absl::FunctionRef<void(const AlertStats& alert)>;

  // Consumes device output. Each complete line is matched once; every alert
  // it matches gets its count incremented, `now_unix_ms` as its last match
  // time, the line as its last line, and an `on_match` call.
  void Feed(std::span<const uint8_t> bytes, int64_t now_unix_ms, OnMatch on_match);

  const std::vector<AlertStats>& alerts() const { return stats_; }

  // `line` for display: at most kMaxShownLineBytes of it, escaped.
  static std::string DisplayLine(std::span<const uint8_t> line);

 private:
  struct Compiled;  // the RE2 objects; defined in the .cc so RE2 stays private
  AlertMatcher(std::unique_ptr<Compiled> compiled, std::vector<AlertStats> stats);
  void MatchLine(std::span<const uint8_t> line, int64_t now_unix_ms, OnMatch on_match);

  std::unique_ptr<Compiled> compiled_;
  std::vector<AlertStats> stats_;  // parallel to the configured alerts
  std::vector<uint8_t> partial_;   // bytes of the current line so far, < kMaxLineBytes
  std::vector<int> hits_;          // scratch: alert indexes that matched the line
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ALERT_MATCHER_H_
