// Grep over a console log with RE2. See console_log_grep.h.
#include "engine/console_log_grep.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace ttyhub {

absl::StatusOr<std::unique_ptr<re2::RE2>> CompileGrepRegex(absl::string_view regex) {
  if (regex.empty()) return absl::InvalidArgumentError("re: is empty; give a regular expression");
  if (regex.size() > kMaxGrepRegexBytes) {
    return absl::InvalidArgumentError(absl::StrCat("re: is ", regex.size(), " bytes; at most ",
                                                   kMaxGrepRegexBytes, " are allowed"));
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kGrepRegexMaxMem);
  // UTF-8, as the alerts' regexes (the same pattern means the same in both).
  // Invalid UTF-8 in a line is no error: it just matches no `.` or class.
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(regex.data(), regex.size()), options);
  if (re->error_code() == RE2::ErrorPatternTooLarge) {
    return absl::InvalidArgumentError(
        absl::StrCat("re: is too large: RE2 could not compile it within ", kGrepRegexMaxMem,
                     " bytes of memory"));
  }
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("re: is not a valid RE2 regular expression: ", re->error()));
  }
  return re;
}

ConsoleLogGrep::ConsoleLogGrep(const ConsoleLogFiles& files, uint64_t begin, uint64_t end,
                               const re2::RE2& re, bool timestamps, size_t max_line,
                               uint64_t max_read)
    : scanner_(files, begin, end, max_line, max_read), re_(re), timestamps_(timestamps) {}

ConsoleLogGrep::Step ConsoleLogGrep::Next(uint64_t budget, LogMatch* match) {
  const uint64_t stop_at = scanner_.bytes_read() + budget;
  LogLineScanner::Line line;
  while (scanner_.bytes_read() < stop_at) {
    if (!scanner_.Next(&line)) return Step::kEnd;
    absl::string_view text = line.text;
    absl::string_view time;
    if (timestamps_ && ParseLogTimestamp(text)) {
      time = text.substr(0, kLogTimestampPrefixBytes - 1);
      text.remove_prefix(kLogTimestampPrefixBytes);
    }
    if (!line.cut && !text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re_)) {
      match->offset = line.offset;
      match->time = time;
      match->text = text;
      match->cut = line.cut;
      return Step::kMatch;
    }
  }
  return Step::kMore;
}

}  // namespace ttyhub
