// Telling configuration formats apart. See config_format.h for the rule.
#include "config/config_format.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ttyhub {
namespace {

bool IsConfLine(absl::string_view line) {
  for (absl::string_view keyword :
       {"BANNER", "SIGNATURE", "OPENSTR", "CLOSESTR", "CLOSEON", "DEVICE", "TRACEFILE",
        "CONTROLPORT", "RS485CONF", "DEFAULT", "DELDEFAULT", "ROTATOR", "LED"}) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, keyword) && absl::ConsumePrefix(&rest, ":") && !rest.empty() &&
        rest[0] != ' ' && rest[0] != '\t') {
      return true;
    }
  }
  // "2000:..." (a port line with a mistyped state is still a port line).
  const size_t colon = line.find(':');
  if (colon > 0 && colon != absl::string_view::npos && colon + 1 < line.size() &&
      line[colon + 1] != ' ' && line[colon + 1] != '\t' &&
      std::all_of(line.begin(), line.begin() + colon,
                  [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
    return true;
  }
  for (absl::string_view state : {":raw:", ":rawlp:", ":telnet:", ":off:", ":on:"}) {
    const size_t at = line.find(state);
    if (at != absl::string_view::npos &&
        line.substr(0, at).find_first_of(" \t") == absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

// The key of a line "key:" or "key: value" that starts in column 1, or "".
std::string TopLevelKey(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && (absl::ascii_isalnum(static_cast<unsigned char>(line[i])) ||
                             line[i] == '_' || line[i] == '-')) {
    ++i;
  }
  if (i == 0 || i >= line.size() || line[i] != ':') return "";
  if (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t') return "";
  return absl::AsciiStrToLower(line.substr(0, i));
}

}  // namespace

ConfigFormat DetectConfigFormat(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");  // a UTF-8 byte order mark
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (absl::string_view raw : lines) {
    const absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    const absl::string_view stripped = absl::StripLeadingAsciiWhitespace(line);
    if (stripped.empty() || stripped[0] == '#') continue;
    if (IsConfLine(line)) return ConfigFormat::kSer2netConf;
    break;
  }
  bool ser2net_key = false;
  for (absl::string_view raw : lines) {
    const std::string key = TopLevelKey(absl::StripSuffix(raw, "\r"));
    if (key == "ports" || key == "workers" || key == "defaults" || key == "shutdown_timeout" ||
        key == "log_level" || key == "lock_dir") {
      return ConfigFormat::kTtyhub;
    }
    if (key == "connection" || key == "define" || key == "default" || key == "delete_default" ||
        key == "include" || key == "rotator" || key == "led") {
      ser2net_key = true;
    }
  }
  return ser2net_key ? ConfigFormat::kSer2netYaml : ConfigFormat::kTtyhub;
}

absl::string_view ConfigFormatName(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kTtyhub:
      return "ttyhub YAML";
    case ConfigFormat::kSer2netYaml:
      return "ser2net 4 ser2net.yaml";
    case ConfigFormat::kSer2netConf:
      return "ser2net 3 ser2net.conf";
  }
  return "?";
}

}  // namespace ttyhub
