// YAML configuration loader and validator. See config_loader.h.
//
// Structure: a Loader walks the document once, collecting every error with its
// position. Keys that several levels accept (defaults -> port -> listener) are
// parsed into an `Inherited` set of optionals, then resolved top-down.
#include "config/config_loader.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/alert_rules.h"
#include "config/banner.h"
#include "config/config_format.h"
#include "config/device_url.h"
#include "config/log_path.h"
#include "config/ser2net_config.h"
#include "config/units.h"
#include "yaml-cpp/yaml.h"

namespace ttyhub {

absl::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kRaw:
      return "raw";
    case Protocol::kTelnet:
      return "telnet";
    case Protocol::kRfc2217:
      return "rfc2217";
  }
  return "?";
}

absl::string_view AccessName(Access a) { return a == Access::kReadOnly ? "ro" : "rw"; }

absl::string_view SlowClientPolicyName(SlowClientPolicy p) {
  switch (p) {
    case SlowClientPolicy::kBackpressure:
      return "backpressure";
    case SlowClientPolicy::kSkip:
      return "skip";
    case SlowClientPolicy::kDisconnect:
      return "disconnect";
  }
  return "?";
}

absl::string_view WriteModeName(WriteMode w) {
  switch (w) {
    case WriteMode::kShared:
      return "shared";
    case WriteMode::kExclusive:
      return "exclusive";
    case WriteMode::kTakeover:
      return "takeover";
  }
  return "?";
}

absl::string_view LatencyName(Latency l) { return l == Latency::kLow ? "low" : "normal"; }

