// ConsoleLogGrep: the lines of one port's console log that match a regex
// (issue 10: `ttyhubctl grep`, GET /api/v1/grep).
//
// The regex comes from the network and the log holds untrusted device
// bytes, so matching uses RE2 (linear in the input whatever the pattern),
// with a bound on the compiled regex's memory. Each line is matched without
// its timestamp and without its "\r\n" or "\n", so `^` and `$` anchor at the
// device's own line; a line longer than `max_line` is matched (and given)
// by its first `max_line` bytes. The scan is incremental: Next() reads at
// most a given number of bytes before it returns, so a caller serving many
// connections on one thread (the admin server's) can interleave them.
//
// Pure: file reading through ConsoleLogFiles, no other I/O. Not
// thread-safe; one per request.
#ifndef TTYHUB_ENGINE_CONSOLE_LOG_GREP_H_
#define TTYHUB_ENGINE_CONSOLE_LOG_GREP_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/console_log_reader.h"

namespace re2 {
class RE2;
}

namespace ttyhub {

// A grep regex is at most this many bytes of text.
inline constexpr size_t kMaxGrepRegexBytes = 1024;
// RE2's memory budget (bytes) for the compiled grep regex and its DFA cache.
inline constexpr int64_t kGrepRegexMaxMem = 8 << 20;

// Compiles `regex` with RE2, with the options of the alerts' regexes (UTF-8).
// InvalidArgument, with RE2's own words, if it is
// empty, too long, too large or not valid RE2 syntax.
absl::StatusOr<std::unique_ptr<re2::RE2>> CompileGrepRegex(absl::string_view regex);

struct LogMatch {
  uint64_t offset = 0;     // stream offset of the line
  absl::string_view time;  // its timestamp (24 bytes), or empty if it has none
  absl::string_view text;  // the line, without timestamp and line ending
  bool cut = false;        // longer than max_line: `text` is its first max_line bytes
};

class ConsoleLogGrep {
 public:
  enum class Step {
    kMatch,  // *match is filled; valid until the next call
    kMore,   // the read budget of this call is spent; call again
    kEnd,    // no more lines (the range, or max_read, is exhausted)
  };

  // Searches the lines of [begin, end) of `files` (which must outlive this)
  // for `re` (idem). `timestamps`: lines start with one, to be split off.
  // Reads at most `max_read` bytes in all.
  ConsoleLogGrep(const ConsoleLogFiles& files, uint64_t begin, uint64_t end, const re2::RE2& re,
                 bool timestamps, size_t max_line, uint64_t max_read);

  // Advances to the next matching line, reading at most about `budget` (> 0)
  // more bytes (one read block, or the rest of a cut line, may go past it).
  Step Next(uint64_t budget, LogMatch* match);

  uint64_t bytes_read() const { return scanner_.bytes_read(); }
  // Whether the scan stopped at max_read rather than at the range's end.
  bool read_limit_reached() const { return scanner_.read_limit_reached(); }

 private:
  LogLineScanner scanner_;
  const re2::RE2& re_;
  const bool timestamps_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOG_GREP_H_
