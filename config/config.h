// The validated configuration model the engine runs from.
//
// Plain data with no YAML in it: the loader (config_loader.h) builds it, the
// engine copies what each worker needs at startup. Every value here has been
// checked, and every inherited value resolved, so the engine never sees an
// optional or an unvalidated string.
#ifndef TTYHUB_CONFIG_CONFIG_H_
#define TTYHUB_CONFIG_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/cidr.h"
#include "config/serial_settings.h"

namespace ttyhub {

enum class Protocol : uint8_t { kRaw, kTelnet, kRfc2217 };
enum class Access : uint8_t { kReadWrite, kReadOnly };
// Who of a port's rw clients may type (issue 12, `write:`).
enum class WriteMode : uint8_t {
  kShared,     // every rw client writes (the default)
  kExclusive,  // the first rw client holds the write role; later ones are viewers until it leaves
  kTakeover,   // a new rw client takes the role; the holder becomes a viewer, still connected
};

// What to do with a client that cannot keep up with the port.
enum class SlowClientPolicy : uint8_t {
  kBackpressure,  // lossless: device reads pause while it is a full ring behind (rw only)
  kSkip,          // its cursor jumps to the oldest byte still held; skipped bytes are counted
  kDisconnect,    // it is disconnected as soon as the ring laps it
};

// How a port trades CPU for latency (issue 14, `latency:`). kLow makes the
// worker that owns the port poll its ring for a short while after each
// completion instead of going to sleep at once (BusyPollConfig), which
// saves the wake-ups that dominate a round trip; kNormal never polls.
enum class Latency : uint8_t { kNormal, kLow };

absl::string_view ProtocolName(Protocol p);
absl::string_view LatencyName(Latency l);
absl::string_view AccessName(Access a);
absl::string_view SlowClientPolicyName(SlowClientPolicy p);
absl::string_view WriteModeName(WriteMode w);

enum class DeviceKind : uint8_t {
  kTty,  // a character device path, opened and configured with termios
  kPty,  // ttyhub creates a pty pair and publishes the far end at `path`
  kSim,  // a built-in simulated device: `path` is "echo" or "console"
  // A network device (issue 13): ttyhub connects to `host`:`port` and speaks
  // `protocol` there (tcp:// raw, telnet://, rfc2217://); `path` is
  // "host:port" ("[::1]:port" for IPv6). See config/device_url.h.
  kNetwork,
};

struct DeviceSpec {
  DeviceKind kind = DeviceKind::kTty;
  std::string path;      // tty path, pty symlink path, or sim name
  std::string original;  // as written in the config, for logs and banners
  // kNetwork only: the remote end, numeric ("127.0.0.1", "::1"), and what it speaks.
  std::string host;
  uint16_t port = 0;
  Protocol protocol = Protocol::kRaw;

  bool operator==(const DeviceSpec&) const = default;
};

// What a new client of a listener is sent first: the last part of the
// port's output (issue 10's `history:`), then live data. Off by default.
struct HistorySpec {
  enum class Kind : uint8_t { kOff, kBytes, kLines };
  Kind kind = Kind::kOff;
  uint64_t amount = 0;  // bytes (kBytes) or lines (kLines); > 0 unless kOff

  bool operator==(const HistorySpec&) const = default;
};

struct ListenerConfig {
  std::string where;  // "file:line:col: ports[i].listen[j]" for runtime errors
  std::string host;   // bind address; "" means all interfaces, IPv6 and IPv4
  uint16_t port = 0;  // TCP port, 1..65535
  Protocol protocol = Protocol::kRaw;
  Access access = Access::kReadWrite;
  uint32_t max_clients = 64;
  SlowClientPolicy slow_policy = SlowClientPolicy::kBackpressure;  // resolved for `access`
  std::chrono::milliseconds stall_timeout{30'000};  // backpressure clients only; 0 = never
  std::chrono::milliseconds idle_timeout{0};        // inactivity; 0 = never
  std::string banner;                               // validated template, see banner.h; "" = none
  std::string signature;  // RFC 2217 SIGNATURE; "" = "ttyhub <version> <port name>"
  HistorySpec history;    // replayed to each new client before live data
  // Who may connect (issue 12): a peer in `deny` is refused; else, if
  // `allow` is not empty, a peer must be in it. Checked at accept, before
  // any byte is sent.
  std::vector<Cidr> allow;
  std::vector<Cidr> deny;
  WriteMode write = WriteMode::kShared;  // rw listeners only
  // A full listener refuses newcomers (default) or, with kick_oldest
  // (ser2net's kickolduser), disconnects its longest-connected client,
  // telling it why, and takes the newcomer.
  bool kick_oldest_when_full = false;
  // ser2net's `off`: the listener is bound but refuses clients with a
  // message until switched on (admin API, ttyhubctl enable). This is the
  // state it starts in; the switch is not written back to the file.
  bool enabled = true;
  // A CUSE listener (issue 13) when `cuse_name` is set: ttyhub creates the
  // character device /dev/<cuse_name> (CUSE, libfuse3) and serves it as one
  // RFC 2217 client of the port, with this listener's `access`, so that
  // every termios setting an application makes, parity and data bits
  // included, reaches the port. See engine/cuse_tty.h.
  std::string cuse_name;
  bool is_cuse() const { return !cuse_name.empty(); }
  // A Unix-socket listener (issue 12) instead of TCP when `unix_path` is
  // set (%n expanded): who may connect, and with which access, is decided
  // by the peer's credentials (SO_PEERCRED, SO_PEERGROUPS): root always
  // rw, then members of rw_gids, then of ro_gids; others are refused.
  // `access` is kReadWrite for such listeners (some clients may write).
  std::string unix_path;
  std::vector<uint32_t> rw_gids;
  std::vector<uint32_t> ro_gids;
  uint32_t socket_mode = 0660;  // the socket file's (or pty's) permissions
  int64_t socket_gid = -1;      // the socket file's (or pty's) group; -1: the process's
  bool is_unix() const { return !unix_path.empty(); }
  // A pty listener (issue 13) when `pty_path` is set: ttyhub creates a
  // pseudo-terminal, publishes its slave as a symlink at `pty_path`, and
  // serves the program that opens it as one client of the port, with this
  // listener's `access`. The slave gets `socket_mode`, `socket_gid` and
  // `pty_uid` (-1: the process's). See engine/published_pty.h.
  std::string pty_path;
  int64_t pty_uid = -1;
  bool is_pty() const { return !pty_path.empty(); }

  bool operator==(const ListenerConfig&) const = default;
};

// An alert on the port's console output (issue 10): each line the device
// prints is matched against `regex` (RE2 syntax, unanchored: it may match
// anywhere in the line). Validated by config/alert_rules.h.
struct AlertConfig {
  std::string name;   // [A-Za-z0-9_.-]{1,64}, unique on its port
  std::string regex;  // at most kMaxAlertRegexBytes; compiles with RE2

