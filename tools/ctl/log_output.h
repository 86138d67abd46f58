// Text for ttyhubctl's console log commands (`log`, `grep`): query strings,
// grep's NDJSON split into records, and grep matches made safe to print on
// a terminal. Pure functions, so they are unit tested without a daemon.
#ifndef TTYHUB_TOOLS_CTL_LOG_OUTPUT_H_
#define TTYHUB_TOOLS_CTL_LOG_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace ttyhub::ctl {

// Percent-encodes everything but A-Z a-z 0-9 - . _ ~ (for a query value).
std::string UrlEncode(absl::string_view text);

// Device output made harmless on a terminal: C0 controls other than tab,
// DEL, and C1 controls (U+0080..U+009F, which some terminals obey as escape
// sequences) are shown as \xNN or \u00NN instead of being sent. Valid UTF-8
// text passes unchanged; other bytes are shown as \xNN too.
std::string TerminalSafe(absl::string_view text);

// Splits a byte stream into lines as it arrives: Feed() returns the lines
// completed by `data`, without their '\n'; a partial line waits for more.
class LineSplitter {
 public:
  std::vector<std::string> Feed(absl::string_view data);
  // What is left without a '\n' (the stream ended mid-line).
  const std::string& rest() const { return rest_; }

 private:
  std::string rest_;
};

// One grep match record ({"port","time","line"}) as a terminal line:
// "PORT TIME LINE\n" (TIME "-" for a log without timestamps), made safe.
std::string RenderGrepMatch(const nlohmann::json& match);

// What grep's final {"end": {...}} record says that the operator should
// know (a limit reached, ports skipped or unreadable), one message per line
// for stderr; empty when there is nothing to say.
std::vector<std::string> GrepEndNotes(const nlohmann::json& end);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_LOG_OUTPUT_H_
