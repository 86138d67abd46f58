// ser2net's options, one by one. See ser2net_options.h; the table in
// docs/configuration.md ("Migrating from ser2net") says the same in prose.
#include "config/ser2net_options.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ttyhub {
namespace {

std::string Quoted(absl::string_view s) { return absl::StrCat("'", s, "'"); }

// "'kickolduser' is not supported yet: ..." - for what the engine may learn.
void NotYet(const Ser2netOrigin& origin, absl::string_view why, Ser2netDiagnostics* diag) {
  diag->Error(origin.line, absl::StrCat(Quoted(origin.text), " is not supported yet: ", why));
}

// "'authdir: x' is not supported: ..." - for what ttyhub does not intend to do.
void NotSupported(const Ser2netOrigin& origin, absl::string_view why, Ser2netDiagnostics* diag) {
  diag->Error(origin.line, absl::StrCat(Quoted(origin.text), " is not supported: ", why));
}

void Ignored(const Ser2netOrigin& origin, absl::string_view why, Ser2netDiagnostics* diag) {
  diag->Notice(origin.line, absl::StrCat(Quoted(origin.text), " is ignored: ", why));
}

std::optional<bool> Bool(absl::string_view value, const Ser2netOrigin& origin,
                         Ser2netDiagnostics* diag) {
  std::optional<bool> b = ParseSer2netBool(value);
  if (!b) {
    diag->Error(origin.line,
                absl::StrCat(Quoted(origin.text), ": expected true or false, got ", Quoted(value)));
  }
  return b;
}

std::optional<uint64_t> Count(absl::string_view value, const Ser2netOrigin& origin,
                              Ser2netDiagnostics* diag) {
  uint64_t n = 0;
  if (value.empty() || !absl::SimpleAtoi(value, &n) || !absl::ascii_isdigit(value[0])) {
    diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": expected a whole number, got ",
                                          Quoted(value)));
    return std::nullopt;
  }
  return n;
}

constexpr absl::string_view kWhyChardelay =
    "ttyhub sends what the device prints to clients as soon as it has read it";
constexpr absl::string_view kWhyBufsize =
    "ttyhub's transfer buffers are its own (the port's ring is `buffer:`)";
constexpr absl::string_view kWhyRetry =
    "ttyhub does not start if it cannot listen, and reopens a failed device with backoff";
constexpr absl::string_view kWhyAuth =
    "ttyhub's listeners have no authentication; its admin API has tokens";

// Sets the hexdump or timestamp flag of the trace files `which` names:
// "" all three, "read", "write" or "both".
void SetTraceFlag(Ser2netConnection* c, absl::string_view which, bool hexdump, bool value,
                  const Ser2netOrigin& origin) {
  for (auto [name, trace] : {std::pair<absl::string_view, Ser2netTrace*>{"read", &c->trace_read},
                             {"write", &c->trace_write},
                             {"both", &c->trace_both}}) {
    if (!which.empty() && which != name) continue;
    (hexdump ? trace->hexdump : trace->timestamp).Set(value, origin);
  }
}

// A serialdev flag in its three spellings: "local", "-LOCAL" (ser2net 3),
// "local=false" (gensio). Returns the value, or nullopt if `word` is not it.
std::optional<std::optional<bool>> Flag(absl::string_view word, absl::string_view name,
                                        const Ser2netOrigin& origin, Ser2netDiagnostics* diag) {
  const std::string lower = absl::AsciiStrToLower(word);
  if (lower == name) return std::optional<bool>(true);
  if (lower == absl::StrCat("-", name)) return std::optional<bool>(false);
  if (absl::StartsWith(lower, absl::StrCat(name, "="))) {
    return Bool(word.substr(name.size() + 1), origin, diag);
  }
  return std::nullopt;
}

