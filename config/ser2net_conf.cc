// ser2net.conf, line by line. See ser2net_conf.h.
#include "config/ser2net_conf.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/ser2net_address.h"
#include "config/ser2net_defaults.h"
#include "config/ser2net_options.h"

namespace ttyhub {
namespace {

// A logical line: physical lines joined where one ends in '\'.
struct LogicalLine {
  int first = 0;  // 1-based
  int last = 0;
  std::string text;
};

// Named definitions. BANNER, SIGNATURE, OPENSTR, CLOSESTR, CLOSEON and
// DEVICE share one namespace in ser2net; the latest definition of a name wins.
struct Definition {
  std::string kind;  // "BANNER", "TRACEFILE", ...
  std::string text;
  int line = 0;
};

constexpr absl::string_view kStringKinds[] = {"BANNER",   "SIGNATURE", "OPENSTR",
                                              "CLOSESTR", "CLOSEON",   "DEVICE"};

// Long lines are shortened in messages and comments.
std::string Excerpt(absl::string_view s) {
  constexpr size_t kMax = 100;
  if (s.size() <= kMax) return std::string(s);
  return absl::StrCat(s.substr(0, kMax - 3), "...");
}

std::vector<LogicalLine> SplitLines(absl::string_view text) {
  std::vector<absl::string_view> physical = absl::StrSplit(text, '\n');
  if (!physical.empty() && physical.back().empty()) physical.pop_back();
  std::vector<LogicalLine> lines;
  for (size_t i = 0; i < physical.size(); ++i) {
    absl::string_view p = absl::StripSuffix(physical[i], "\r");
    LogicalLine l;
    l.first = static_cast<int>(i) + 1;
    const absl::string_view stripped = absl::StripLeadingAsciiWhitespace(p);
    if (stripped.empty() || stripped[0] == '#') {
      l.last = l.first;
      lines.push_back(l);  // kept (empty text) so that numbering is plain
      continue;
    }
    std::string joined(p);
    while (!joined.empty() && joined.back() == '\\' && i + 1 < physical.size()) {
      joined.pop_back();
      ++i;
      absl::StrAppend(&joined, absl::StripSuffix(physical[i], "\r"));
    }
    if (!joined.empty() && joined.back() == '\\') joined.pop_back();  // at the end of the file
    l.last = static_cast<int>(i) + 1;
    l.text = std::move(joined);
    lines.push_back(std::move(l));
  }
  return lines;
}

class ConfReader {
 public:
  explicit ConfReader(Ser2netDiagnostics* diag) : diag_(diag) {}

  Ser2netFile Read(absl::string_view text) {
    file_.dialect = Ser2netDialect::kConf;
    const std::vector<LogicalLine> lines = SplitLines(text);
    // Every definition, for "defined only later" hints.
    for (const LogicalLine& l : lines) {
      std::string kind, name, rest;
      if (SplitDirective(l.text, &kind, &name, &rest)) later_[kind + ":" + name] = l.first;
    }
    for (const LogicalLine& l : lines) {
      if (l.text.empty()) continue;
      Line(l);
    }
    return std::move(file_);
  }

 private:
  // "KIND:NAME:REST" for the directives that define a name.
  static bool SplitDirective(absl::string_view text, std::string* kind, std::string* name,
                             std::string* rest) {
    for (absl::string_view k : {"BANNER", "SIGNATURE", "OPENSTR", "CLOSESTR", "CLOSEON", "DEVICE",
                                "TRACEFILE", "RS485CONF", "LED"}) {
      if (absl::StartsWith(text, absl::StrCat(k, ":"))) {
        absl::string_view after = text.substr(k.size() + 1);
        const size_t colon = after.find(':');
        *kind = std::string(k);
        *name = std::string(after.substr(0, colon));
        *rest = colon == absl::string_view::npos ? "" : std::string(after.substr(colon + 1));
        return true;
      }
    }
    return false;
  }

