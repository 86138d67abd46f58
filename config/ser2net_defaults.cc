// ser2net's built-in and configured defaults. See ser2net_defaults.h.
#include "config/ser2net_defaults.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/ser2net_options.h"

namespace ttyhub {
namespace {

Ser2netOrigin BuiltIn(absl::string_view what) { return Ser2netOrigin{0, std::string(what)}; }

// ser2net 3's spellings, as ser2net 4 writes them.
std::string NormalisedName(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  if (n == "hangup_when_done") return "hangup-when-done";
  if (n == "telnet_brk_on_sync") return "telnet-brk-on-sync";
  if (n == "dev-to-tcp-bufsize") return "dev-to-net-bufsize";
  if (n == "tcp-to-dev-bufsize") return "net-to-dev-bufsize";
  return n;
}

bool IsSerialFlag(absl::string_view n) {
  return n == "xonxoff" || n == "rtscts" || n == "local" || n == "hangup-when-done" ||
         n == "nobreak" || n == "rs485" || n == "dtr" || n == "rts" || n == "wronly" ||
         n == "custspeed" || n == "uucplock" || n == "flock" || n == "drain_time" ||
         n == "char_drain_wait";
}

// gensio defaults of the accepting side that change nothing ttyhub does.
bool IsGensioDefaultWithoutEffect(absl::string_view n) {
  return n == "readbuf" || n == "nodelay" || n == "reuseaddr" || n == "tcpd" || n == "tcpdname" ||
         n == "laddr" || n == "mode";
}

}  // namespace

Ser2netConnection DefaultSer2netConnection() {
  Ser2netConnection c;
  c.enabled.Set(true, BuiltIn("ser2net's default: enabled"));
  c.telnet.Set(false, BuiltIn("ser2net's default: raw"));
  c.rfc2217.Set(false, BuiltIn("ser2net's default: no RFC 2217"));
  c.timeout_seconds.Set(0, BuiltIn("ser2net's default timeout: 0 (none)"));
  c.baud.Set(9600, BuiltIn("ser2net's default 9600N81"));
  c.parity.Set(Parity::kNone, BuiltIn("ser2net's default 9600N81"));
  c.data_bits.Set(8, BuiltIn("ser2net's default 9600N81"));
  c.stop_bits.Set(1, BuiltIn("ser2net's default 9600N81"));
  c.xonxoff.Set(false, BuiltIn("ser2net's default: no flow control"));
  c.rtscts.Set(false, BuiltIn("ser2net's default: no flow control"));
  c.local.Set(false, BuiltIn("ser2net's default: modem lines watched (no LOCAL)"));
  c.hangup_when_done.Set(false, BuiltIn("ser2net's default: no HANGUP_WHEN_DONE"));
  c.nobreak.Set(false, BuiltIn("ser2net's default: break cleared at open"));
  c.write_only.Set(false, BuiltIn("ser2net's default: read and written"));
  c.kickolduser.Set(false, BuiltIn("ser2net's default: no kickolduser"));
  c.telnet_brk_on_sync.Set(false, BuiltIn("ser2net's default: no telnet-brk-on-sync"));
  c.read_only.Set(false, BuiltIn("ser2net's default: clients may write"));
  c.max_connections.Set(1, BuiltIn("ser2net's default max-connections: 1"));
  c.remaddr.Set({}, BuiltIn("ser2net's default: any client address"));
  c.banner.Set("", BuiltIn("ser2net's default: no banner"));
  c.signature.Set("", BuiltIn("ser2net's default signature"));
  c.openstr.Set("", BuiltIn("ser2net's default: no openstr"));
  c.closestr.Set("", BuiltIn("ser2net's default: no closestr"));
  for (Ser2netTrace* t : {&c.trace_read, &c.trace_write, &c.trace_both}) {
    t->file.Set("", BuiltIn("ser2net's default: no trace"));
    t->hexdump.Set(false, BuiltIn("ser2net's default: no hexdump"));
    t->timestamp.Set(false, BuiltIn("ser2net's default: no timestamps"));
  }
  return c;
}

void Ser2netDefaults::Set(absl::string_view name, absl::string_view cls, absl::string_view value,
                          const Ser2netOrigin& origin, Ser2netDiagnostics* diag) {
  const std::string n = NormalisedName(name);
  const std::string c = absl::AsciiStrToLower(absl::StripAsciiWhitespace(cls));
  const bool known_class = c.empty() || c == "serialdev" || c == "sdev" || c == "ser2net" ||
                           (c == "telnet" && n == "rfc2217");
  if (!known_class) {
    diag->Notice(
        origin.line,
        absl::StrCat("'", origin.text, "' is ignored: it is a default for ", c,
                     c == "telnet" ? " (only its rfc2217 has a meaning in ttyhub)"
                                   : " connections or accepters, which ttyhub has none of"));
    return;
  }
  Value v{n, !c.empty(), std::string(absl::StripAsciiWhitespace(value)), origin};
  // Check the value once, where it is set.
  Ser2netConnection scratch = DefaultSer2netConnection();
  Apply(v, &scratch, diag);
  auto it = std::find_if(values_.begin(), values_.end(), [&](const Value& old) {
    return old.name == v.name && old.for_class == v.for_class;
  });
  if (it != values_.end()) {
    *it = std::move(v);
  } else {
    values_.push_back(std::move(v));
  }
}

void Ser2netDefaults::Delete(absl::string_view name, absl::string_view cls,
                             const Ser2netOrigin& origin, Ser2netDiagnostics* diag) {
  if (absl::StripAsciiWhitespace(cls).empty()) {
    diag->Error(origin.line, absl::StrCat("'", origin.text,
                                          "': deleting a default needs its class (ser2net cannot "
                                          "delete a default for every class)"));
    return;
  }
  const std::string n = NormalisedName(name);
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](const Value& v) { return v.name == n && v.for_class; }),
                values_.end());
}