// "<baud>[<parity>[<data bits>[<stop bits>]]]", as gensio reads a serialdev
// speed. Returns false if `spec` does not start with a speed of 10 or more
// (gensio's test: "1STOPBIT" starts with a digit but is no speed).
bool ApplySpeed(absl::string_view spec, const Ser2netOrigin& origin, Ser2netConnection* c,
                Ser2netDiagnostics* diag) {
  size_t digits = 0;
  while (digits < spec.size() && absl::ascii_isdigit(static_cast<unsigned char>(spec[digits]))) {
    ++digits;
  }
  uint64_t baud = 0;
  if (digits == 0 || digits > 9 || !absl::SimpleAtoi(spec.substr(0, digits), &baud) || baud < 10) {
    return false;
  }
  if (absl::Status s = CheckBaudRate(static_cast<uint32_t>(baud)); !s.ok()) {
    diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": ", s.message()));
    return true;
  }
  absl::string_view rest = spec.substr(digits);
  std::optional<Parity> parity;
  std::optional<uint8_t> data_bits, stop_bits;
  if (!rest.empty()) {
    switch (absl::ascii_tolower(static_cast<unsigned char>(rest[0]))) {
      case 'n':
        parity = Parity::kNone;
        break;
      case 'e':
        parity = Parity::kEven;
        break;
      case 'o':
        parity = Parity::kOdd;
        break;
      case 'm':
        parity = Parity::kMark;
        break;
      case 's':
        parity = Parity::kSpace;
        break;
      default:
        diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": unknown parity ",
                                              Quoted(rest.substr(0, 1)), " (use N, E, O, M or S)"));
        return true;
    }
    rest.remove_prefix(1);
  }
  if (!rest.empty()) {
    if (rest[0] < '5' || rest[0] > '8') {
      diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": data bits must be 5 to 8"));
      return true;
    }
    data_bits = static_cast<uint8_t>(rest[0] - '0');
    rest.remove_prefix(1);
  }
  if (!rest.empty()) {
    if (rest[0] != '1' && rest[0] != '2') {
      diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": stop bits must be 1 or 2"));
      return true;
    }
    stop_bits = static_cast<uint8_t>(rest[0] - '0');
    rest.remove_prefix(1);
  }
  if (!rest.empty()) {
    diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": unexpected ", Quoted(rest),
                                          " after the serial parameters"));
    return true;
  }
  c->baud.Set(static_cast<uint32_t>(baud), origin);
  if (parity) c->parity.Set(*parity, origin);
  if (data_bits) c->data_bits.Set(*data_bits, origin);
  if (stop_bits) c->stop_bits.Set(*stop_bits, origin);
  return true;
}

// remaddr: "[!]addr[;[!]addr...]", each addr "[ipv4,|ipv6,]host[/bits][,port]",
// becomes ttyhub `allow:` networks. Port 0 (or none) means any client port.
void AddRemoteAddresses(absl::string_view value, const Ser2netOrigin& origin, Ser2netConnection* c,
                        Ser2netDiagnostics* diag) {
  if (absl::StripAsciiWhitespace(value).empty()) return;  // ser2net ignores an empty remaddr
  if (!c->remaddr_own) {
    c->remaddr.value.clear();
    c->remaddr_own = true;
  }
  std::vector<std::string> networks = c->remaddr.value;
  for (absl::string_view entry : absl::StrSplit(value, ';', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (absl::StartsWith(entry, "!")) {
      NotSupported(Ser2netOrigin{origin.line, std::string(entry)},
                   "ttyhub does not connect out to clients (a '!' connect-back address)", diag);
      return;
    }
    std::vector<absl::string_view> parts = absl::StrSplit(entry, ',');
    if (parts.size() > 1 && (parts[0] == "ipv4" || parts[0] == "ipv6" || parts[0] == "ipv6n4")) {
      parts.erase(parts.begin());
    }
    if (parts.size() > 2 || parts.empty()) {
      diag->Error(origin.line,
                  absl::StrCat(Quoted(origin.text), ": cannot read the address ", Quoted(entry)));
      return;
    }
    if (parts.size() == 2 && parts[1] != "0") {
      NotSupported(Ser2netOrigin{origin.line, std::string(entry)},
                   "ttyhub's allow: lists match client addresses, not client ports (use port 0)",
                   diag);
      return;
    }
    const absl::string_view network = absl::StripAsciiWhitespace(parts[0]);
    const bool numeric =
        !network.empty() && std::all_of(network.begin(), network.end(), [](char ch) {
          return absl::ascii_isxdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == ':' ||
                 ch == '/';
        });
    if (!numeric) {
      NotSupported(Ser2netOrigin{origin.line, std::string(entry)},
                   "ttyhub's allow: lists take numeric addresses and networks, not host names",
                   diag);
      return;
    }
    networks.emplace_back(network);
  }
  c->remaddr.Set(std::move(networks), origin);
}

}  // namespace

std::optional<bool> ParseSer2netBool(absl::string_view value) {
  const std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (v.empty() || v == "true" || v == "on" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "off" || v == "no" || v == "0") return false;
  return std::nullopt;
}