  void Line(const LogicalLine& l) {
    const Ser2netOrigin origin{l.first, Excerpt(l.text)};
    std::string kind, name, rest;
    if (SplitDirective(l.text, &kind, &name, &rest)) {
      Define(l, kind, name, rest);
      return;
    }
    if (absl::StartsWith(l.text, "CONTROLPORT:")) {
      ControlPort(l, l.text.substr(12));
      return;
    }
    if (absl::StartsWith(l.text, "DEFAULT:") || absl::StartsWith(l.text, "DELDEFAULT:")) {
      const bool del = l.text[1] == 'E' && l.text[2] == 'L';
      std::vector<std::string> parts =
          absl::StrSplit(absl::string_view(l.text).substr(del ? 11 : 8), absl::MaxSplits(':', 2));
      parts.resize(3);
      if (parts[0].empty()) {
        diag_->Error(l.first, absl::StrCat("'", origin.text, "': no default name given"));
      } else if (del) {
        defaults_.Delete(parts[0], parts[1], origin, diag_);
      } else {
        // ser2net 3: DEFAULT:name:value; ser2net 4 adds :class.
        defaults_.Set(parts[0], parts[2], parts[1], origin, diag_);
      }
      return;
    }
    if (absl::StartsWith(l.text, "ROTATOR:")) {
      diag_->Error(l.first,
                   "ROTATOR is not supported yet: ttyhub has no listener that hands "
                   "each client the next free port of a list");
      return;
    }
    PortLine(l);
  }

  void Define(const LogicalLine& l, const std::string& kind, const std::string& name,
              const std::string& rest) {
    if (name.empty()) {
      diag_->Error(l.first, absl::StrCat(kind, ": no name given"));
      return;
    }
    if ((kind == "TRACEFILE" || kind == "LED") && rest.empty()) {
      diag_->Error(l.first, absl::StrCat(kind, ":", name, ": no ",
                                         kind == "LED" ? "LED driver" : "file name", " given"));
      return;
    }
    if (kind == "LED") {
      diag_->Notice(l.first, absl::StrCat("LED:", name,
                                          " is ignored: ttyhub does not flash LEDs (a port that "
                                          "uses it is an error)"));
    }
    const bool shared =
        std::find(std::begin(kStringKinds), std::end(kStringKinds), kind) != std::end(kStringKinds);
    defined_[shared ? std::string("string:") + name : kind + ":" + name] =
        Definition{kind, rest, l.first};
  }

  void ControlPort(const LogicalLine& l, absl::string_view spec) {
    const Ser2netOrigin origin{l.first, Excerpt(l.text)};
    if (file_.admin) {
      diag_->Notice(l.first, absl::StrCat("'", origin.text,
                                          "' is ignored: ser2net uses the first "
                                          "CONTROLPORT (line ",
                                          file_.admin->origin.line, ")"));
      return;
    }
    auto a = Address(spec, origin);
    if (!a) return;
    file_.admin = Ser2netAdmin{origin, a->host, a->port, a->localhost};
  }

  // "[ipv4,|ipv6,][tcp,|udp,][host,]port".
  std::optional<Ser2netAddress> Address(absl::string_view spec, const Ser2netOrigin& origin) {
    absl::string_view s = absl::StripAsciiWhitespace(spec);
    absl::string_view family;
    for (absl::string_view f : {"ipv4", "ipv6"}) {
      if (absl::ConsumePrefix(&s, absl::StrCat(f, ","))) family = f;
    }
    if (absl::StartsWith(s, "udp,")) {
      diag_->Error(origin.line,
                   absl::StrCat("'", spec, "': UDP is not supported: ttyhub listens on TCP"));
      return std::nullopt;
    }
    absl::ConsumePrefix(&s, "tcp,");
    absl::string_view host, port = s;
    if (const size_t comma = s.find(','); comma != absl::string_view::npos) {
      host = s.substr(0, comma);
      port = s.substr(comma + 1);
    }
    auto a = MakeSer2netAddress(family, host, port);
    if (!a.ok()) {
      diag_->Error(origin.line, absl::StrCat("'", spec, "': ", a.status().message()));
      return std::nullopt;
    }
    return *a;
  }

  // The definition `name` of `kind` ("string" for the shared namespace) made
  // before `line`, or nullptr. If `reported` is given and the name is defined
  // only later, adds an error saying so and sets *reported.
  const Definition* Find(absl::string_view kind, absl::string_view name, int line,
                         absl::string_view word, bool* reported = nullptr) {
    auto it = defined_.find(absl::StrCat(kind, ":", name));
    if (it != defined_.end()) return &it->second;
    if (reported == nullptr) return nullptr;
    for (absl::string_view k :
         kind == "string"
             ? std::vector<absl::string_view>(std::begin(kStringKinds), std::end(kStringKinds))
             : std::vector<absl::string_view>{kind}) {
      auto later = later_.find(absl::StrCat(k, ":", name));
      if (later != later_.end()) {
        diag_->Error(line, absl::StrCat("'", word, "': ", k, ":", name,
                                        " is defined only later, "
                                        "on line ",
                                        later->second, "; ser2net reads the file from the top"));
        *reported = true;
        return nullptr;
      }
    }
    return nullptr;
  }

