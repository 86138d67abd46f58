// Banner template expansion. See banner.h.
#include "config/banner.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> ExpandBanner(absl::string_view tmpl, const BannerContext& ctx) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (c == '\n') {
      if (out.empty() || out.back() != '\r') out.push_back('\r');
      out.push_back('\n');
      continue;
    }
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= tmpl.size()) {
      return absl::InvalidArgumentError("banner ends with a lone backslash (use \\\\)");
    }
    const char e = tmpl[++i];
    switch (e) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'e':
        out.push_back('\x1b');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'N':
        absl::StrAppend(&out, ctx.port_name);
        break;
      case 'd':
        absl::StrAppend(&out, ctx.device);
        break;
      case 'p':
        absl::StrAppend(&out, ctx.tcp_port);
        break;
      case 'B':
      case 's':
        absl::StrAppend(&out, ctx.serial);
        break;
      case 'x': {
        const int hi = i + 1 < tmpl.size() ? HexValue(tmpl[i + 1]) : -1;
        const int lo = i + 2 < tmpl.size() ? HexValue(tmpl[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          return absl::InvalidArgumentError("banner escape \\x needs two hex digits, as in \\x1b");
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown banner escape '\\", absl::string_view(&e, 1),
            "' (known: \\r \\n \\t \\a \\b \\f \\v \\e \\\\ \\xHH \\N \\d \\p \\B \\s)"));
    }
  }
  return out;
}

absl::Status ValidateBanner(absl::string_view tmpl) {
  return ExpandBanner(tmpl, BannerContext{}).status();
}

}  // namespace ttyhub
