// Console log path templates. See log_path.h.
#include "config/log_path.h"

#include <time.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttyhub {
namespace {

constexpr absl::string_view kBackslashEscapes = "YyMmADeUHhiSsqPpd\\";

}  // namespace

absl::Status ValidateLogPathTemplate(absl::string_view tmpl) {
  if (tmpl.empty() || tmpl.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("must be an absolute path such as ", kDefaultLogPath, ", got '", tmpl, "'"));
  }
  if (tmpl.size() > kMaxLogPathTemplateBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("is longer than ", kMaxLogPathTemplateBytes, " bytes"));
  }
  if (tmpl.back() == '/') {
    return absl::InvalidArgumentError(absl::StrCat("names a directory, not a file: '", tmpl, "'"));
  }
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(tmpl[i]);
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("contains a control character");
    }
    if (c == '%') {
      if (i + 1 >= tmpl.size() || (tmpl[i + 1] != 'n' && tmpl[i + 1] != '%')) {
        return absl::InvalidArgumentError(absl::StrCat(
            "has an unknown escape '%", i + 1 < tmpl.size() ? tmpl.substr(i + 1, 1) : "",
            "' (use %n for the port name, %% for a percent sign)"));
      }
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= tmpl.size() || kBackslashEscapes.find(tmpl[i + 1]) == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "has an unknown escape '\\", i + 1 < tmpl.size() ? tmpl.substr(i + 1, 1) : "",
            "' (ser2net's filename escapes are \\Y \\y \\M \\m \\A \\D \\e \\U \\H \\h \\i \\S "
            "\\s \\q \\P \\p \\d)"));
      }
      ++i;
    }
  }
  // ".." as a whole path component would leave the directory the operator
  // named; escapes expand to names without '/', so the literal text decides.
  for (absl::string_view rest = tmpl; !rest.empty();) {
    const size_t slash = rest.find('/');
    const absl::string_view part = rest.substr(0, slash);
    if (part == "..") return absl::InvalidArgumentError("must not contain '..' components");
    if (slash == absl::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return absl::OkStatus();
}

std::string ExpandLogPath(absl::string_view tmpl, const LogPathFields& fields,
                          std::chrono::system_clock::time_point now) {
  const auto since_epoch = now.time_since_epoch();
  const time_t secs =
      static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() % 1'000'000;
  struct tm tm {};
  localtime_r(&secs, &tm);
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if ((c != '%' && c != '\\') || i + 1 >= tmpl.size()) {
      out.push_back(c);
      continue;
    }
    const char e = tmpl[++i];
    if (c == '%') {
      if (e == 'n') {
        absl::StrAppend(&out, fields.port_name);
      } else {
        out.push_back(e);
      }
      continue;
    }
    switch (e) {
      case 'Y':
        absl::StrAppendFormat(&out, "%04d", tm.tm_year + 1900);
        break;
      case 'y':
        absl::StrAppendFormat(&out, "%03d", tm.tm_yday + 1);
        break;
      case 'M':
        out += kMonths[tm.tm_mon % 12];
        break;
      case 'm':
        absl::StrAppendFormat(&out, "%02d", tm.tm_mon + 1);
        break;
      case 'A':
        out += kDays[tm.tm_wday % 7];
        break;
      case 'D':
        absl::StrAppendFormat(&out, "%02d", tm.tm_mday);
        break;
      case 'e':
        absl::StrAppend(&out, static_cast<int64_t>(secs));
        break;
      case 'U':
        absl::StrAppendFormat(&out, "%06d", static_cast<int>(micros));
        break;
      case 'H':
        absl::StrAppendFormat(&out, "%02d", tm.tm_hour);
        break;
      case 'h':
        absl::StrAppendFormat(&out, "%02d", tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12);
        break;
      case 'i':
        absl::StrAppendFormat(&out, "%02d", tm.tm_min);
        break;
      case 'S':
      case 's':
        absl::StrAppendFormat(&out, "%02d", tm.tm_sec);
        break;
      case 'q':
        out += tm.tm_hour < 12 ? "am" : "pm";
        break;
      case 'P':
        out += tm.tm_hour < 12 ? "AM" : "PM";
        break;
      case 'p':
        absl::StrAppend(&out, fields.tcp_port);
        break;
      case 'd': {
        absl::string_view dev = fields.device;
        if (const size_t slash = dev.rfind('/'); slash != absl::string_view::npos) {
          dev.remove_prefix(slash + 1);
        }
        // A device name is the operator's, but keep the expansion one
        // harmless path component whatever it holds.
        if (dev.empty() || dev == "." || dev == "..") {
          out += "device";
          break;
        }
        for (char d : dev) {
          out.push_back(static_cast<unsigned char>(d) < 0x20 ? '_' : d);
        }
        break;
      }
      default:
        out.push_back(e);  // '\\'
        break;
    }
  }
  return out;
}

}  // namespace ttyhub