bool ApplySer2netSerialWord(absl::string_view word, const Ser2netOrigin& origin,
                            Ser2netConnection* c, Ser2netDiagnostics* diag) {
  const std::string lower = absl::AsciiStrToLower(word);
  if (absl::StartsWith(lower, "speed=")) {
    if (!ApplySpeed(word.substr(6), origin, c, diag)) {
      diag->Error(origin.line,
                  absl::StrCat(Quoted(origin.text), ": expected a speed such as 9600 or 9600n81"));
    }
    return true;
  }
  if (ApplySpeed(word, origin, c, diag)) return true;
  if (lower == "1stopbit" || lower == "2stopbits") {
    c->stop_bits.Set(static_cast<uint8_t>(lower[0] - '0'), origin);
    return true;
  }
  if (lower.size() == 9 && lower[0] >= '5' && lower[0] <= '8' && lower.substr(1) == "databits") {
    c->data_bits.Set(static_cast<uint8_t>(lower[0] - '0'), origin);
    return true;
  }
  static constexpr std::pair<absl::string_view, Parity> kParities[] = {{"none", Parity::kNone},
                                                                       {"even", Parity::kEven},
                                                                       {"odd", Parity::kOdd},
                                                                       {"mark", Parity::kMark},
                                                                       {"space", Parity::kSpace}};
  for (const auto& [name, parity] : kParities) {
    if (lower == name) {
      c->parity.Set(parity, origin);
      return true;
    }
  }
  struct FlagSetting {
    absl::string_view name;
    Ser2netSetting<bool>* setting;
  };
  for (const FlagSetting& f :
       {FlagSetting{"xonxoff", &c->xonxoff}, FlagSetting{"rtscts", &c->rtscts},
        FlagSetting{"local", &c->local}, FlagSetting{"hangup-when-done", &c->hangup_when_done},
        FlagSetting{"hangup_when_done", &c->hangup_when_done},
        FlagSetting{"nobreak", &c->nobreak}}) {
    if (auto v = Flag(word, f.name, origin, diag)) {
      if (*v) f.setting->Set(**v, origin);
      return true;
    }
  }
  if (auto v = Flag(word, "wronly", origin, diag)) {
    if (*v) c->write_only.Set(**v, origin);  // as ser2net 3's rawlp: no termios either
    return true;
  }
  if (auto v = Flag(word, "rdonly", origin, diag)) {
    if (v->value_or(false)) {
      NotSupported(origin, "ttyhub opens devices for reading and writing; use ro listeners", diag);
    }
    return true;
  }
  if (absl::StartsWith(lower, "dtr=") || absl::StartsWith(lower, "rts=") || lower == "dtr" ||
      lower == "rts") {
    NotYet(origin,
           "ttyhub cannot yet force DTR or RTS when it opens a device (clients can set them "
           "over RFC 2217)",
           diag);
    return true;
  }
  if (absl::StartsWith(lower, "rs485=")) {
    if (lower != "rs485=off") {
      NotYet(origin, "ttyhub cannot yet configure RS-485 mode", diag);
    }
    return true;
  }
  if (auto v = Flag(word, "custspeed", origin, diag)) {
    return true;  // ttyhub sets any rate the driver takes (termios2 BOTHER)
  }
  for (absl::string_view lock : {"uucplock", "flock"}) {
    if (auto v = Flag(word, lock, origin, diag)) {
      if (*v && !**v) {
        Ignored(origin,
                "ttyhub locks every tty device it opens (UUCP lock and TIOCEXCL); `lock_dir: ''` "
                "turns UUCP locks off for all ports",
                diag);
      }
      return true;
    }
  }
  if (absl::StartsWith(lower, "drain_time=") || absl::StartsWith(lower, "char_drain_wait=")) {
    Ignored(origin, "ttyhub's `shutdown_timeout` bounds how long it flushes on exit", diag);
    return true;
  }
  return false;
}

