// Text for ttyhubctl's log commands. See log_output.h.
#include "tools/ctl/log_output.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttyhub::ctl {
namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t Utf8Length(absl::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // a surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string UrlEncode(absl::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

std::string TerminalSafe(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = Utf8Length(text.substr(i));
    if (n == 0) {  // not UTF-8: show the byte
      absl::StrAppendFormat(&out, "\\x%02x", c);
      ++i;
    } else if (n == 1 && ((c < 0x20 && c != '\t') || c == 0x7F)) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(text[i + 1]));  // C1
      i += 2;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::vector<std::string> LineSplitter::Feed(absl::string_view data) {
  std::vector<std::string> lines;
  for (;;) {
    const size_t nl = data.find('\n');
    if (nl == absl::string_view::npos) break;
    rest_.append(data.data(), nl);
    lines.push_back(std::move(rest_));
    rest_.clear();
    data.remove_prefix(nl + 1);
  }
  rest_.append(data.data(), data.size());
  return lines;
}

std::string RenderGrepMatch(const nlohmann::json& match) {
  const auto text = [&](const char* key, const char* absent) {
    return match.contains(key) && match[key].is_string() ? match[key].get<std::string>()
                                                         : std::string(absent);
  };
  return absl::StrCat(TerminalSafe(text("port", "?")), " ", TerminalSafe(text("time", "-")), " ",
                      TerminalSafe(text("line", "")),
                      match.value("cut", false) ? " [line cut: too long]" : "", "\n");
}

std::vector<std::string> GrepEndNotes(const nlohmann::json& end) {
  std::vector<std::string> notes;
  const auto str = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? TerminalSafe(j[key].get<std::string>())
                                                 : std::string("?");
  };
  if (end.contains("skipped") && end["skipped"].is_array()) {
    for (const auto& s : end["skipped"]) {
      notes.push_back(absl::StrCat("port ", str(s, "port"), " not searched: ", str(s, "reason")));
    }
  }
  if (end.contains("errors") && end["errors"].is_array()) {
    for (const auto& e : end["errors"]) {
      notes.push_back(absl::StrCat("port ", str(e, "port"), ": ", str(e, "error")));
    }
  }
  if (end.contains("truncated") && end["truncated"].is_string()) {
    const std::string why = end["truncated"].get<std::string>();
    const char* limit = why == "max_matches"        ? "the limit on matches"
                        : why == "max_output_bytes" ? "the limit on output bytes"
                        : why == "max_read_bytes"   ? "the limit on bytes read"
                                                    : "a limit";
    notes.push_back(absl::StrCat("the search stopped early, at ", limit, " (", TerminalSafe(why),
                                 "); narrow it with --since or --ports"));
  }
  if (end.contains("searched") && end["searched"].is_array() && end["searched"].empty() &&
      notes.empty()) {
    notes.push_back("no port has a console log to search (see log: in the configuration)");
  }
  return notes;
}

}  // namespace ttyhub::ctl
