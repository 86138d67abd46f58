// Printing a converted configuration as native YAML, and loading it. See
// converted_config.h.
#include "config/converted_config.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "config/config_loader.h"

namespace ttyhub {
namespace {

// The name the rendered text is loaded under. Positions after it are lines
// of the rendered text, which RewritePositions turns into source lines.
constexpr absl::string_view kRenderedName = "@converted@";

// Comments hold source text: keep them on one line.
std::string CommentText(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

class Renderer {
 public:
  RenderedConfig Render(const ConvertedConfig& c) {
    Comment(0, absl::StrCat("ttyhub configuration converted by `ttyhub convert` from ", c.source,
                            " (", c.format, ")."));
    Comment(0, absl::StrCat("Comments name the line of ", c.source,
                            " each item comes from. Check it with: ttyhub --check -c FILE"));
    for (const std::string& note : c.notes) Comment(0, note);
    if (!c.admin.empty()) {
      Line(c.admin_line, "admin:");
      Keys(c.admin, c.admin_line, 2, "");
    }
    Line(0, "ports:");
    for (const ConvertedPort& port : c.ports) {
      if (!port.comment.empty()) Comment(port.line, port.comment, 2);
      for (const std::string& note : port.notes) Comment(port.line, note, 2);
      Keys(port.keys, port.line, 4, "- ");
      Line(port.line, "    listen:");
      for (const ConvertedListener& l : port.listeners) {
        if (!l.comment.empty()) Comment(l.line, l.comment, 6);
        Keys(l.keys, l.line, 8, "- ");
      }
    }
    return std::move(out_);
  }

 private:
  void Line(int source_line, absl::string_view text) {
    absl::StrAppend(&out_.text, text, "\n");
    out_.source_lines.push_back(source_line);
  }

  void Comment(int source_line, absl::string_view text, int indent = 0) {
    Line(source_line, absl::StrCat(std::string(indent, ' '), "# ", CommentText(text)));
  }

  // `first_prefix` replaces the last two columns of the indent on the first
  // key ("- " starts a list item).
  void Keys(const std::vector<ConvertedKey>& keys, int item_line, int indent,
            absl::string_view first_prefix) {
    for (size_t i = 0; i < keys.size(); ++i) {
      const ConvertedKey& k = keys[i];
      std::string text = std::string(indent, ' ');
      if (i == 0 && !first_prefix.empty()) {
        text.replace(text.size() - first_prefix.size(), first_prefix.size(), first_prefix.data(),
                     first_prefix.size());
      }
      absl::StrAppend(&text, k.key, ": ", k.yaml);
      // A comment that only repeats the value says nothing.
      if (!k.comment.empty() && k.comment != k.yaml) {
        absl::StrAppend(&text, "  # ", CommentText(k.comment));
      }
      Line(k.line > 0 ? k.line : item_line, text);
    }
  }

  RenderedConfig out_;
};

// Replaces each "@converted@:LINE:COL" in `text` with "SOURCE:SOURCE_LINE".
std::string RewritePositions(absl::string_view text, const RenderedConfig& rendered,
                             absl::string_view source) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t at = text.find(kRenderedName, pos);
    if (at == absl::string_view::npos) break;
    absl::StrAppend(&out, text.substr(pos, at - pos));
    size_t i = at + kRenderedName.size();
    int line = 0;
    bool have_line = false;
    if (i < text.size() && text[i] == ':') {
      size_t j = i + 1;
      while (j < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j > i + 1 && absl::SimpleAtoi(text.substr(i + 1, j - i - 1), &line)) {
        have_line = true;
        i = j;
        // Drop the column: it is a column of the rendered text.
        if (i < text.size() && text[i] == ':') {
          size_t k = i + 1;
          while (k < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[k]))) ++k;
          if (k > i + 1) i = k;
        }
      }
    }
    const int source_line =
        have_line && line >= 1 && static_cast<size_t>(line) <= rendered.source_lines.size()
            ? rendered.source_lines[line - 1]
            : 0;
    absl::StrAppend(&out, source);
    if (source_line > 0) absl::StrAppend(&out, ":", source_line);
    pos = i;
  }
  absl::StrAppend(&out, text.substr(pos));
  return out;
}

bool IsReservedWord(absl::string_view s) {
  const std::string l = absl::AsciiStrToLower(s);
  return l == "true" || l == "false" || l == "yes" || l == "no" || l == "on" || l == "off" ||
         l == "y" || l == "n" || l == "null" || l == "~";
}

}  // namespace

std::string YamlScalar(absl::string_view s) {
  bool plain = !s.empty() && !IsReservedWord(s) && s.back() != ':';
  for (size_t i = 0; plain && i < s.size(); ++i) {
    const char c = s[i];
    const bool word =
        absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '.';
    plain = i == 0 ? word && c != '.'
                   : word || c == ':' || c == '-' || c == '+' || c == '@' || c == '=';
  }
  if (plain) return std::string(s);
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "''"}}), "'");
}

RenderedConfig RenderConvertedConfig(const ConvertedConfig& converted) {
  return Renderer().Render(converted);
}

absl::StatusOr<Config> LoadConvertedConfig(const ConvertedConfig& converted) {
  const RenderedConfig rendered = RenderConvertedConfig(converted);
  absl::StatusOr<Config> config = LoadConfigText(rendered.text, kRenderedName);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        RewritePositions(config.status().message(), rendered, converted.source));
  }
  config->source = converted.source;
  auto fix = [&](std::string* where) {
    *where = RewritePositions(*where, rendered, converted.source);
  };
  for (PortConfig& port : config->ports) {
    fix(&port.where);
    for (ListenerConfig& l : port.listeners) fix(&l.where);
  }
  fix(&config->admin.where);
  return config;
}

}  // namespace ttyhub