  bool operator==(const AlertConfig&) const = default;
};

// A port's console log (issue 10, `log:`): every byte the device sends,
// written to a file by the port's worker without ever waiting for the disk
// (engine/console_logger.h). Off unless `log:` is given.
struct ConsoleLogConfig {
  bool enabled = false;
  std::string path;           // template (config/log_path.h); resolved: never empty if enabled
  bool timestamps = true;     // RFC 3339 UTC with milliseconds at the start of each line
  uint64_t rotate_bytes = 0;  // rotate before a file passes this size; 0: never by size
  uint32_t keep = 8;          // rotated files kept: PATH.1 (newest) .. PATH.<keep>
  bool daily = false;         // also rotate when the local date changes (as logrotate)
  bool input = false;         // also log what clients wrote to the device, marked per line

  bool operator==(const ConsoleLogConfig&) const = default;
};

struct PortConfig {
  std::string where;  // "file:line:col: ports[i]"
  std::string name;   // [A-Za-z0-9_.-]+, unique
  DeviceSpec device;
  SerialSettings serial;               // includes flow control
  bool local = true;                   // CLOCAL: ignore modem status lines (DCD)
  bool hangup_when_done = false;       // drop DTR/RTS when the last client leaves
  uint64_t buffer_bytes = 256 * 1024;  // fan-out ring size; a power of two >= 4 KiB
  std::vector<ListenerConfig> listeners;
  std::vector<AlertConfig> alerts;  // at most kMaxAlertsPerPort; empty: no matching
  ConsoleLogConfig log;
  // Issue 11, ser2net semantics. open_on_connect (`open: on_connect`): the
  // device is opened when the first client connects and closed when the
  // last one has gone (ser2net's way); default: always open.
  bool open_on_connect = false;
  // Sent to the device each time it is opened / before it is closed
  // (ser2net's openstr/closestr); banner templates (config/banner.h).
  std::string open_string;
  std::string close_string;
  // ser2net's rawlp: the device is only written to, opened O_WRONLY,
  // without touching its termios. Clients get nothing from it. tty only.
  bool write_only = false;
  // UUCP lock directory for tty devices (the top-level `lock_dir`, copied
  // into each port); "" = no lock files. See engine/uucp_lock.h.
  std::string lock_dir = "/run/lock";
  // Opt-in busy polling for this port's worker (issue 14); see Latency.
  Latency latency = Latency::kNormal;

  bool operator==(const PortConfig&) const = default;
};

// The admin HTTP listener (metrics, JSON API). Off unless `admin:` is given.
struct AdminConfig {
  bool enabled = false;
  std::string where;               // "file:line:col: admin", for runtime errors
  std::string host = "127.0.0.1";  // loopback unless configured otherwise
  uint16_t port = 8420;
  std::string token;  // if set, mutating endpoints need "Authorization: Bearer <token>"
  // Reads (/metrics, /api/v1/...) need the token too; /healthz never does.
  // Only with a token.
  bool token_required_for_reads = false;
  // Host names (lower case, no port) accepted in the Host header besides the
  // listen address, "localhost" and loopback addresses: the DNS-rebinding
  // guard. Names only: IP literals need no listing when they are ours.
  std::vector<std::string> allowed_hosts;

  bool operator==(const AdminConfig&) const = default;
};

// How a worker that owns a `latency: low` port polls (top-level
// `busy_poll:`). Applies only to such workers: the default stays frugal.
struct BusyPollConfig {
  // Keep polling this long after the last completion before sleeping.
  // 1 us .. 10 ms.
  std::chrono::microseconds window{100};
  // At most this share of each second a worker may spend polling, in
  // percent of one core (1..100). Once spent, the worker sleeps as usual
  // until the next second begins.
  uint32_t budget_percent = 50;

  bool operator==(const BusyPollConfig&) const = default;
};

// A new top-level key needs a line in DiffConfigs (config_diff.cc) and in
// Engine::Reload, which applies the top-level keys one by one.
struct Config {
  std::string source;                                 // file the config came from
  unsigned workers = 1;                               // resolved: never 0
  std::chrono::milliseconds shutdown_timeout{2'000};  // flush budget on SIGTERM
  std::string log_level = "info";
  std::string lock_dir = "/run/lock";  // UUCP device locks; "" = off
  BusyPollConfig busy_poll;
  AdminConfig admin;
  std::vector<PortConfig> ports;
};

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CONFIG_H_