Ser2netConnection Ser2netDefaults::NewConnection(Ser2netDiagnostics* diag) const {
  Ser2netConnection c = DefaultSer2netConnection();
  // A class's own default wins over the general one.
  for (const bool for_class : {false, true}) {
    for (const Value& v : values_) {
      if (v.for_class == for_class) Apply(v, &c, diag);
    }
  }
  c.remaddr_own = false;  // the connection's own remaddr replaces the default's
  return c;
}

void Ser2netDefaults::Apply(const Value& v, Ser2netConnection* c, Ser2netDiagnostics* diag) {
  const std::string& n = v.name;
  const Ser2netOrigin& o = v.origin;
  std::string word;
  if (n == "speed") {
    word = v.value;
    if (word.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(word[0]))) {
      diag->Error(o.line, absl::StrCat("'", o.text, "': expected a speed such as 9600 or 9600n81"));
      return;
    }
  } else if (n == "databits") {
    word = absl::StrCat(v.value, "DATABITS");
  } else if (n == "stopbits") {
    word = absl::StrCat(v.value, v.value == "1" ? "STOPBIT" : "STOPBITS");
  } else if (n == "parity") {
    word = v.value;
  } else if (IsSerialFlag(n)) {
    word = absl::StrCat(n, "=", v.value.empty() ? "true" : v.value);
  } else if (n == "rfc2217") {
    if (auto b = ParseSer2netBool(v.value)) {
      c->rfc2217.Set(*b, o);
    } else {
      diag->Error(o.line, absl::StrCat("'", o.text, "': expected true or false"));
    }
    return;
  } else if (n == "authdir-admin" || n == "pamauth-admin") {
    if (!v.value.empty()) {
      diag->Error(o.line, absl::StrCat("'", o.text,
                                       "' is not supported: ttyhub's admin API authenticates "
                                       "with a token (admin: token_file:)"));
    }
    return;
  } else if (IsGensioDefaultWithoutEffect(n)) {
    diag->Notice(o.line, absl::StrCat("'", o.text,
                                      "' is ignored: ttyhub sets up its own sockets and buffers"));
    return;
  } else {
    ApplySer2netOption(n, v.value, o, c, diag);
    return;
  }
  if (!ApplySer2netSerialWord(word, o, c, diag)) {
    diag->Error(o.line, absl::StrCat("'", o.text, "': unknown value for ", n));
  }
}

}  // namespace ttyhub
