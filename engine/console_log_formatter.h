// ConsoleLogFormatter: turns a port's device output, and optionally what its
// clients typed, into console log text (issue 10, `log:`).
//
//  - timestamps: each line starts with the RFC 3339 UTC time, in
//    milliseconds, at which its first byte was read, and one space:
//    "2026-12-01T09:00:00.123Z ". Off: the device's bytes exactly.
//  - input: each line a client wrote to the device is logged on a line of
//    its own, "<time> [input] <text>\n", between output lines.
//  - markers: "<time> --- ttyhub: <text> ---\n", always on a line of their own.
// With timestamps or input on, a partial output line (a prompt) is held
// back until its newline comes or the caller flushes it (the logger does so
// after 1 s of quiet); a flushed partial line carries on without a new
// timestamp. Pure logic, no I/O; owned by one ConsoleLogger, so by the
// port's worker thread.
#ifndef TTYHUB_ENGINE_CONSOLE_LOG_FORMATTER_H_
#define TTYHUB_ENGINE_CONSOLE_LOG_FORMATTER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "absl/strings/string_view.h"

namespace ttyhub {

class ConsoleLogFormatter {
 public:
  // A held partial line longer than this (bytes) is written anyway, so a
  // device that never sends a newline is still logged.
  static constexpr size_t kMaxHeldLineBytes = 4096;
  // Client input waiting for its line to end, at most (bytes); more is
  // dropped and counted.
  static constexpr size_t kMaxPendingInputBytes = 16 * 1024;
  static constexpr absl::string_view kInputMark = "[input] ";

  // Milliseconds since the Unix epoch at which the device byte at a ring
  // position was read.
  using TimeOf = std::function<int64_t(uint64_t position)>;

  ConsoleLogFormatter(bool timestamps, bool input) : timestamps_(timestamps), input_(input) {}

  // Formats device output `data`, whose first byte is at ring position
  // `position`, appending to `*out` while it holds less than `max_out`
  // bytes. Returns how many bytes of `data` were consumed; the caller keeps
  // the rest (a held partial line, or what did not fit) for a later call.
  size_t FormatOutput(std::span<const uint8_t> data, uint64_t position, const TimeOf& time_of,
                      bool flush_partial, size_t max_out, std::string* out);

  // Queues bytes a client wrote to the device (ignored unless input is on).
  // Returns how many bytes were dropped because the queue was full.
  size_t AddInput(std::span<const uint8_t> bytes, int64_t unix_ms);
  // Appends complete input lines (and a partial one if `flush_partial`)
  // where output is at a line start. With `flush_partial`, ends a partial
  // output line first so that the input can be written.
  void FormatInput(bool flush_partial, std::string* out);

  // Appends a marker line, ending a partial output line first.
  void Marker(absl::string_view text, int64_t unix_ms, std::string* out);

  // The file being written to ends mid-line (true) or at a line start: a
  // new or reopened file, or one a previous run left with a partial line.
  void set_mid_line(bool mid_line) { mid_line_ = mid_line; }
  // Whether the last output line written so far has not ended.
  bool mid_line() const { return mid_line_; }
  bool has_pending_input() const { return !pending_input_.empty(); }

  // "2026-12-01T09:00:00.123Z " for `unix_ms`, appended to `*out`.
  void AppendTimestamp(int64_t unix_ms, std::string* out);
  static constexpr size_t kTimestampBytes = 25;  // with its trailing space

 private:
  void EndLine(std::string* out);

  const bool timestamps_;
  const bool input_;
  bool mid_line_ = false;         // output written up to here has no newline yet
  std::string pending_input_;     // typed bytes, line ends kept ('\r' or '\n')
  int64_t input_started_ms_ = 0;  // when the first pending input line began
  int64_t last_input_ms_ = 0;
  // The formatted date and time up to the seconds' dot, for the second
  // `cached_second_` (a second's lines share it; gmtime once per second).
  int64_t cached_second_ = INT64_MIN;
  char cached_prefix_[21] = {};  // "YYYY-MM-DDTHH:MM:SS." and its NUL
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOG_FORMATTER_H_