  void PortLine(const LogicalLine& l) {
    const std::string& text = l.text;
    // The state is the first ":raw:", ":rawlp:", ":telnet:", ":off:" or ":on:";
    // the port spec before it may hold colons (IPv6).
    size_t state_at = std::string::npos;
    std::string state;
    for (size_t i = text.find(':'); i != std::string::npos; i = text.find(':', i + 1)) {
      for (const char* s : {"rawlp", "raw", "telnet", "off", "on"}) {
        if (absl::StartsWith(absl::string_view(text).substr(i + 1), absl::StrCat(s, ":"))) {
          state = s;
          break;
        }
      }
      if (!state.empty()) {
        state_at = i;
        break;
      }
    }
    if (state.empty()) {
      diag_->Error(l.first, absl::StrCat("'", Excerpt(text),
                                         "' is not a ser2net.conf line: expected "
                                         "[host,]port:state:timeout:device:options with state "
                                         "raw, rawlp, telnet or off, or a directive such as "
                                         "BANNER:"));
      return;
    }
    const std::string spec = text.substr(0, state_at);
    const absl::string_view after = absl::string_view(text).substr(state_at + state.size() + 2);
    std::vector<absl::string_view> fields = absl::StrSplit(after, absl::MaxSplits(':', 2));
    fields.resize(3);
    const absl::string_view timeout = absl::StripAsciiWhitespace(fields[0]);
    const absl::string_view devname = absl::StripAsciiWhitespace(fields[1]);
    const absl::string_view options = fields[2];

    Ser2netConnection c = defaults_.NewConnection(diag_);
    c.origin = Ser2netOrigin{l.first, Excerpt(text)};
    c.last_line = l.last;
    c.accepter_text = spec;
    c.accepter_is_bare_port = !spec.empty() && std::all_of(spec.begin(), spec.end(), [](char ch) {
      return absl::ascii_isdigit(ch);
    });
    c.accepter_origin = Ser2netOrigin{l.first, spec};
    if (auto a = Address(spec, c.accepter_origin)) c.addresses.push_back(*a);

    const Ser2netOrigin state_origin{l.first, state};
    c.telnet.Set(state == "telnet", state_origin);
    if (state == "off") c.enabled.Set(false, state_origin);
    if (state == "rawlp") c.write_only.Set(true, state_origin);
    uint64_t seconds = 0;
    if (timeout.empty() ||
        !std::all_of(timeout.begin(), timeout.end(),
                     [](char ch) { return absl::ascii_isdigit(ch); }) ||
        !absl::SimpleAtoi(timeout, &seconds)) {
      diag_->Error(l.first,
                   absl::StrCat("timeout: expected a number of seconds, got '", timeout, "'"));
    } else {
      c.timeout_seconds.Set(seconds, Ser2netOrigin{l.first, absl::StrCat("timeout ", timeout)});
    }

    c.device_origin = Ser2netOrigin{l.first, std::string(devname)};
    if (const Definition* d = Find("string", devname, l.first, devname);
        d != nullptr && d->kind == "DEVICE") {
      c.device = std::string(absl::StripAsciiWhitespace(d->text));
      c.device_alias = std::string(devname);
      c.device_origin.text = absl::StrCat(devname, ", DEVICE on line ", d->line);
    } else {
      c.device = std::string(devname);
    }
    if (devname.empty()) {
      diag_->Error(l.first, "no device given");
    } else if (absl::StartsWith(c.device, "sol.")) {
      diag_->Error(l.first, absl::StrCat("'", devname,
                                         "': IPMI Serial over LAN is not supported: ttyhub "
                                         "serves serial devices"));
    } else if (c.device.empty() || c.device[0] != '/') {
      bool reported = false;
      Find("string", devname, l.first, devname, &reported);
      if (!reported) {
        diag_->Error(l.first, absl::StrCat("device '", devname,
                                           "': expected an absolute path such as /dev/ttyS0 (or "
                                           "a DEVICE name defined above)"));
      }
    }

    for (absl::string_view word :
         absl::StrSplit(options, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      Option(word, l.first, &c);
    }
    file_.connections.push_back(std::move(c));
  }

  void Option(absl::string_view word, int line, Ser2netConnection* c) {
    const Ser2netOrigin origin{line, std::string(word)};
    if (ApplySer2netSerialWord(word, origin, c, diag_)) return;
    const std::string lower = absl::AsciiStrToLower(word);
    absl::string_view bare = lower;
    const bool negated = absl::ConsumePrefix(&bare, "-");
    const char* truth = negated ? "false" : "true";
    if (bare == "remctl" || bare == "kickolduser") {
      ApplySer2netOption(bare, truth, origin, c, diag_);
      return;
    }
    if (bare == "telnet_brk_on_sync") {
      ApplySer2netOption("telnet-brk-on-sync", truth, origin, c, diag_);
      return;
    }
    if (bare == "chardelay" || bare == "disable-chardelay") {
      ApplySer2netOption("chardelay", truth, origin, c, diag_);
      return;
    }
    if (bare == "hexdump" || bare == "timestamp") {
      ApplySer2netOption(absl::StrCat("trace-", bare), truth, origin, c, diag_);
      return;
    }
    for (auto [prefix, which] : {std::pair<absl::string_view, absl::string_view>{"tr-", "read"},
                                 {"tw-", "write"},
                                 {"tb-", "both"}}) {
      absl::string_view flag = bare;
      if (absl::ConsumePrefix(&flag, prefix) && (flag == "hexdump" || flag == "timestamp")) {
        ApplySer2netOption(absl::StrCat("trace-", which, "-", flag), truth, origin, c, diag_);
        return;
      }
    }
    if (const size_t eq = word.find('='); eq != absl::string_view::npos && !negated) {
      const std::string key = absl::AsciiStrToLower(word.substr(0, eq));
      const absl::string_view value = word.substr(eq + 1);
      if (key == "tr" || key == "tw" || key == "tb") {
        bool reported = false;
        const Definition* d = Find("TRACEFILE", value, line, word, &reported);
        if (d == nullptr) {
          if (!reported) {
            diag_->Error(line, absl::StrCat("'", word, "': there is no TRACEFILE:", value));
          }
          return;
        }
        const std::string name = key == "tr"   ? "trace-read"
                                 : key == "tw" ? "trace-write"
                                               : "trace-both";
        ApplySer2netOption(name, d->text,
                           Ser2netOrigin{line, absl::StrCat(word, ", TRACEFILE on line ", d->line)},
                           c, diag_);
        return;
      }
      static constexpr absl::string_view kValued[] = {"chardelay-scale",
                                                      "chardelay-min",
                                                      "chardelay-max",
                                                      "dev-to-net-bufsize",
                                                      "net-to-dev-bufsize",
                                                      "dev-to-tcp-bufsize",
                                                      "tcp-to-dev-bufsize",
                                                      "max-connections",
                                                      "remaddr",
                                                      "led-rx",
                                                      "led-tx"};
      for (absl::string_view k : kValued) {
        if (key == k) {
          std::string name(k);
          if (name == "dev-to-tcp-bufsize") name = "dev-to-net-bufsize";
          if (name == "tcp-to-dev-bufsize") name = "net-to-dev-bufsize";
          ApplySer2netOption(name, value, origin, c, diag_);
          return;
        }
      }
    }
    if (const Definition* d = Find("string", word, line, word);
        d != nullptr && d->kind != "DEVICE") {
      const Ser2netOrigin named{line, absl::StrCat(word, ", ", d->kind, " on line ", d->line)};
      std::string name = absl::AsciiStrToLower(d->kind);
      ApplySer2netOption(name, d->text, named, c, diag_);
      return;
    }
    bool reported = false;
    Find("string", word, line, word, &reported);
    if (reported) return;
    std::string hint;
    if (const size_t colon = word.find(':'); colon != absl::string_view::npos) {
      hint =
          absl::StrCat(" (did you mean ", word.substr(0, colon), "=", word.substr(colon + 1), "?)");
    }
    diag_->Error(line, absl::StrCat("unknown option '", word, "'", hint));
  }

  Ser2netDiagnostics* diag_;
  Ser2netFile file_;
  Ser2netDefaults defaults_;
  std::map<std::string, Definition> defined_;  // "string:NAME", "TRACEFILE:NAME", "LED:NAME"...
  std::map<std::string, int> later_;           // "BANNER:NAME" -> the line defining it
};

}  // namespace

Ser2netFile ParseSer2netConf(absl::string_view text, Ser2netDiagnostics* diag) {
  return ConfReader(diag).Read(text);
}

}  // namespace ttyhub
