// ser2net banner and file name escapes, translated. See ser2net_strings.h.
//
// One scanner serves both: it walks the text as ser2net does when it expands
// it, and hands each resulting piece to an Output that writes it in ttyhub's
// notation (a banner template or a log path template).
#include "config/ser2net_strings.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "config/log_path.h"

namespace ttyhub {
namespace {

bool IsTimeEscape(char e, Ser2netDialect dialect) {
  switch (e) {
    case 'Y':
    case 'y':
    case 'M':
    case 'm':
    case 'A':
    case 'D':
    case 'H':
    case 'h':
    case 'i':
    case 'S':
    case 'q':
    case 'P':
    case 'e':
    case 'U':
      return true;
    case 'T':  // \T (HH:MM:SS) came with ser2net 4
      return dialect == Ser2netDialect::kYaml;
    default:
      return false;
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The text after the last '/', as ser2net puts \d and \o into file names.
absl::string_view AfterLastSlash(absl::string_view s) {
  const size_t slash = s.rfind('/');
  return slash == absl::string_view::npos ? s : s.substr(slash + 1);
}

// Receives the pieces of an expanded ser2net string.
class Output {
 public:
  virtual ~Output() = default;
  // A byte that ser2net sends (or writes into the name) as it is.
  virtual absl::Status Byte(unsigned char b) = 0;
  // Text whose bytes ser2net sends as they are.
  absl::Status Text(absl::string_view s) {
    for (char c : s) {
      if (absl::Status st = Byte(static_cast<unsigned char>(c)); !st.ok()) return st;
    }
    return absl::OkStatus();
  }
  // A ttyhub escape (or other template text) written unchanged.
  void Template(absl::string_view t) { absl::StrAppend(&out_, t); }
  std::string& out() { return out_; }

 protected:
  std::string out_;
};

class BannerOutput : public Output {
 public:
  absl::Status Byte(unsigned char b) override {
    switch (b) {
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':  // a bare line feed would be sent as CR LF: ser2net sends LF only
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (b >= 0x20 && b < 0x7f) {
          out_.push_back(static_cast<char>(b));
        } else {
          absl::StrAppendFormat(&out_, "\\x%02x", b);
        }
    }
    return absl::OkStatus();
  }
};

class FilenameOutput : public Output {
 public:
  absl::Status Byte(unsigned char b) override {
    if (b < 0x20 || b == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrFormat("a file name cannot hold the control character 0x%02x", b));
    }
    if (b == '%') {
      out_ += "%%";
    } else if (b == '\\') {
      out_ += "\\\\";
    } else {
      out_.push_back(static_cast<char>(b));
    }
    return absl::OkStatus();
  }
};

// Expands `text` as ser2net does (its process_str), into `out`.
absl::Status Scan(absl::string_view text, const Ser2netStringContext& ctx, bool filename,
                  Output* out) {
  const bool yaml = ctx.dialect == Ser2netDialect::kYaml;
  const bool name_is_ours = ctx.port_name == ctx.connection_name;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c != '\\') {
      if (absl::Status s = out->Byte(static_cast<unsigned char>(c)); !s.ok()) return s;
      ++i;
      continue;
    }
    ++i;
    if (i >= n) break;  // a lone backslash at the end: ser2net drops it
    const char e = text[i];
    absl::Status s;
    switch (e) {
      case 'a':
        s = out->Byte(7);
        break;
      case 'b':
        s = out->Byte(8);
        break;
      case 'f':
        s = out->Byte(12);
        break;
      case 'n':
        s = out->Byte(10);
        break;
      case 'r':
        s = out->Byte(13);
        break;
      case 't':
        s = out->Byte(9);
        break;
      case 'v':
        s = out->Byte(11);
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // Up to three digits. ser2net takes any decimal digit after the
        // first, and sends nothing when a non-digit cuts the escape short.
        unsigned value = static_cast<unsigned>(e - '0');
        size_t digits = 1;
        ++i;
        while (digits < 3) {
          if (i >= n) return out->Byte(static_cast<unsigned char>(value));
          if (!isdigit(static_cast<unsigned char>(text[i]))) break;
          value = value * 8 + static_cast<unsigned>(text[i] - '0');
          ++digits;
          ++i;
        }
        if (digits == 3) {
          s = out->Byte(static_cast<unsigned char>(value & 0xff));
          if (!s.ok()) return s;
        }
        continue;  // `i` is already past the escape
      }
      case 'x': {
        // \xH or \xHH; as with octal, a non-digit cuts it short and sends nothing.
        ++i;
        if (i >= n) return absl::OkStatus();
        const int hi = HexDigit(text[i]);
        if (hi < 0) continue;  // the non-digit is read as ordinary text
        ++i;
        if (i >= n) return out->Byte(static_cast<unsigned char>(hi));
        const int lo = HexDigit(text[i]);
        if (lo < 0) continue;
        s = out->Byte(static_cast<unsigned char>(hi * 16 + lo));
        break;
      }
      case 'd':
        if (yaml) {
          s = out->Text(filename ? AfterLastSlash(ctx.connector_text)
                                 : absl::string_view(ctx.connector_text));
        } else {
          out->Template("\\d");
        }
        break;
      case 'o':
        if (yaml) {  // ser2net 4: the connection's name
          if (name_is_ours) {
            out->Template(filename ? "%n" : "\\N");
          } else {
            s = out->Text(ctx.connection_name);
          }
        } else if (!ctx.device_alias.empty()) {  // ser2net 3: the DEVICE name as written
          s = out->Text(filename ? AfterLastSlash(ctx.device_alias)
                                 : absl::string_view(ctx.device_alias));
        } else {
          out->Template("\\d");
        }
        break;
      case 'N':
        if (!yaml) {
          s = out->Byte('N');  // not an escape in ser2net 3
        } else if (name_is_ours) {
          out->Template(filename ? "%n" : "\\N");
        } else {
          s = out->Text(ctx.connection_name);
        }
        break;
      case 'p':
        if (!filename && !yaml && ctx.accepter_is_bare_port) {
          out->Template("\\p");  // the listener's port number, as ser2net 3 prints it
        } else {
          s = out->Text(ctx.accepter_text);
        }
        break;
      case 's':
        if (yaml) {
          s = out->Byte('s');  // ser2net 4 has no \s: it prints the letter
        } else {
          // ser2net 3: seconds in a file name, the serial parameters in a
          // banner; ttyhub's \s means the same in each.
          out->Template("\\s");
        }
        break;
      case 'B':
        if (ctx.echo) {
          // ser2net prints nothing: the echo device has no serial parameters.
        } else if (filename) {
          s = out->Text(yaml ? absl::StrCat(",", ctx.serial_text, ctx.serial_flags)
                             : ctx.serial_text);
        } else if (yaml) {
          // ser2net 4 prints the device's remote address from its first comma:
          // ",9600N81,CLOCAL". The framing part follows live changes.
          s = out->Byte(',');
          out->Template("\\B");
          if (s.ok()) s = out->Text(ctx.serial_flags);
        } else {
          out->Template("\\B");
        }
        break;
      case 'T':
        if (!yaml) {
          s = out->Byte('T');
        } else if (filename) {
          out->Template("\\H:\\i:\\S");
        } else {
          return absl::InvalidArgumentError(
              "\\T (the time) is not supported yet in ttyhub banners");
        }
        break;
      case 'I':
        return absl::InvalidArgumentError(
            filename ? "\\I (the client's address) has no meaning for a console log, which "
                       "ttyhub keeps for all clients at once"
                     : "\\I (the client's address) is not supported yet in ttyhub banners");
      default:
        if (IsTimeEscape(e, ctx.dialect)) {
          if (filename) {
            out->Template(absl::StrCat("\\", absl::string_view(&e, 1)));
          } else {
            return absl::InvalidArgumentError(absl::StrCat(
                "\\", absl::string_view(&e, 1),
                " (a time) is not supported yet in ttyhub banners: they are the same for "
                "every client"));
          }
        } else {
          // \\ \? \' \" and escapes ser2net does not know: the character itself.
          s = out->Byte(static_cast<unsigned char>(e));
        }
    }
    if (!s.ok()) return s;
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> TranslateSer2netBanner(absl::string_view text,
                                                   const Ser2netStringContext& ctx) {
  BannerOutput out;
  if (absl::Status s = Scan(text, ctx, /*filename=*/false, &out); !s.ok()) return s;
  return std::move(out.out());
}

absl::StatusOr<std::string> TranslateSer2netFilename(absl::string_view text,
                                                     const Ser2netStringContext& ctx) {
  FilenameOutput out;
  if (absl::Status s = Scan(text, ctx, /*filename=*/true, &out); !s.ok()) return s;
  if (absl::Status s = ValidateLogPathTemplate(out.out()); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("as a ttyhub log path '", out.out(), "': ", s.message()));
  }
  return std::move(out.out());
}

}  // namespace ttyhub