void ApplySer2netOption(absl::string_view raw_name, absl::string_view value,
                        const Ser2netOrigin& origin, Ser2netConnection* c,
                        Ser2netDiagnostics* diag) {
  const std::string name = absl::AsciiStrToLower(raw_name);
  if (name == "kickolduser") {
    if (auto b = Bool(value, origin, diag)) c->kickolduser.Set(*b, origin);
  } else if (name == "max-connections") {
    if (auto n = Count(value, origin, diag)) {
      // ser2net takes 0 as 1; ttyhub's max_clients stops at 100000.
      if (*n > 100'000) {
        diag->Error(origin.line, absl::StrCat(Quoted(origin.text),
                                              ": ttyhub accepts at most 100000 clients per port"));
      } else {
        c->max_connections.Set(static_cast<uint32_t>(*n == 0 ? 1 : *n), origin);
      }
    }
  } else if (name == "banner") {
    c->banner.Set(std::string(value), origin);
  } else if (name == "signature") {
    c->signature.Set(std::string(value), origin);
  } else if (name == "openstr") {
    c->openstr.Set(std::string(value), origin);
  } else if (name == "closestr") {
    c->closestr.Set(std::string(value), origin);
  } else if (name == "closeon" || name == "sendon") {
    if (!value.empty()) {
      NotYet(origin,
             name == "closeon"
                 ? "ttyhub cannot yet close connections when the device prints a given string"
                 : "ttyhub cannot yet hold device output back until a given string",
             diag);
    }
  } else if (name == "trace-read" || name == "trace-write" || name == "trace-both") {
    if (value.empty()) {
      diag->Error(origin.line, absl::StrCat(Quoted(origin.text), ": needs a file name"));
    } else {
      Ser2netTrace& t = name == "trace-read"    ? c->trace_read
                        : name == "trace-write" ? c->trace_write
                                                : c->trace_both;
      t.file.Set(std::string(value), origin);
    }
  } else if (name == "trace-hexdump" || name == "trace-timestamp") {
    if (auto b = Bool(value, origin, diag)) {
      SetTraceFlag(c, "", name == "trace-hexdump", *b, origin);
    }
  } else if (absl::StartsWith(name, "trace-") &&
             (absl::EndsWith(name, "-hexdump") || absl::EndsWith(name, "-timestamp"))) {
    const bool hexdump = absl::EndsWith(name, "-hexdump");
    absl::string_view which = name;
    which.remove_prefix(6);
    which.remove_suffix(hexdump ? 8 : 10);
    if (which != "read" && which != "write" && which != "both") {
      diag->Error(origin.line, absl::StrCat("unknown option ", Quoted(origin.text)));
    } else if (auto b = Bool(value, origin, diag)) {
      SetTraceFlag(c, which, hexdump, *b, origin);
    }
  } else if (name == "telnet-brk-on-sync") {
    if (auto b = Bool(value, origin, diag)) c->telnet_brk_on_sync.Set(*b, origin);
  } else if (name == "remctl") {
    if (auto b = Bool(value, origin, diag)) c->rfc2217.Set(*b, origin);
  } else if (name == "chardelay") {
    if (Bool(value, origin, diag)) Ignored(origin, kWhyChardelay, diag);
  } else if (name == "chardelay-scale" || name == "chardelay-min" || name == "chardelay-max") {
    if (Count(value, origin, diag)) Ignored(origin, kWhyChardelay, diag);
  } else if (name == "dev-to-net-bufsize" || name == "net-to-dev-bufsize") {
    if (Count(value, origin, diag)) Ignored(origin, kWhyBufsize, diag);
  } else if (name == "accepter-retry-time" || name == "connector-retry-time") {
    if (Count(value, origin, diag)) Ignored(origin, kWhyRetry, diag);
  } else if (name == "timeout") {
    if (auto n = Count(value, origin, diag)) c->timeout_seconds.Set(*n, origin);
  } else if (name == "led-rx" || name == "led-tx") {
    NotYet(origin, "ttyhub does not flash LEDs on serial traffic yet", diag);
  } else if (name == "no-con-to-acc") {
    if (auto b = Bool(value, origin, diag); b && *b) {
      NotSupported(origin, "a ttyhub port always sends the device's output to its clients", diag);
    }
  } else if (name == "no-acc-to-con") {
    if (auto b = Bool(value, origin, diag)) c->read_only.Set(*b, origin);
  } else if (name == "remaddr") {
    AddRemoteAddresses(value, origin, c, diag);
  } else if (name == "connback") {
    if (!value.empty()) NotSupported(origin, "ttyhub does not connect out to clients", diag);
  } else if (name == "authdir" || name == "pamauth" || name == "allowed-users") {
    if (!value.empty()) NotSupported(origin, kWhyAuth, diag);
  } else if (name == "mdns") {
    if (auto b = Bool(value, origin, diag); b && *b) {
      NotSupported(origin, "ttyhub does not announce its ports over mDNS", diag);
    }
  } else if (absl::StartsWith(name, "mdns-")) {
    Ignored(origin, "ttyhub does not announce its ports over mDNS", diag);
  } else {
    diag->Error(origin.line, absl::StrCat("unknown option ", Quoted(origin.text)));
  }
}

}  // namespace ttyhub