namespace {

constexpr uint64_t kMinBuffer = 4 * 1024;
constexpr uint64_t kMaxBuffer = 64 * 1024 * 1024;
constexpr uint32_t kMaxClientsLimit = 100'000;
constexpr unsigned kMaxWorkers = 1024;
constexpr std::chrono::microseconds kMaxBusyPollWindow{10'000};
// `history:` bounds. Bytes are clamped at runtime to what the port's ring
// holds; these only reject values that cannot be meant.
constexpr uint64_t kMaxHistoryBytes = 16 * 1024 * 1024;
// `log.rotate`: the size bounds (bytes) and the most rotated files kept.
constexpr uint64_t kMinLogRotateBytes = 4 * 1024;
constexpr uint64_t kMaxLogRotateBytes = uint64_t{1} << 40;
constexpr uint64_t kMaxLogKeep = 1000;
// sun_path's size: a Unix socket path must be shorter.
constexpr size_t kMaxUnixPathBytes = 108;
// Whether this build has cuse listeners (libfuse3 found by CMake).
#ifdef TTYHUB_HAVE_CUSE
constexpr bool kCuseBuiltIn = true;
#else
constexpr bool kCuseBuiltIn = false;
#endif
// allow:/deny: entries per list.
constexpr size_t kMaxNetworksPerList = 1024;
constexpr uint64_t kMaxHistoryLines = 100'000;

// Which block a key appears in; decides which keys are allowed.
enum class Level { kDefaults, kPort, kListener };

// Keys that can be set in `defaults:`, on a port, and (some) on a listener.
struct Inherited {
  std::optional<SerialSettings> serial;  // flow left at kNone
  std::optional<FlowControl> flow;
  std::optional<bool> local;
  std::optional<bool> hangup_when_done;
  std::optional<uint64_t> buffer;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> stall_timeout;
  std::optional<std::string> banner;
  std::optional<HistorySpec> history;
  std::optional<uint32_t> max_clients;
  std::optional<SlowClientPolicy> slow_viewer;
  std::optional<SlowClientPolicy> slow_writer;
  std::optional<Protocol> protocol;
  std::optional<std::vector<AlertConfig>> alerts;  // a port's list replaces the defaults' list
  std::optional<bool> open_on_connect;
  std::optional<std::string> open_string;
  std::optional<std::string> close_string;
  std::optional<bool> write_only;
  std::optional<Latency> latency;
  std::optional<std::vector<Cidr>> allow;  // a listener's list replaces the inherited one
  std::optional<std::vector<Cidr>> deny;
  std::optional<WriteMode> write;
  std::optional<bool> kick_oldest;  // when_full: kick_oldest
  // `log:`, merged key by key: a port's `log: {input: true}` keeps the
  // defaults' path and rotation. `enabled` false: `log: off`.
  struct LogKeys {
    std::optional<bool> enabled;
    std::optional<std::string> path;
    std::optional<bool> timestamps;
    std::optional<uint64_t> rotate_bytes;
    std::optional<uint32_t> keep;
    std::optional<bool> daily;
    std::optional<bool> input;
  };
  std::optional<LogKeys> log;

  // Values set here win over values set in `parent`.
  void InheritFrom(const Inherited& parent) {
    auto take = [](auto& mine, const auto& theirs) {
      if (!mine.has_value()) mine = theirs;
    };
    take(serial, parent.serial);
    take(flow, parent.flow);
    take(local, parent.local);
    take(hangup_when_done, parent.hangup_when_done);
    take(buffer, parent.buffer);
    take(timeout, parent.timeout);
    take(stall_timeout, parent.stall_timeout);
    take(banner, parent.banner);
    take(history, parent.history);
    take(max_clients, parent.max_clients);
    take(slow_viewer, parent.slow_viewer);
    take(slow_writer, parent.slow_writer);
    take(protocol, parent.protocol);
    take(alerts, parent.alerts);
    take(open_on_connect, parent.open_on_connect);
    take(open_string, parent.open_string);
    take(close_string, parent.close_string);
    take(write_only, parent.write_only);
    take(latency, parent.latency);
    take(allow, parent.allow);
    take(deny, parent.deny);
    take(write, parent.write);
    take(kick_oldest, parent.kick_oldest);
    if (!log.has_value()) {
      log = parent.log;
    } else if (parent.log.has_value()) {
      take(log->enabled, parent.log->enabled);
      take(log->path, parent.log->path);
      take(log->timestamps, parent.log->timestamps);
      take(log->rotate_bytes, parent.log->rotate_bytes);
      take(log->keep, parent.log->keep);
      take(log->daily, parent.log->daily);
      take(log->input, parent.log->input);
    }
  }
};

bool IsPortOnlyKey(absl::string_view key) {
  return key == "serial" || key == "flow" || key == "local" || key == "hangup_when_done" ||
         key == "buffer" || key == "alerts" || key == "log" || key == "open" ||
         key == "open_string" || key == "close_string" || key == "write_only" || key == "latency";
}

bool IsListenerInheritableKey(absl::string_view key) {
  return key == "timeout" || key == "stall_timeout" || key == "banner" || key == "history" ||
         key == "max_clients" || key == "slow_viewer" || key == "slow_writer" ||
         key == "protocol" || key == "allow" || key == "deny" || key == "write" ||
         key == "when_full";
}

bool IsWildcardHost(absl::string_view host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

// The largest token file read, in bytes. A token is one line of at most a
// few hundred characters; anything bigger is not a token file.
constexpr off_t kMaxTokenFileBytes = 4096;

// Reads the admin token from the first line of `path`. Only a regular file of
// at most kMaxTokenFileBytes is read: a device (/dev/zero), a FIFO or a socket
// is refused at once instead of read forever or blocked on. O_NONBLOCK makes
// open() itself return at once for a FIFO with no writer.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read token file '", path, "': ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("cannot read token file '", path, "': ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("token file '", path, "' is not a regular file"));
  }
  if (st.st_size > kMaxTokenFileBytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat("token file '", path, "' is ", st.st_size,
                                                   " bytes; a token file holds at most ",
                                                   kMaxTokenFileBytes));
  }
  std::string text(static_cast<size_t>(kMaxTokenFileBytes) + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return absl::InternalError(
          absl::StrCat("cannot read token file '", path, "': ", std::strerror(err)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (got > static_cast<size_t>(kMaxTokenFileBytes)) {  // it grew after fstat
    return absl::InvalidArgumentError(
        absl::StrCat("token file '", path, "' holds more than ", kMaxTokenFileBytes, " bytes"));
  }
  text.resize(got);
  const absl::string_view first_line = absl::string_view(text).substr(0, text.find('\n'));
  const absl::string_view token = absl::StripAsciiWhitespace(first_line);
  if (token.size() < 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token in '", path, "' must be at least 16 characters"));
  }
  return std::string(token);
}

class Loader {
 private:
  struct ErrorLine {
    int line;
    int column;
    std::string text;
  };
  // Positions of the nodes CheckUniqueness reports on, per port.
  struct PortMarks {
    YAML::Mark node;
    YAML::Mark name;
    YAML::Mark device;
    std::vector<YAML::Mark> listener_ports;
  };

 public:
  explicit Loader(absl::string_view source) : source_(source) {}

  absl::StatusOr<Config> Load(absl::string_view text) {
    YAML::Node root;
    try {
      std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
      if (documents.size() > 1) return SecondDocumentError(text, documents[1]);
      if (!documents.empty()) root = documents[0];
    } catch (const YAML::Exception& e) {
      // yaml-cpp reports 0-based positions; -1 when it has none.
      const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
      const int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
      std::string hint;
      // A common slip: an unquoted IPv6 listen address is a YAML flow sequence.
      const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
      if (line >= 1 && static_cast<size_t>(line) <= lines.size() &&
          absl::StrContains(lines[line - 1], "]:")) {
        hint = " (quote IPv6 listen addresses, as in port: \"[::1]:7000\")";
      }
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ":", line, ":", column, ": YAML syntax error: ", e.msg, hint));
    }
    Config config;
    config.source = source_;
    if (!root.IsDefined() || root.IsNull()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ":1:1: the configuration is empty: it needs a 'ports:' list"));
    }
    if (!root.IsMap()) {
      Error(root, "", "the top level must be a mapping with a 'ports:' list");
      return Finish(std::move(config));
    }
    Inherited defaults;
    std::optional<YAML::Node> ports_node;  // a default YAML::Node counts as defined
    bool workers_set = false;
    ForEachKey(
        root, "", [&](const std::string& key, const YAML::Node& value, const std::string& path) {
          if (key == "workers") {
            if (auto n = UInt(value, path, 1, kMaxWorkers)) {
              config.workers = static_cast<unsigned>(*n);
              workers_set = true;
            }
          } else if (key == "ports") {
            ports_node = value;
          } else if (key == "defaults") {
            if (!value.IsMap()) {
              Error(value, path, "must be a mapping of port settings");
              return true;
            }
            ForEachKey(value, path,
                       [&](const std::string& k, const YAML::Node& v, const std::string& p) {
                         return ParseInherited(k, v, p, Level::kDefaults, &defaults);
                       });
          } else if (key == "shutdown_timeout") {
            if (auto d = Duration(value, path)) config.shutdown_timeout = *d;
          } else if (key == "lock_dir") {
            // UUCP device locks (LCK..ttyS0): a directory, or off.
            if (auto s = String(value, path)) {
              const std::string v = absl::AsciiStrToLower(*s);
              if (v == "off" || v == "false" || v == "no") {
                config.lock_dir.clear();
              } else if (s->empty() || s->front() != '/' ||
                         s->find_first_of(std::string("\0\n", 2)) != std::string::npos) {
                Error(value, path,
                      absl::StrCat("must be an absolute directory such as /run/lock, or off; got '",
                                   *s, "'"));
              } else {
                config.lock_dir = *s;
              }
            }
          } else if (key == "admin") {
            ParseAdmin(value, path, &config.admin);
          } else if (key == "busy_poll") {
            ParseBusyPoll(value, path, &config.busy_poll);
          } else if (key == "log_level") {
            if (auto s = String(value, path)) {
              const std::string level = absl::AsciiStrToLower(*s);
              if (level != "debug" && level != "info" && level != "warn" && level != "error") {
                Error(
                    value, path,
                    absl::StrCat("unknown log level '", *s, "' (use debug, info, warn or error)"));
              } else {
                config.log_level = level;
              }
            }
          } else {
            return false;
          }
          return true;
        });
    if (!workers_set) {
      const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
      config.workers = cpus > 0 ? static_cast<unsigned>(std::min<long>(cpus, kMaxWorkers)) : 1;
    }
    if (!ports_node) {
      AddError(YAML::Mark(), absl::StrCat(source_, ":1:1: ports: missing; list at least one port"));
    } else if (!ports_node->IsSequence()) {
      Error(*ports_node, "ports", "must be a list of ports");
    } else if (ports_node->size() == 0) {
      Error(*ports_node, "ports", "is empty; list at least one port");
    } else {
      for (size_t i = 0; i < ports_node->size(); ++i) {
        ParsePort((*ports_node)[i], absl::StrCat("ports[", i, "]"), defaults, &config);
      }
      for (PortConfig& port : config.ports) port.lock_dir = config.lock_dir;
      CheckUniqueness(config);
    }
    return Finish(std::move(config));
  }

 private:
  struct PortSeen {
    std::string path;
    std::string where;
  };

  // yaml-cpp reads every document of a stream, and YAML::Load keeps only the
  // first, so a second one (after "---") would be silently ignored. It is an
  // error instead, placed at its "---" line.
  absl::Status SecondDocumentError(absl::string_view text, const YAML::Node& second) {
    const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
    // The node's mark is its first content line (0-based); its "---" is there or above.
    int line = std::max(second.Mark().line, 0);
    int marker = -1;
    for (int i = std::min<int>(line, static_cast<int>(lines.size()) - 1); i >= 0; --i) {
      if (absl::StartsWith(lines[i], "---")) {
        marker = i;
        break;
      }
    }
    if (marker >= 0) line = marker;
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", line + 1,
                     ":1: a second YAML document starts here; a "
                     "configuration file holds exactly one (remove this '---' and what "
                     "follows, or merge it into the first document)"));
  }

  // Errors are reported in file order, whatever order they were found in.
  absl::StatusOr<Config> Finish(Config config) {
    if (errors_.empty()) return config;
    std::stable_sort(errors_.begin(), errors_.end(), [](const ErrorLine& a, const ErrorLine& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::vector<std::string> lines;
    for (const ErrorLine& e : errors_) lines.push_back(e.text);
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }

  // "file:line:col: path", 1-based; nodes without a position report 1:1.
  std::string Where(const YAML::Node& node, absl::string_view path) const {
    return WhereMark(node.Mark(), path);
  }

  void Error(const YAML::Node& node, absl::string_view path, absl::string_view message) {
    if (path.empty()) {
      AddError(node.Mark(), absl::StrCat(WhereMark(node.Mark(), ""), message));
    } else {
      AddError(node.Mark(), absl::StrCat(Where(node, path), ": ", message));
    }
  }

  std::string WhereMark(const YAML::Mark& m, absl::string_view path) const {
    return absl::StrCat(source_, ":", std::max(m.line, 0) + 1, ":", std::max(m.column, 0) + 1, ": ",
                        path);
  }

  // Calls fn(key, value, path) for each entry of a mapping. fn returns false
  // for a key it does not know, which becomes an "unknown key" error. Repeated
  // keys are errors too (YAML forbids them; yaml-cpp keeps both).
  template <typename Fn>
  void ForEachKey(const YAML::Node& map, const std::string& prefix, Fn fn) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: it-> returns a proxy that dies at the end of the expression.
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      if (!key_node.IsScalar()) {
        Error(key_node, prefix, "keys must be plain names");
        continue;
      }
      const std::string key = key_node.Scalar();
      const std::string path = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
      if (!seen.insert(key).second) {
        Error(key_node, path, "duplicate key");
        continue;
      }
      if (!fn(key, value, path)) Error(key_node, path, "unknown key");
    }
  }

  std::optional<std::string> String(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
      Error(node, path, "must be a single value");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<uint64_t> UInt(const YAML::Node& node, const std::string& path, uint64_t min,
                               uint64_t max) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    uint64_t n = 0;
    if (!absl::SimpleAtoi(*s, &n) || absl::StartsWith(*s, "-") || absl::StartsWith(*s, "+")) {
      Error(node, path, absl::StrCat("expected a whole number, got '", *s, "'"));
      return std::nullopt;
    }
    if (n < min || n > max) {
      Error(node, path, absl::StrCat("must be between ", min, " and ", max, ", got ", n));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> Bool(const YAML::Node& node, const std::string& path) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    const std::string v = absl::AsciiStrToLower(*s);
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
    Error(node, path, absl::StrCat("expected true or false, got '", *s, "'"));
    return std::nullopt;
  }

  std::optional<std::chrono::milliseconds> Duration(const YAML::Node& node,
                                                    const std::string& path) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    auto d = ParseDuration(*s);
    if (!d.ok()) {
      Error(node, path, d.status().message());
      return std::nullopt;
    }
    return *d;
  }

  // `history:` is off (or YAML false), a byte size as `buffer:` takes it
  // ("64KiB", "4096"), or "N lines" / "N line". Bytes 1..kMaxHistoryBytes,
  // lines 1..kMaxHistoryLines.
  std::optional<HistorySpec> History(const YAML::Node& node, const std::string& path) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    const std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*s));
    if (text == "off" || text == "false" || text == "no") return HistorySpec{};
    if (text == "on" || text == "true" || text == "yes") {
      Error(node, path,
            absl::StrCat("needs an amount, such as 64KiB or 200 lines, got '", *s, "'"));
      return std::nullopt;
    }
    const std::string expected =
        absl::StrCat("expected off, a size such as 64KiB, or N lines, got '", *s, "'");
    absl::string_view count = text;
    if (absl::ConsumeSuffix(&count, "lines") || absl::ConsumeSuffix(&count, "line")) {
      count = absl::StripTrailingAsciiWhitespace(count);
      if (count.empty() || !std::all_of(count.begin(), count.end(), [](char c) {
            return absl::ascii_isdigit(static_cast<unsigned char>(c));
          })) {
        Error(node, path, expected);
        return std::nullopt;
      }
      uint64_t lines = 0;  // SimpleAtoi fails only on overflow here: out of range too
      if (!absl::SimpleAtoi(count, &lines) || lines < 1 || lines > kMaxHistoryLines) {
        Error(node, path,
              absl::StrCat("must be between 1 and ", kMaxHistoryLines, " lines, got '", *s, "'"));
        return std::nullopt;
      }
      return HistorySpec{HistorySpec::Kind::kLines, lines};
    }
    auto bytes = ParseByteSize(text);
    if (!bytes.ok()) {
      // A known unit after the digits means the number overflowed: too large,
      // not malformed.
      const size_t digits = text.find_first_not_of("0123456789");
      const bool overflow =
          !text.empty() && digits != 0 &&
          ParseByteSize(absl::StrCat("1", text.substr(std::min(digits, text.size())))).ok();
      Error(node, path,
            overflow ? absl::StrCat("must be between 1B and 16MiB, got '", *s, "'") : expected);
      return std::nullopt;
    }
    if (*bytes < 1 || *bytes > kMaxHistoryBytes) {
      Error(node, path,
            absl::StrCat("must be between 1B and 16MiB, got '", *s, "'",
                         *bytes == 0 ? " (use off for no history)" : ""));
      return std::nullopt;
    }
    return HistorySpec{HistorySpec::Kind::kBytes, *bytes};
  }

  // `alerts:` is a list of {name, regex}. Names are unique in the list; each
  // regex compiles with RE2 (its error text is reported at the regex).
  std::optional<std::vector<AlertConfig>> Alerts(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence()) {
      Error(node, path,
            "must be a list of alerts such as [{name: panic, regex: 'Kernel panic|Oops:'}]");
      return std::nullopt;
    }
    if (node.size() > kMaxAlertsPerPort) {
      Error(node, path,
            absl::StrCat("has ", node.size(), " alerts; at most ", kMaxAlertsPerPort,
                         " are allowed (combine patterns with |)"));
      return std::nullopt;
    }
    std::vector<AlertConfig> alerts;
    std::map<std::string, std::string> names;  // name -> path of its first use
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      const std::string p = absl::StrCat(path, "[", i, "]");
      if (!item.IsMap()) {
        Error(item, p, "must be a mapping such as {name: panic, regex: 'Kernel panic'}");
        ok = false;
        continue;
      }
      AlertConfig alert;
      bool have_name = false, have_regex = false;
      ForEachKey(
          item, p, [&](const std::string& key, const YAML::Node& value, const std::string& kp) {
            if (key == "name") {
              if (auto s = String(value, kp)) {
                if (!IsValidAlertName(*s)) {
                  Error(value, kp,
                        absl::StrCat("'", *s,
                                     "' is not a valid alert name (1 to 64 of A-Z a-z 0-9 _ - .)"));
                } else if (auto [it, inserted] = names.emplace(*s, Where(value, kp)); !inserted) {
                  Error(
                      value, kp,
                      absl::StrCat("duplicate alert name '", *s, "', first used at ", it->second));
                } else {
                  alert.name = *s;
                  have_name = true;
                }
              }
              return true;
            }
            if (key == "regex") {
              if (auto s = String(value, kp)) {
                if (absl::Status st = ValidateAlertRegex(*s); !st.ok()) {
                  Error(value, kp, st.message());
                } else {
                  alert.regex = *s;
                  have_regex = true;
                }
              }
              return true;
            }
            return false;
          });
      if (!item["name"]) Error(item, p, "name: missing");
      if (!item["regex"]) Error(item, p, "regex: missing");
      if (have_name && have_regex) {
        alerts.push_back(std::move(alert));
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return alerts;
  }

  // Group names or numbers, one or a list, resolved to ids now: a group
  // that does not exist is an error at load, not a surprise at connect.
  std::optional<std::vector<uint32_t>> Groups(const YAML::Node& node, const std::string& path) {
    std::vector<YAML::Node> items;
    if (node.IsScalar()) {
      items.push_back(node);
    } else if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) items.push_back(node[i]);
    } else {
      Error(node, path, "must be a group or a list of groups such as [netops, noc]");
      return std::nullopt;
    }
    std::vector<uint32_t> gids;
    bool ok = true;
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string p = node.IsSequence() ? absl::StrCat(path, "[", i, "]") : path;
      if (!items[i].IsScalar()) {
        Error(items[i], p, "must be a group name or number");
        ok = false;
        continue;
      }
      const std::string name = items[i].Scalar();
      uint32_t gid = 0;
      if (absl::SimpleAtoi(name, &gid)) {
        gids.push_back(gid);
        continue;
      }
      group grp{};
      group* found = nullptr;
      std::vector<char> buf(16384);
      if (getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
        Error(items[i], p, absl::StrCat("no group named '", name, "' on this system"));
        ok = false;
        continue;
      }
      gids.push_back(found->gr_gid);
    }
    if (!ok) return std::nullopt;
    return gids;
  }

  // `allow:` / `deny:`: a list of networks ("10.0.0.0/8", "::1"), or one.
  std::optional<std::vector<Cidr>> Networks(const YAML::Node& node, const std::string& path) {
    std::vector<Cidr> nets;
    if (node.IsScalar()) {
      auto net = ParseCidr(node.Scalar());
      if (!net.ok()) {
        Error(node, path, net.status().message());
        return std::nullopt;
      }
      nets.push_back(*std::move(net));
      return nets;
    }
    if (!node.IsSequence()) {
      Error(node, path, "must be a list of networks such as [10.0.0.0/8, \"2001:db8::/32\"]");
      return std::nullopt;
    }
    if (node.size() > kMaxNetworksPerList) {
      Error(node, path,
            absl::StrCat("has ", node.size(), " networks; at most ", kMaxNetworksPerList,
                         " are allowed"));
      return std::nullopt;
    }
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string p = absl::StrCat(path, "[", i, "]");
      if (!node[i].IsScalar()) {
        Error(node[i], p, "must be a network such as 10.0.0.0/8");
        ok = false;
        continue;
      }
      auto net = ParseCidr(node[i].Scalar());
      if (!net.ok()) {
        Error(node[i], p, net.status().message());
        ok = false;
        continue;
      }
      nets.push_back(*std::move(net));
    }
    if (!ok) return std::nullopt;
    return nets;
  }

  // `log:` is on/off, or a mapping {path, timestamps, rotate: {size, keep,
  // daily}, input}; a mapping turns logging on.
  std::optional<Inherited::LogKeys> LogSpec(const YAML::Node& node, const std::string& path) {
    Inherited::LogKeys keys;
    if (node.IsScalar()) {
      if (auto on = Bool(node, path)) {
        keys.enabled = *on;
        return keys;
      }
      return std::nullopt;
    }
    if (!node.IsMap()) {
      Error(node, path,
            "must be on, off, or a mapping such as {path: /var/log/ttyhub/%n.log, timestamps: "
            "true, rotate: {size: 16MiB, keep: 8}, input: false}");
      return std::nullopt;
    }
    keys.enabled = true;
    bool ok = true;
    ForEachKey(
        node, path, [&](const std::string& key, const YAML::Node& value, const std::string& kp) {
          if (key == "path") {
            if (auto s = String(value, kp)) {
              if (absl::Status st = ValidateLogPathTemplate(*s); !st.ok()) {
                Error(value, kp, st.message());
                ok = false;
              } else {
                keys.path = *s;
              }
            }
            return true;
          }
          if (key == "timestamps" || key == "input") {
            const std::optional<bool> b = Bool(value, kp);
            (key == "input" ? keys.input : keys.timestamps) = b;
            ok &= b.has_value();
            return true;
          }
          if (key == "rotate") {
            if (!value.IsMap()) {
              Error(value, kp, "must be a mapping such as {size: 16MiB, keep: 8} or {daily: true}");
              ok = false;
              return true;
            }
            ForEachKey(value, kp,
                       [&](const std::string& rk, const YAML::Node& rv, const std::string& rp) {
                         if (rk == "size") {
                           if (auto s = String(rv, rp)) {
                             auto size = ParseByteSize(*s);
                             if (!size.ok()) {
                               Error(rv, rp, size.status().message());
                               ok = false;
                             } else if (*size < kMinLogRotateBytes || *size > kMaxLogRotateBytes) {
                               Error(rv, rp,
                                     absl::StrCat("must be between 4KiB and 1TiB, got '", *s, "'"));
                               ok = false;
                             } else {
                               keys.rotate_bytes = *size;
                             }
                           }
                           return true;
                         }
                         if (rk == "keep") {
                           if (auto n = UInt(rv, rp, 1, kMaxLogKeep)) {
                             keys.keep = static_cast<uint32_t>(*n);
                           } else {
                             ok = false;
                           }
                           return true;
                         }
                         if (rk == "daily") {
                           keys.daily = Bool(rv, rp);
                           ok &= keys.daily.has_value();
                           return true;
                         }
                         return false;
                       });
            return true;
          }
          return false;
        });
    if (!ok) return std::nullopt;
    return keys;
  }

  std::optional<SlowClientPolicy> Policy(const YAML::Node& node, const std::string& path,
                                         bool allow_backpressure) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    const std::string v = absl::AsciiStrToLower(*s);
    if (v == "skip") return SlowClientPolicy::kSkip;
    if (v == "disconnect") return SlowClientPolicy::kDisconnect;
    if (v == "backpressure" && allow_backpressure) return SlowClientPolicy::kBackpressure;
    Error(node, path,
          absl::StrCat(
              "unknown policy '", *s, "' (use ",
              allow_backpressure ? "backpressure, skip or disconnect" : "skip or disconnect", ")"));
    return std::nullopt;
  }

  // Parses one inheritable key into `out`. Returns false if `key` is not an
  // inheritable key allowed at `level`.
  bool ParseInherited(const std::string& key, const YAML::Node& value, const std::string& path,
                      Level level, Inherited* out) {
    if (level == Level::kListener ? !IsListenerInheritableKey(key)
                                  : !(IsPortOnlyKey(key) || IsListenerInheritableKey(key))) {
      return false;
    }
    if (key == "serial") {
      if (auto s = String(value, path)) {
        auto parsed = ParseSerialSettings(*s);
        if (parsed.ok()) {
          out->serial = *parsed;
        } else {
          Error(value, path, parsed.status().message());
        }
      }
    } else if (key == "flow") {
      if (auto s = String(value, path)) {
        auto f = ParseFlowControl(*s);
        if (f.ok()) {
          out->flow = *f;
        } else {
          Error(value, path, f.status().message());
        }
      }
    } else if (key == "local") {
      out->local = Bool(value, path);
    } else if (key == "hangup_when_done") {
      out->hangup_when_done = Bool(value, path);
    } else if (key == "buffer") {
      if (auto s = String(value, path)) {
        auto size = ParseByteSize(*s);
        if (!size.ok()) {
          Error(value, path, size.status().message());
        } else if (*size < kMinBuffer || *size > kMaxBuffer) {
          Error(value, path, absl::StrCat("must be between 4KiB and 64MiB, got '", *s, "'"));
        } else {
          out->buffer = *size;
        }
      }
    } else if (key == "timeout") {
      out->timeout = Duration(value, path);
    } else if (key == "stall_timeout") {
      out->stall_timeout = Duration(value, path);
    } else if (key == "banner") {
      if (auto s = String(value, path)) {
        if (absl::Status st = ValidateBanner(*s); !st.ok()) {
          Error(value, path, st.message());
        } else {
          out->banner = *s;
        }
      }
    } else if (key == "history") {
      out->history = History(value, path);
    } else if (key == "alerts") {
      out->alerts = Alerts(value, path);
    } else if (key == "log") {
      out->log = LogSpec(value, path);
    } else if (key == "open") {
      if (auto v = String(value, path)) {
        const std::string w = absl::AsciiStrToLower(*v);
        if (w == "always") {
          out->open_on_connect = false;
        } else if (w == "on_connect") {
          out->open_on_connect = true;
        } else {
          Error(value, path, absl::StrCat("unknown open '", *v, "' (use always or on_connect)"));
        }
      }
    } else if (key == "open_string" || key == "close_string") {
      if (auto v = String(value, path)) {
        if (absl::Status st = ValidateBanner(*v); !st.ok()) {
          Error(value, path, st.message());
        } else {
          (key == "open_string" ? out->open_string : out->close_string) = *v;
        }
      }
    } else if (key == "write_only") {
      out->write_only = Bool(value, path);
    } else if (key == "latency") {
      if (auto s = String(value, path)) {
        const std::string v = absl::AsciiStrToLower(*s);
        if (v == "low") {
          out->latency = Latency::kLow;
        } else if (v == "normal") {
          out->latency = Latency::kNormal;
        } else {
          Error(value, path,
                absl::StrCat("unknown latency '", *s,
                             "' (use normal, the default, or low: the port's worker polls "
                             "for a while before sleeping, spending CPU within busy_poll's "
                             "budget)"));
        }
      }
    } else if (key == "when_full") {
      if (auto v = String(value, path)) {
        const std::string w = absl::AsciiStrToLower(*v);
        if (w == "refuse") {
          out->kick_oldest = false;
        } else if (w == "kick_oldest") {
          out->kick_oldest = true;
        } else {
          Error(value, path,
                absl::StrCat("unknown when_full '", *v, "' (use refuse or kick_oldest)"));
        }
      }
    } else if (key == "write") {
      if (auto v = String(value, path)) {
        const std::string w = absl::AsciiStrToLower(*v);
        if (w == "shared") {
          out->write = WriteMode::kShared;
        } else if (w == "exclusive") {
          out->write = WriteMode::kExclusive;
        } else if (w == "takeover") {
          out->write = WriteMode::kTakeover;
        } else {
          Error(value, path,
                absl::StrCat("unknown write mode '", *v, "' (use shared, exclusive or takeover)"));
        }
      }
    } else if (key == "allow" || key == "deny") {
      (key == "allow" ? out->allow : out->deny) = Networks(value, path);
    } else if (key == "max_clients") {
      if (auto n = UInt(value, path, 1, kMaxClientsLimit))
        out->max_clients = static_cast<uint32_t>(*n);
    } else if (key == "slow_viewer") {
      out->slow_viewer = Policy(value, path, /*allow_backpressure=*/false);
    } else if (key == "slow_writer") {
      out->slow_writer = Policy(value, path, /*allow_backpressure=*/true);
    } else if (key == "protocol") {
      if (auto s = String(value, path)) {
        const std::string v = absl::AsciiStrToLower(*s);
        if (v == "raw") {
          out->protocol = Protocol::kRaw;
        } else if (v == "telnet") {
          out->protocol = Protocol::kTelnet;
        } else if (v == "rfc2217") {
          out->protocol = Protocol::kRfc2217;
        } else {
          Error(value, path,
                absl::StrCat("unknown protocol '", *s, "' (use raw, telnet or rfc2217)"));
        }
      }
    }
    return true;
  }

  std::optional<DeviceSpec> Device(const YAML::Node& node, const std::string& path) {
    auto s = String(node, path);
    if (!s) return std::nullopt;
    DeviceSpec spec;
    spec.original = *s;
    if (absl::StartsWith(*s, "sim:")) {
      spec.kind = DeviceKind::kSim;
      spec.path = s->substr(4);
      if (spec.path != "echo" && spec.path != "console") {
        Error(node, path,
              absl::StrCat("unknown simulated device '", *s, "' (use sim:echo or sim:console)"));
        return std::nullopt;
      }
    } else if (LooksLikeDeviceUrl(*s)) {
      auto url = ParseDeviceUrl(*s);
      if (!url.ok()) {
        Error(node, path, url.status().message());
        return std::nullopt;
      }
      spec.kind = DeviceKind::kNetwork;
      spec.host = url->host;
      spec.port = url->port;
      spec.protocol = url->protocol;
      spec.path = FormatHostPort(url->host, url->port);
    } else if (absl::StartsWith(*s, "pty:")) {
      spec.kind = DeviceKind::kPty;
      spec.path = s->substr(4);
      if (spec.path.empty() || spec.path[0] != '/') {
        Error(node, path,
              absl::StrCat("pty: needs an absolute path for the link to publish, e.g. "
                           "pty:/run/ttyhub/dev0, got '",
                           *s, "'"));
        return std::nullopt;
      }
    } else {
      spec.kind = DeviceKind::kTty;
      spec.path = *s;
      if (spec.path.empty() || spec.path[0] != '/') {
        Error(node, path,
              absl::StrCat("expected an absolute device path (like /dev/ttyUSB0), pty:PATH, "
                           "sim:NAME or tcp://, telnet://, rfc2217://HOST:PORT, got '",
                           *s, "'"));
        return std::nullopt;
      }
    }
    return spec;
  }

  // admin: {listen: HOST:PORT, token: SECRET | token_file: PATH,
  //         token_required_for_reads: BOOL, allowed_hosts: [NAME, ...]}
  // `busy_poll: {window: 100us, budget: 50%}`: how workers that own a
  // `latency: low` port poll. Both keys optional.
  void ParseBusyPoll(const YAML::Node& node, const std::string& path, BusyPollConfig* out) {
    if (!node.IsMap()) {
      Error(node, path, "must be a mapping such as {window: 100us, budget: 50%}");
      return;
    }
    ForEachKey(
        node, path, [&](const std::string& key, const YAML::Node& value, const std::string& p) {
          if (key == "window") {
            if (auto s = String(value, p)) {
              auto window = ParseMicroseconds(*s);
              if (!window.ok()) {
                Error(value, p, window.status().message());
              } else if (*window < std::chrono::microseconds(1) || *window > kMaxBusyPollWindow) {
                Error(value, p, absl::StrCat("must be between 1us and 10ms, got '", *s, "'"));
              } else {
                out->window = *window;
              }
            }
          } else if (key == "budget") {
            if (auto s = String(value, p)) {
              absl::string_view text = absl::StripAsciiWhitespace(*s);
              absl::ConsumeSuffix(&text, "%");
              uint32_t percent = 0;
              if (!absl::SimpleAtoi(text, &percent) || percent < 1 || percent > 100) {
                Error(value, p,
                      absl::StrCat("must be a share of one core from 1% to 100%, got '", *s, "'"));
              } else {
                out->budget_percent = percent;
              }
            }
          } else {
            return false;
          }
          return true;
        });
  }

  void ParseAdmin(const YAML::Node& node, const std::string& path, AdminConfig* out) {
    if (!node.IsMap()) {
      Error(node, path, "must be a mapping such as {listen: 127.0.0.1:8420}");
      return;
    }
    out->enabled = true;
    out->where = Where(node, path);
    std::optional<YAML::Node> reads_node;  // token_required_for_reads, checked once all is read
    ForEachKey(node, path,
               [&](const std::string& key, const YAML::Node& value, const std::string& p) {
                 if (key == "listen") {
                   ListenerConfig address;
                   if (ListenAddress(value, p, &address)) {
                     out->host = address.host.empty() ? "0.0.0.0" : address.host;
                     out->port = address.port;
                     // A bare port number means loopback here, unlike data listeners.
                     if (value.IsScalar() && value.Scalar().find(':') == std::string::npos) {
                       out->host = "127.0.0.1";
                     }
                   }
                 } else if (key == "token") {
                   if (auto s = String(value, p)) {
                     if (s->size() < 16) {
                       Error(value, p, "must be at least 16 characters");
                     } else {
                       out->token = *s;
                     }
                   }
                 } else if (key == "token_file") {
                   if (auto s = String(value, p)) {
                     auto token = ReadTokenFile(*s);
                     if (!token.ok()) {
                       Error(value, p, token.status().message());
                     } else {
                       out->token = *std::move(token);
                     }
                   }
                 } else if (key == "token_required_for_reads") {
                   if (auto b = Bool(value, p)) {
                     out->token_required_for_reads = *b;
                     reads_node = value;
                   }
                 } else if (key == "allowed_hosts") {
                   ParseAllowedHosts(value, p, &out->allowed_hosts);
                 } else if (key == "enabled") {
                   if (auto b = Bool(value, p)) out->enabled = *b;
                 } else {
                   return false;
                 }
                 return true;
               });
    if (out->token_required_for_reads && out->token.empty() && reads_node) {
      Error(*reads_node, path + ".token_required_for_reads",
            "needs a token: set token or token_file as well");
    }
  }

  // allowed_hosts: a list of DNS names, like [console1.example.com].
  void ParseAllowedHosts(const YAML::Node& node, const std::string& path,
                         std::vector<std::string>* out) {
    if (!node.IsSequence()) {
      Error(node, path, "must be a list of host names, like [console1.example.com]");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string p = absl::StrCat(path, "[", i, "]");
      auto s = String(node[i], p);
      if (!s) continue;
      std::string name = absl::AsciiStrToLower(*s);
      if (!name.empty() && name.back() == '.') name.pop_back();  // "example.com." is the same name
      const bool valid_chars =
          !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
          std::all_of(name.begin(), name.end(), [](char c) {
            return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
          });
      if (!valid_chars) {
        Error(node[i], p,
              absl::StrCat("'", *s,
                           "' is not a host name: give a DNS name such as console1.example.com, "
                           "without port, scheme or wildcard"));
        continue;
      }
      out->push_back(std::move(name));
    }
  }

  // Parses `port:` as N, HOST:N or [V6]:N into `out`.
  bool ListenAddress(const YAML::Node& node, const std::string& path, ListenerConfig* out) {
    if (node.IsSequence() || node.IsMap()) {
      Error(node, path,
            "must be a port number or \"host:port\"; quote IPv6 addresses, as in "
            "\"[::1]:7000\"");
      return false;
    }
    auto s = String(node, path);
    if (!s) return false;
    std::string host;
    std::string port_text = *s;
    if (absl::StartsWith(*s, "[")) {
      const size_t close = s->find("]:");
      if (close == std::string::npos) {
        Error(node, path, absl::StrCat("expected [IPv6]:port, got '", *s, "'"));
        return false;
      }
      host = s->substr(1, close - 1);
      port_text = s->substr(close + 2);
      in6_addr a6;
      if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
        Error(node, path, absl::StrCat("'", host, "' is not an IPv6 address"));
        return false;
      }
    } else if (const size_t colon = s->rfind(':'); colon != std::string::npos) {
      host = s->substr(0, colon);
      port_text = s->substr(colon + 1);
      if (host.find(':') != std::string::npos) {
        Error(
            node, path,
            absl::StrCat("put IPv6 addresses in brackets, as in \"[", host, "]:", port_text, "\""));
        return false;
      }
      if (host == "*") host.clear();
      if (host == "localhost") host = "127.0.0.1";
      in_addr a4;
      if (!host.empty() && inet_pton(AF_INET, host.c_str(), &a4) != 1) {
        Error(node, path,
              absl::StrCat("'", host,
                           "' is not a numeric IPv4 address (use an address such as "
                           "127.0.0.1, localhost, or * for all interfaces)"));
        return false;
      }
    }
    uint32_t port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535 ||
        absl::StartsWith(port_text, "+")) {
      Error(node, path, absl::StrCat("TCP port must be 1 to 65535, got '", port_text, "'"));
      return false;
    }
    out->host = host;
    out->port = static_cast<uint16_t>(port);
    return true;
  }

  // Why `path` cannot be a pty listener's link ("" if it can): it must be
  // absolute, in a directory that exists, and be a symlink (one ttyhub
  // left) or nothing, since ttyhub replaces it.
  static std::string PtyListenerPathProblem(const std::string& path) {
    if (path.empty() || path.front() != '/' || path.back() == '/' ||
        path.find('\0') != std::string::npos) {
      return absl::StrCat("must be an absolute path such as /dev/ttyV0 or /run/ttyhub/ttyV0, got '",
                          path, "'");
    }
    const std::string parent = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
    struct stat st {};
    if (stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::StrCat("the directory ", parent, " does not exist (ttyhub does not create it)");
    }
    if (lstat(path.c_str(), &st) == 0 && !S_ISLNK(st.st_mode)) {
      return absl::StrCat(path, " exists and is not a symlink; ttyhub will not replace it");
    }
    return "";
  }

  // The keys a pty listener takes; the others are errors naming the key.
  bool CheckPtyListenerKeys(const std::vector<std::pair<std::string, YAML::Node>>& keys,
                            const std::string& path) {
    static const std::set<std::string> kPtyKeys = {
        "pty", "access", "owner", "group", "mode", "stall_timeout", "slow_writer", "slow_viewer"};
    bool ok = true;
    for (const auto& [key, value] : keys) {
      if (kPtyKeys.count(key) != 0) continue;
      Error(value, absl::StrCat(path, ".", key),
            key == "port" || key == "unix"
                ? std::string("a listener is TCP (port), unix or pty: one of them")
                : std::string("does not apply to a pty listener (its one client is the "
                              "program that opens the pty; pty listeners take access, owner, "
                              "group, mode, stall_timeout, slow_writer and slow_viewer)"));
      ok = false;
    }
    return ok;
  }

  // Why `name` cannot be a cuse listener's device name ("" if it can):
  // the kernel makes /dev/<name>, so one path component of at most 64
  // letters, digits, '.', '_' or '-'.
  static std::string CuseNameProblem(const std::string& name) {
    const bool chars_ok = std::all_of(name.begin(), name.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
    if (name.empty() || name.size() > 64 || !chars_ok || name == "." || name == "..") {
      return absl::StrCat("must be a device name such as ttyV0 (the device is /dev/NAME; up to ",
                          "64 letters, digits, '.', '_' or '-'), got '", name, "'");
    }
    return "";
  }

  // The keys a cuse listener takes; the others are errors naming the key.
  bool CheckCuseListenerKeys(const std::vector<std::pair<std::string, YAML::Node>>& keys,
                             const std::string& path) {
    bool ok = true;
    for (const auto& [key, value] : keys) {
      if (key == "cuse" || key == "access") continue;
      Error(value, absl::StrCat(path, ".", key),
            key == "port" || key == "unix" || key == "pty"
                ? std::string("a listener is TCP (port), unix, pty or cuse: one of them")
                : std::string("does not apply to a cuse listener (its client is the device "
                              "itself; cuse listeners take access)"));
      ok = false;
    }
    return ok;
  }

  // A user name or number, resolved to a uid now (a pty listener's owner).
  std::optional<int64_t> User(const YAML::Node& node, const std::string& path) {
    auto name = String(node, path);
    if (!name) return std::nullopt;
    uint32_t uid = 0;
    if (absl::SimpleAtoi(*name, &uid)) return uid;
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwnam_r(name->c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
      Error(node, path, absl::StrCat("no user named '", *name, "' on this system"));
      return std::nullopt;
    }
    return found->pw_uid;
  }

  void ParseListener(const YAML::Node& node, const std::string& path,
                     const Inherited& port_settings, PortConfig* port, PortMarks* marks) {
    if (!node.IsMap()) {
      Error(node, path, "must be a mapping such as {port: 20000, protocol: raw, access: rw}");
      return;
    }
    ListenerConfig listener;
    listener.where = Where(node, path);
    Inherited mine;
    bool have_port = false;
    bool ok = true;
    YAML::Mark port_mark = node.Mark();
    std::optional<YAML::Node> slow_viewer_node, slow_writer_node, signature_node;
    std::optional<YAML::Node> access_node, unix_only_node, file_node, owner_node;
    std::vector<std::pair<std::string, YAML::Node>> keys;  // for a pty listener's checks
    ForEachKey(
        node, path, [&](const std::string& key, const YAML::Node& value, const std::string& p) {
          keys.emplace_back(key, value);
          if (key == "pty") {
            if (auto s = String(value, p)) {
              if (std::string why = PtyListenerPathProblem(*s); !why.empty()) {
                Error(value, p, why);
                ok = false;
              } else {
                listener.pty_path = *s;
                port_mark = value.Mark();
              }
            }
            return true;
          }
          if (key == "cuse") {
            if (auto s = String(value, p)) {
              if (std::string why = CuseNameProblem(*s); !why.empty()) {
                Error(value, p, why);
                ok = false;
              } else if (!kCuseBuiltIn) {
                Error(value, p,
                      "this ttyhub was built without libfuse3 (Debian: libfuse3-dev), so it "
                      "has no cuse listeners");
                ok = false;
              } else {
                listener.cuse_name = *s;
                port_mark = value.Mark();
              }
            }
            return true;
          }
          if (key == "owner") {
            owner_node = value;
            if (auto uid = User(value, p)) {
              listener.pty_uid = *uid;
            } else {
              ok = false;
            }
            return true;
          }
          if (key == "unix") {
            if (auto s = String(value, p)) {
              const std::string expanded = absl::StrReplaceAll(*s, {{"%n", port->name}});
              if (expanded.empty() || expanded.front() != '/' ||
                  expanded.find('\0') != std::string::npos) {
                Error(value, p,
                      absl::StrCat("must be an absolute path such as "
                                   "/run/ttyhub/%n.sock, got '",
                                   *s, "'"));
                ok = false;
              } else if (expanded.size() >= kMaxUnixPathBytes) {
                Error(value, p,
                      absl::StrCat("'", expanded, "' is ", expanded.size(),
                                   " bytes; a Unix socket path must be shorter than ",
                                   kMaxUnixPathBytes));
                ok = false;
              } else {
                listener.unix_path = expanded;
                port_mark = value.Mark();
              }
            }
            return true;
          }
          if (key == "rw_groups" || key == "ro_groups") {
            unix_only_node = value;
            auto gids = Groups(value, p);
            if (!gids) {
              ok = false;
            } else {
              (key == "rw_groups" ? listener.rw_gids : listener.ro_gids) = *gids;
            }
            return true;
          }
          if (key == "mode") {
            file_node = value;
            auto s = String(value, p);
            uint32_t mode = 0;
            const bool octal = s && !s->empty() && s->size() <= 4 &&
                               s->find_first_not_of("01234567") == std::string::npos;
            if (octal) {
              for (char c : *s) mode = mode * 8 + static_cast<uint32_t>(c - '0');
            }
            if (!octal || (mode & ~0777u) != 0) {
              if (s)
                Error(value, p, absl::StrCat("must be an octal mode such as 0660, got '", *s, "'"));
              ok = false;
            } else {
              listener.socket_mode = mode;
            }
            return true;
          }
          if (key == "group") {
            file_node = value;
            auto gids = Groups(value, p);
            if (!gids || gids->size() != 1) {
              if (gids) Error(value, p, "must be one group");
              ok = false;
            } else {
              listener.socket_gid = (*gids)[0];
            }
            return true;
          }
          if (key == "enabled") {
            if (auto b = Bool(value, p)) listener.enabled = *b;
            return true;
          }
          if (key == "access") access_node = value;
          if (key == "port") {
            have_port = true;
            port_mark = value.Mark();
            ok &= ListenAddress(value, p, &listener);
            return true;
          }
          if (key == "access") {
            if (auto s = String(value, p)) {
              const std::string v = absl::AsciiStrToLower(*s);
              if (v == "rw") {
                listener.access = Access::kReadWrite;
              } else if (v == "ro") {
                listener.access = Access::kReadOnly;
              } else {
                Error(value, p, absl::StrCat("unknown access '", *s, "' (use rw or ro)"));
              }
            }
            return true;
          }
          if (key == "signature") {
            if (auto s = String(value, p)) {
              if (s->size() > 200) {
                Error(value, p, "must be at most 200 characters");
              } else {
                listener.signature = *s;
                signature_node = value;
              }
            }
            return true;
          }
          if (key == "slow_viewer") slow_viewer_node = value;
          if (key == "slow_writer") slow_writer_node = value;
          return ParseInherited(key, value, p, Level::kListener, &mine);
        });
    if (listener.is_pty()) {
      ok &= CheckPtyListenerKeys(keys, path);
    } else if (listener.is_cuse()) {
      ok &= CheckCuseListenerKeys(keys, path);
    } else if (owner_node) {
      Error(*owner_node, path + ".owner", "applies to pty listeners");
      ok = false;
    }
    if (listener.is_pty() || listener.is_cuse() || node["cuse"]) {
      // Checked above: only the keys such listeners take.
    } else if (listener.is_unix()) {
      if (have_port) {
        Error(node["port"], path + ".port", "a listener is either TCP (port) or unix, not both");
        ok = false;
      }
      if (access_node) {
        Error(*access_node, path + ".access",
              "a unix listener decides access by the peer's credentials: use rw_groups and "
              "ro_groups (root is always rw)");
        ok = false;
      }
      listener.access = Access::kReadWrite;
      if (listener.socket_gid < 0) {
        // The socket file belongs to the first group named, so that its
        // members can connect at mode 0660.
        if (!listener.rw_gids.empty()) {
          listener.socket_gid = listener.rw_gids[0];
        } else if (!listener.ro_gids.empty()) {
          listener.socket_gid = listener.ro_gids[0];
        }
      }
    } else if (unix_only_node || file_node) {
      Error(unix_only_node ? *unix_only_node : *file_node, path,
            "rw_groups, ro_groups, mode and group apply to unix listeners (mode and group to pty "
            "listeners too)");
      ok = false;
    } else if (!have_port && !node["unix"] && !node["pty"]) {
      Error(node, path,
            "port: missing (the TCP port to listen on, unix: a socket path, or pty: a device "
            "link)");
      ok = false;
    }
    if (listener.access == Access::kReadOnly && slow_writer_node) {
      Error(*slow_writer_node, path + ".slow_writer",
            "applies to rw listeners; this listener is ro (use slow_viewer)");
    }
    if (listener.access == Access::kReadWrite && slow_viewer_node) {
      Error(*slow_viewer_node, path + ".slow_viewer",
            "applies to ro listeners; this listener is rw (use slow_writer)");
    }
    mine.InheritFrom(port_settings);
    listener.protocol = mine.protocol.value_or(Protocol::kRaw);
    if (signature_node && listener.protocol != Protocol::kRfc2217) {
      Error(*signature_node, path + ".signature", "applies to protocol: rfc2217 listeners only");
    }
    listener.max_clients = mine.max_clients.value_or(64);
    listener.idle_timeout = mine.timeout.value_or(std::chrono::milliseconds(0));
    listener.stall_timeout = mine.stall_timeout.value_or(std::chrono::milliseconds(30'000));
    listener.banner = mine.banner.value_or("");
    listener.history = mine.history.value_or(HistorySpec{});
    listener.allow = mine.allow.value_or(std::vector<Cidr>{});
    listener.deny = mine.deny.value_or(std::vector<Cidr>{});
    listener.kick_oldest_when_full = mine.kick_oldest.value_or(false);
    // An inherited write: applies to rw listeners; ro ones ignore it.
    listener.write = listener.access == Access::kReadWrite ? mine.write.value_or(WriteMode::kShared)
                                                           : WriteMode::kShared;
    if (listener.access == Access::kReadOnly && node["write"]) {
      Error(node["write"], path + ".write", "applies to rw listeners; this listener is ro");
    }
    listener.slow_policy = listener.access == Access::kReadOnly
                               ? mine.slow_viewer.value_or(SlowClientPolicy::kSkip)
                               : mine.slow_writer.value_or(SlowClientPolicy::kBackpressure);
    if (listener.is_pty() || listener.is_cuse()) {
      // One client, always on, never timed out for silence: the program on
      // the pty (raw bytes), or ttyhub's own RFC 2217 client for the CUSE
      // device (engine/cuse_tty.h), which always reads what it is sent.
      // Inherited values that make no sense for it are ignored (written on
      // the listener, they are errors).
      listener.protocol = listener.is_pty() ? Protocol::kRaw : Protocol::kRfc2217;
      listener.max_clients = 1;
      listener.idle_timeout = std::chrono::milliseconds(0);
      listener.banner.clear();
      listener.history = HistorySpec{};
      listener.allow.clear();
      listener.deny.clear();
      listener.write = WriteMode::kShared;
      listener.kick_oldest_when_full = false;
      listener.enabled = true;
    }
    if (listener.is_pty()) {
      if (listener.slow_policy == SlowClientPolicy::kDisconnect) {
        // Disconnecting would hang up the program's pty under it.
        const std::optional<YAML::Node>& given =
            listener.access == Access::kReadOnly ? slow_viewer_node : slow_writer_node;
        if (given) {
          Error(*given,
                path + (listener.access == Access::kReadOnly ? ".slow_viewer" : ".slow_writer"),
                "a pty listener cannot disconnect the program on its pty: use skip");
          ok = false;
        }
        listener.slow_policy = SlowClientPolicy::kSkip;
      }
    }
    if (ok) {
      port->listeners.push_back(std::move(listener));
      marks->listener_ports.push_back(port_mark);
    }
  }

  void ParsePort(const YAML::Node& node, const std::string& path, const Inherited& defaults,
                 Config* config) {
    if (!node.IsMap()) {
      Error(node, path, "must be a mapping with name, device, serial and listen");
      return;
    }
    PortConfig port;
    port.where = Where(node, path);
    PortMarks marks;
    marks.node = node.Mark();
    marks.name = marks.device = node.Mark();
    Inherited mine;
    std::optional<YAML::Node> listen_node;
    bool have_name = false, have_device = false;
    ForEachKey(
        node, path, [&](const std::string& key, const YAML::Node& value, const std::string& p) {
          if (key == "name") {
            marks.name = value.Mark();
            if (auto s = String(value, p)) {
              have_name = true;
              const bool valid =
                  !s->empty() && s->size() <= 64 && std::all_of(s->begin(), s->end(), [](char c) {
                    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                           c == '-' || c == '.';
                  });
              if (!valid) {
                Error(value, p,
                      absl::StrCat("'", *s,
                                   "' is not a valid port name (1 to 64 of A-Z a-z 0-9 _ - .)"));
              }
              port.name = *s;
            }
            return true;
          }
          if (key == "device") {
            marks.device = value.Mark();
            if (auto d = Device(value, p)) {
              port.device = *d;
              have_device = true;
            }
            return true;
          }
          if (key == "listen") {
            listen_node = value;
            return true;
          }
          return ParseInherited(key, value, p, Level::kPort, &mine);
        });
    if (!have_name) Error(node, path, "name: missing");
    if (!have_device && !node["device"]) Error(node, path, "device: missing");
    mine.InheritFrom(defaults);
    port.serial = mine.serial.value_or(SerialSettings{});
    port.serial.flow = mine.flow.value_or(FlowControl::kNone);
    port.local = mine.local.value_or(true);
    port.hangup_when_done = mine.hangup_when_done.value_or(false);
    uint64_t buffer = mine.buffer.value_or(256 * 1024);
    uint64_t rounded = kMinBuffer;
    while (rounded < buffer) rounded <<= 1;
    port.buffer_bytes = rounded;
    port.alerts = mine.alerts.value_or(std::vector<AlertConfig>{});
    port.open_on_connect = mine.open_on_connect.value_or(false);
    port.open_string = mine.open_string.value_or("");
    port.close_string = mine.close_string.value_or("");
    port.write_only = mine.write_only.value_or(false);
    port.latency = mine.latency.value_or(Latency::kNormal);
    if (port.write_only && port.device.kind != DeviceKind::kTty && node["write_only"]) {
      Error(node["write_only"], path + ".write_only",
            "applies to tty devices (a path such as /dev/lp0 or /dev/ttyUSB0)");
    }
    // A tcp:// or telnet:// device carries bytes only: there is no line to
    // set. `serial:` inherited from defaults is ignored (the port reports
    // it but never applies it); written on the port itself, it is an error.
    if (port.device.kind == DeviceKind::kNetwork && port.device.protocol != Protocol::kRfc2217) {
      for (const char* key : {"serial", "flow"}) {
        if (node[key]) {
          Error(node[key], absl::StrCat(path, ".", key),
                absl::StrCat("a ", DeviceUrlScheme(port.device.protocol),
                             ":// device carries bytes only, so ttyhub cannot set its line; use "
                             "rfc2217:// to forward settings to the remote port, or remove ",
                             key, ":"));
        }
      }
    }
    if (mine.log.has_value() && mine.log->enabled.value_or(false)) {
      ConsoleLogConfig& log = port.log;
      log.enabled = true;
      log.path = mine.log->path.value_or(std::string(kDefaultLogPath));
      log.timestamps = mine.log->timestamps.value_or(true);
      log.rotate_bytes = mine.log->rotate_bytes.value_or(0);
      log.keep = mine.log->keep.value_or(8);
      log.daily = mine.log->daily.value_or(false);
      log.input = mine.log->input.value_or(false);
    }
    if (!listen_node) {
      Error(node, path, "listen: missing (a list of listeners such as {port: 20000})");
    } else if (!listen_node->IsSequence() || listen_node->size() == 0) {
      Error(*listen_node, path + ".listen", "must be a non-empty list of listeners");
    } else {
      for (size_t j = 0; j < listen_node->size(); ++j) {
        ParseListener((*listen_node)[j], absl::StrCat(path, ".listen[", j, "]"), mine, &port,
                      &marks);
      }
    }
    config->ports.push_back(std::move(port));
    marks_.push_back(std::move(marks));
  }

  // Whether every tty port using `path` opens it on connect.
  static bool SharedOnConnect(const Config& config, const std::string& path) {
    return std::all_of(config.ports.begin(), config.ports.end(), [&](const PortConfig& p) {
      return p.device.path != path || (p.device.kind == DeviceKind::kTty && p.open_on_connect);
    });
  }

  void CheckUniqueness(const Config& config) {
    std::map<std::string, size_t> names;      // name -> port index
    std::map<std::string, size_t> devices;    // kind:path -> port index
    std::map<std::string, size_t> log_files;  // expanded log path -> port index
    struct Seen {
      const ListenerConfig* listener;
    };
    std::map<uint16_t, std::vector<Seen>> tcp_ports;
    std::map<std::string, const ListenerConfig*> unix_paths;
    std::map<std::string, std::string> pty_links;   // pty listener or pty: device path -> where
    std::map<std::string, std::string> cuse_names;  // cuse listener device name -> where
    for (const PortConfig& port : config.ports) {
      if (port.device.kind == DeviceKind::kPty) {
        pty_links.emplace(port.device.path, port.where + ".device");
      }
    }
    for (size_t i = 0; i < config.ports.size(); ++i) {
      const PortConfig& port = config.ports[i];
      const PortMarks& marks = marks_[i];
      const std::string path = absl::StrCat("ports[", i, "]");
      if (!port.name.empty()) {
        auto [it, inserted] = names.emplace(port.name, i);
        if (!inserted) {
          AddError(marks.name,
                   absl::StrCat(WhereMark(marks.name, path + ".name"), ": duplicate port name '",
                                port.name, "', first used at ", config.ports[it->second].where));
        }
      }
      // Two sims are independent devices; only real paths must be unique,
      // unless every port sharing one opens it on connect (ser2net's way:
      // the first port to get a client has it).
      if (!port.device.path.empty() && port.device.kind != DeviceKind::kSim &&
          !(port.device.kind == DeviceKind::kTty && port.open_on_connect &&
            SharedOnConnect(config, port.device.path))) {
        const std::string key =
            absl::StrCat(static_cast<int>(port.device.kind), ":", port.device.path);
        auto [it, inserted] = devices.emplace(key, i);
        if (!inserted) {
          AddError(
              marks.device,
              absl::StrCat(WhereMark(marks.device, path + ".device"), ": '", port.device.original,
                           "' is already used by port '", config.ports[it->second].name,
                           "'; to serve one device on several TCP ports, give that port "
                           "several listeners (or, to share it ser2net's way with other "
                           "settings per port, set open: on_connect on each)"));
        }
      }
      // Two ports must not write one log file. Templates that differ only in
      // time escapes may still collide at some instant; only %n, \p and \d
      // make names per port, so compare the expansion at one fixed time.
      if (port.log.enabled) {
        const std::string file =
            ExpandLogPath(port.log.path,
                          {port.name, port.device.path,
                           port.listeners.empty() ? uint16_t{0} : port.listeners[0].port},
                          std::chrono::system_clock::time_point{});
        auto [it, inserted] = log_files.emplace(file, i);
        if (!inserted) {
          AddError(marks.name, absl::StrCat(WhereMark(marks.name, path + ".log.path"), ": port '",
                                            port.name, "' would log to ", file, " as port '",
                                            config.ports[it->second].name,
                                            "' does; put %n (the port name) in the path"));
        }
      }
      for (size_t j = 0; j < port.listeners.size(); ++j) {
        const ListenerConfig& l = port.listeners[j];
        if (l.is_cuse()) {
          auto [it, inserted] = cuse_names.emplace(l.cuse_name, l.where);
          if (!inserted) {
            const YAML::Mark& m = marks.listener_ports[j];
            AddError(m, absl::StrCat(WhereMark(m, absl::StrCat(path, ".listen[", j, "].cuse")),
                                     ": /dev/", l.cuse_name, " is already used by ", it->second));
          }
          continue;
        }
        if (l.is_pty()) {
          auto [it, inserted] = pty_links.emplace(l.pty_path, l.where);
          if (!inserted) {
            const YAML::Mark& m = marks.listener_ports[j];
            AddError(m, absl::StrCat(WhereMark(m, absl::StrCat(path, ".listen[", j, "].pty")), ": ",
                                     l.pty_path, " is already used by ", it->second));
          }
          continue;
        }
        if (l.is_unix()) {
          auto [it, inserted] = unix_paths.emplace(l.unix_path, &l);
          if (!inserted) {
            const YAML::Mark& m = marks.listener_ports[j];
            AddError(m, absl::StrCat(WhereMark(m, absl::StrCat(path, ".listen[", j, "].unix")),
                                     ": ", l.unix_path, " is already used by ", it->second->where));
          }
          continue;
        }
        for (const Seen& other : tcp_ports[l.port]) {
          if (IsWildcardHost(l.host) || IsWildcardHost(other.listener->host) ||
              l.host == other.listener->host) {
            const YAML::Mark& m = marks.listener_ports[j];
            AddError(m, absl::StrCat(WhereMark(m, absl::StrCat(path, ".listen[", j, "].port")),
                                     ": TCP port ", l.port, " is already used by ",
                                     other.listener->where));
            break;
          }
        }
        tcp_ports[l.port].push_back({&l});
      }
    }
    if (config.admin.enabled) {
      for (const Seen& other : tcp_ports[config.admin.port]) {
        if (IsWildcardHost(config.admin.host) || IsWildcardHost(other.listener->host) ||
            config.admin.host == other.listener->host) {
          AddError(YAML::Mark(),
                   absl::StrCat(config.admin.where, ".listen: TCP port ", config.admin.port,
                                " is already used by ", other.listener->where));
          break;
        }
      }
    }
  }

  void AddError(const YAML::Mark& m, std::string text) {
    errors_.push_back({m.line, m.column, std::move(text)});
  }

  std::string source_;
  std::vector<ErrorLine> errors_;
  std::vector<PortMarks> marks_;  // parallel to Config::ports
};

}  // namespace

absl::StatusOr<Config> LoadConfigText(absl::string_view text, absl::string_view source_name) {
  return Loader(source_name).Load(text);
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path, std::vector<std::string>* notices) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open configuration file: ", std::strerror(errno)));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error: ", std::strerror(errno)));
  }
  if (const ConfigFormat format = DetectConfigFormat(buf.str()); format != ConfigFormat::kTtyhub) {
    return LoadSer2netConfig(buf.str(), path, format, notices);
  }
  return LoadConfigText(buf.str(), path);
}

}  // namespace ttyhub
