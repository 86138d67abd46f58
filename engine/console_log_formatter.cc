// Console log formatting. See console_log_formatter.h.
#include "engine/console_log_formatter.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ttyhub {

size_t ConsoleLogFormatter::FormatOutput(std::span<const uint8_t> data, uint64_t position,
                                         const TimeOf& time_of, bool flush_partial, size_t max_out,
                                         std::string* out) {
  const bool hold = timestamps_ || input_;
  size_t consumed = 0;
  while (consumed < data.size() && out->size() < max_out) {
    const uint8_t* start = data.data() + consumed;
    const size_t left = data.size() - consumed;
    const auto* nl = static_cast<const uint8_t*>(std::memchr(start, '\n', left));
    size_t line = nl != nullptr ? static_cast<size_t>(nl - start) + 1 : left;
    bool complete = nl != nullptr;
    if (!complete && hold && !flush_partial && line < kMaxHeldLineBytes) break;
    const size_t prefix = (!mid_line_ && timestamps_) ? kTimestampBytes : 0;
    const size_t room = max_out - out->size();
    if (room <= prefix) break;
    if (prefix + line > room) {
      line = room - prefix;  // the rest of the line goes in the next buffer
      complete = false;
    }
    if (prefix > 0) AppendTimestamp(time_of(position + consumed), out);
    out->append(reinterpret_cast<const char*>(start), line);
    consumed += line;
    mid_line_ = !complete;
  }
  return consumed;
}

size_t ConsoleLogFormatter::AddInput(std::span<const uint8_t> bytes, int64_t unix_ms) {
  if (!input_ || bytes.empty()) return 0;
  if (pending_input_.empty()) input_started_ms_ = unix_ms;
  last_input_ms_ = unix_ms;
  const size_t room = kMaxPendingInputBytes - pending_input_.size();
  const size_t take = std::min(room, bytes.size());
  pending_input_.append(reinterpret_cast<const char*>(bytes.data()), take);
  return bytes.size() - take;
}

void ConsoleLogFormatter::FormatInput(bool flush_partial, std::string* out) {
  if (pending_input_.empty()) return;
  if (mid_line_) {
    if (!flush_partial) return;
    EndLine(out);
  }
  size_t pos = 0;
  while (pos < pending_input_.size()) {
    const size_t end = pending_input_.find_first_of("\r\n", pos);
    if (end == std::string::npos && !flush_partial) break;
    const size_t text_end = end == std::string::npos ? pending_input_.size() : end;
    if (timestamps_) AppendTimestamp(input_started_ms_, out);
    out->append(kInputMark.data(), kInputMark.size());
    for (size_t i = pos; i < text_end; ++i) {
      if (pending_input_[i] != '\0') out->push_back(pending_input_[i]);  // telnet's CR NUL
    }
    out->push_back('\n');
    pos = text_end;
    // One line end: "\r\n", "\r\0", "\r" or "\n".
    if (pos < pending_input_.size()) {
      const char first = pending_input_[pos++];
      if (first == '\r' && pos < pending_input_.size() &&
          (pending_input_[pos] == '\n' || pending_input_[pos] == '\0')) {
        ++pos;
      }
    }
    input_started_ms_ = last_input_ms_;
  }
  pending_input_.erase(0, pos);
}

void ConsoleLogFormatter::Marker(absl::string_view text, int64_t unix_ms, std::string* out) {
  if (mid_line_) EndLine(out);
  if (timestamps_) AppendTimestamp(unix_ms, out);
  out->append("--- ttyhub: ");
  out->append(text.data(), text.size());
  out->append(" ---\n");
}

void ConsoleLogFormatter::EndLine(std::string* out) {
  out->push_back('\n');
  mid_line_ = false;
}

void ConsoleLogFormatter::AppendTimestamp(int64_t unix_ms, std::string* out) {
  // Floor division: times before 1970 would otherwise round towards zero.
  int64_t second = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --second;
  }
  if (second != cached_second_) {
    const time_t t = static_cast<time_t>(second);
    struct tm tm {};
    gmtime_r(&t, &tm);
    // The fields are in range, so this is exactly 20 characters; the
    // scratch is sized for what the compiler cannot prove.
    char scratch[80];
    std::snprintf(scratch, sizeof(scratch), "%04d-%02d-%02dT%02d:%02d:%02d.",
                  (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    std::memcpy(cached_prefix_, scratch, 20);
    cached_second_ = second;
  }
  out->append(cached_prefix_, 20);
  const char digits[6] = {static_cast<char>('0' + ms / 100),
                          static_cast<char>('0' + ms / 10 % 10),
                          static_cast<char>('0' + ms % 10),
                          'Z',
                          ' ',
                          '\0'};
  out->append(digits, 5);
}

}  // namespace ttyhub
