// ttyhubctl: a command line over ttyhub's admin API.
//
//   ttyhubctl ports                       table of ports: settings, state, clients, rates, errors
//   ttyhubctl show PORT                   one port's details and its clients
//   ttyhubctl kick PORT CLIENT_ID         disconnect a client
//   ttyhubctl set PORT 9600e71 [--flow rtscts]   change serial settings live
//   ttyhubctl watch [--interval 1]        live per-port rates, refreshed in place
//   ttyhubctl log PORT [--lines N] [--since 10m] [--follow]   a port's console log
//   ttyhubctl grep REGEX [--ports a,b] [--since 1h]          search every console's log
//   ttyhubctl logs reopen                 reopen every console log file (after logrotate)
//   ttyhubctl reload                      re-read the configuration file and apply it
//   ttyhubctl writer PORT CLIENT_ID       give the port's write role to a client
//   ttyhubctl enable|disable PORT [LISTENER]   switch a port's listeners on or off
//   ttyhubctl connect [PORT] [--ro|--rw|--force]  an interactive console (tools/ctl/connect.h)
//
// --json prints the API's JSON instead of tables (ports, show). The daemon's
// address comes from --url, else $TTYHUB_URL, else http://127.0.0.1:8420; a
// bearer token from --token, else $TTYHUB_TOKEN.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/ctl/admin_client.h"
#include "tools/ctl/connect.h"
#include "tools/ctl/escape_parser.h"
#include "tools/ctl/log_commands.h"
#include "tools/ctl/tables.h"

namespace ttyhub::ctl {
namespace {

constexpr const char* kUsage =
    "usage: ttyhubctl [--url URL] [--token TOKEN] [--json] COMMAND\n"
    "\n"
    "commands:\n"
    "  ports                      every port: settings, state, listeners, clients, rates, errors\n"
    "  show PORT                  one port in detail, with its clients\n"
    "  kick PORT CLIENT_ID        disconnect a client (ids are in `show`)\n"
    "  set PORT SERIAL [--flow F] change serial settings live, e.g. set sw1 9600e71 --flow none\n"
    "  watch [--interval SECONDS] live per-port rates, refreshed in place (Ctrl-C to stop)\n"
    "  log PORT [--lines N] [--since T] [--follow]\n"
    "                             the port's console log as written (default: last 100 lines);\n"
    "                             T is a duration back (90s, 10m, 1h) or an RFC 3339 time;\n"
    "                             --follow (-f) then prints new lines until Ctrl-C\n"
    "  grep REGEX [--ports a,b] [--since T]\n"
    "                             matching lines of every console's log: port, time, line\n"
    "                             (RE2 syntax; --json prints the API's NDJSON)\n"
    "  logs reopen                reopen every console log file (after logrotate moved them)\n"
    "  reload                     re-read the configuration file and apply what changed\n"
    "                             (as SIGHUP); prints what changed, port by port\n"
    "  enable PORT [LISTENER]     switch a port's listeners (or the one at LISTENER, an\n"
    "                             address as in `show`) on; disable switches them off:\n"
    "                             new clients are refused with a message (ser2net's off)\n"
    "  disable PORT [LISTENER]\n"
    "  writer PORT CLIENT_ID      give the port's write role to a client (write: exclusive\n"
    "                             or takeover listeners); the holder becomes a viewer\n"
    "  connect [PORT] [--ro|--rw|--force] [-e C] [--socket-dir DIR]\n"
    "          [--host HOST [--port N]] [--protocol raw|telnet] [--lines N]\n"
    "                             an interactive console by port name, over its unix socket\n"
    "                             (DIR/PORT.sock; DIR: $TTYHUB_SOCKET_DIR or /run/ttyhub) or,\n"
    "                             with --host, TCP; --ro never sends keystrokes, --force takes\n"
    "                             the write role at once. Escapes at the start of a line: ~.\n"
    "                             quit, ~b break, ~r replay N log lines (50), ~s status,\n"
    "                             ~w write role, ~? help, ~~ a ~; -e changes ~ (-e '^]',\n"
    "                             -e none). Without PORT: the consoles it can find\n"
    "\n"
    "The daemon is found at --url, $TTYHUB_URL or http://127.0.0.1:8420; it needs an\n"
    "`admin:` block in its configuration. --token (or $TTYHUB_TOKEN) is sent as a bearer\n"
    "token with every request: kick, set, logs reopen, reload and writer need it when the\n"
    "daemon has a token, and every command does when it sets token_required_for_reads.\n"
    "`--` ends the options (for a grep regex that starts with -).\n";

struct Options {
  std::string url;
  std::string token;
  bool json = false;
  std::string flow;
  double interval = 1.0;
  int iterations = 0;  // watch: stop after N refreshes (0 = until Ctrl-C); log --follow: polls
  bool interval_given = false;
  std::optional<size_t> lines;  // log --lines
  std::string since;            // log, grep --since
  std::string ports;            // grep --ports
  bool follow = false;          // log --follow
  bool url_given = false;       // --url or $TTYHUB_URL
  ConnectOptions connect;       // connect's options
  std::vector<std::string> args;
};

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "ttyhubctl: %s\n", std::string(s.message()).c_str());
  return 1;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Watch(AdminClient& client, const Options& opts) {
  // Ctrl-C ends the loop: SIGINT is blocked and taken by sigtimedwait, which
  // also paces the refreshes.
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  sigprocmask(SIG_BLOCK, &interrupt, nullptr);
  const bool tty = isatty(1);
  for (int i = 0; opts.iterations == 0 || i < opts.iterations; ++i) {
    auto ports = client.Get("/api/v1/ports");
    if (!ports.ok()) return Fail(ports.status());
    const std::time_t now = std::time(nullptr);
    char stamp[64];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    std::string screen = tty ? "\x1b[H\x1b[2J" : "";
    absl::StrAppend(&screen, "ttyhub at ", opts.url, "   ", stamp, "   every ", opts.interval,
                    " s (Ctrl-C to stop)\n\n", RenderPortsTable(*ports));
    std::fwrite(screen.data(), 1, screen.size(), stdout);
    std::fflush(stdout);
    if (opts.iterations != 0 && i + 1 == opts.iterations) break;
    const auto ns = static_cast<int64_t>(opts.interval * 1e9);
    timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    if (sigtimedwait(&interrupt, nullptr, &wait) == SIGINT) break;
  }
  return 0;
}

int Run(int argc, char** argv) {
  Options opts;
  const char* env_url = std::getenv("TTYHUB_URL");
  const char* env_token = std::getenv("TTYHUB_TOKEN");
  const char* env_socket_dir = std::getenv("TTYHUB_SOCKET_DIR");
  opts.url = env_url ? env_url : "http://127.0.0.1:8420";
  opts.url_given = env_url != nullptr;
  opts.token = env_token ? env_token : "";
  if (env_socket_dir != nullptr && env_socket_dir[0] != '\0')
    opts.connect.socket_dir = env_socket_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--url" || a == "--token" || a == "--flow" || a == "--interval" ||
        a == "--iterations" || a == "--lines" || a == "--since" || a == "--ports" || a == "-e" ||
        a == "--socket-dir" || a == "--host" || a == "--port" || a == "--protocol") {
      const char* v = value();
      if (v == nullptr) {
        std::fprintf(stderr, "ttyhubctl: %s needs a value\n", a.c_str());
        return 2;
      }
      if (a == "--url") opts.url = v, opts.url_given = true;
      if (a == "-e") {
        auto escape = ParseEscapeCharacter(v);
        if (!escape.ok()) {
          std::fprintf(stderr, "ttyhubctl: %s\n", std::string(escape.status().message()).c_str());
          return 2;
        }
        opts.connect.escape = *escape;
      }
      if (a == "--socket-dir") opts.connect.socket_dir = v;
      if (a == "--host") opts.connect.host = v;
      if (a == "--port") {
        uint32_t port = 0;
        if (!absl::SimpleAtoi(v, &port) || port == 0 || port > 65535) {
          std::fprintf(stderr, "ttyhubctl: --port must be a TCP port number, 1 to 65535\n");
          return 2;
        }
        opts.connect.tcp_port = static_cast<uint16_t>(port);
      }
      if (a == "--protocol") {
        opts.connect.protocol = WireProtocolNamed(v);
        if (!opts.connect.protocol) {
          std::fprintf(stderr, "ttyhubctl: --protocol must be raw, telnet or rfc2217\n");
          return 2;
        }
      }
      if (a == "--token") opts.token = v;
      if (a == "--flow") opts.flow = v;
      if (a == "--interval" && (!absl::SimpleAtod(v, &opts.interval) || opts.interval < 0.1)) {
        std::fprintf(stderr, "ttyhubctl: --interval must be a number of seconds >= 0.1\n");
        return 2;
      }
      if (a == "--iterations" && (!absl::SimpleAtoi(v, &opts.iterations) || opts.iterations < 0)) {
        std::fprintf(stderr, "ttyhubctl: --iterations must be a whole number\n");
        return 2;
      }
      if (a == "--interval") opts.interval_given = true;
      if (a == "--lines") {
        size_t n = 0;
        if (!absl::SimpleAtoi(v, &n)) {
          std::fprintf(stderr, "ttyhubctl: --lines must be a whole number\n");
          return 2;
        }
        opts.lines = n;
      }
      if (a == "--since") opts.since = v;
      if (a == "--ports") opts.ports = v;
    } else if (a == "--json") {
      opts.json = true;
    } else if (a == "--follow" || a == "-f") {
      opts.follow = true;
    } else if (a == "--ro") {
      opts.connect.mode = ConnectOptions::Mode::kReadOnly;
    } else if (a == "--rw") {
      opts.connect.mode = ConnectOptions::Mode::kReadWrite;
    } else if (a == "--force") {
      opts.connect.mode = ConnectOptions::Mode::kForce;
    } else if (a == "--") {
      for (++i; i < argc; ++i) opts.args.push_back(argv[i]);
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "ttyhubctl: unknown option '%s'\n\n%s", a.c_str(), kUsage);
      return 2;
    } else {
      opts.args.push_back(a);
    }
  }
  if (opts.args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  AdminClient client(opts.url, opts.token);
  const std::string& cmd = opts.args[0];
  const size_t nargs = opts.args.size() - 1;
  auto usage_error = [&](const char* what) {
    std::fprintf(stderr, "ttyhubctl: usage: ttyhubctl %s\n", what);
    return 2;
  };
  if (cmd == "ports") {
    if (nargs != 0) return usage_error("ports");
    auto r = client.Get("/api/v1/ports");
    if (!r.ok()) return Fail(r.status());
    const std::string out = opts.json ? r->dump(2) + "\n" : RenderPortsTable(*r);
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  if (cmd == "show") {
    if (nargs != 1) return usage_error("show PORT");
    auto r = client.Get("/api/v1/ports/" + opts.args[1]);
    if (!r.ok()) return Fail(r.status());
    const std::string out = opts.json ? r->dump(2) + "\n" : RenderPortDetails(*r, NowUnixMs());
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  if (cmd == "kick") {
    if (nargs != 2) return usage_error("kick PORT CLIENT_ID");
    auto r = client.Post(
        absl::StrCat("/api/v1/ports/", opts.args[1], "/clients/", opts.args[2], "/disconnect"),
        nlohmann::ordered_json::object());
    if (!r.ok()) return Fail(r.status());
    std::printf("disconnected client %s of port %s\n", opts.args[2].c_str(), opts.args[1].c_str());
    return 0;
  }
  if (cmd == "set") {
    if (nargs != 1 && nargs != 2)
      return usage_error("set PORT SERIAL [--flow none|xonxoff|rtscts]");
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    if (nargs == 2) body["serial"] = opts.args[2];
    if (!opts.flow.empty()) body["flow"] = opts.flow;
    if (body.empty()) return usage_error("set PORT SERIAL [--flow none|xonxoff|rtscts]");
    auto r = client.Post(absl::StrCat("/api/v1/ports/", opts.args[1], "/serial"), body);
    if (!r.ok()) return Fail(r.status());
    std::printf("port %s: serial %s, flow %s\n", opts.args[1].c_str(),
                (*r)["serial"].get<std::string>().c_str(), (*r)["flow"].get<std::string>().c_str());
    return 0;
  }
  if (cmd == "watch") {
    if (nargs != 0) return usage_error("watch [--interval SECONDS]");
    return Watch(client, opts);
  }
  if (cmd == "log") {
    if (nargs != 1) return usage_error("log PORT [--lines N] [--since T] [--follow]");
    LogCommand log;
    log.port = opts.args[1];
    log.lines = opts.lines;
    log.since = opts.since;
    log.follow = opts.follow;
    if (opts.interval_given) log.interval = opts.interval;
    log.polls = opts.iterations;
    return RunLog(client, log);
  }
  if (cmd == "grep") {
    if (nargs != 1) return usage_error("grep REGEX [--ports a,b] [--since T]");
    GrepCommand grep;
    grep.regex = opts.args[1];
    grep.ports = opts.ports;
    grep.since = opts.since;
    grep.json = opts.json;
    return RunGrep(client, grep);
  }
  if (cmd == "logs") {
    if (nargs != 1 || opts.args[1] != "reopen") return usage_error("logs reopen");
    return RunLogsReopen(client);
  }
  if (cmd == "reload") {
    if (nargs != 0) return usage_error("reload");
    auto r = client.Post("/api/v1/reload", nlohmann::ordered_json::object());
    if (!r.ok()) return Fail(r.status());
    if (opts.json) {
      std::printf("%s\n", r->dump(2).c_str());
      return 0;
    }
    for (const auto& line : (*r)["changes"]) std::printf("%s\n", line.get<std::string>().c_str());
    return 0;
  }
  if (cmd == "enable" || cmd == "disable") {
    if (nargs != 1 && nargs != 2) return usage_error("enable|disable PORT [LISTENER]");
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    if (nargs == 2) body["listener"] = opts.args[2];
    auto r = client.Post(absl::StrCat("/api/v1/ports/", opts.args[1], "/", cmd), body);
    if (!r.ok()) return Fail(r.status());
    std::printf("port %s: %s switched %s\n", opts.args[1].c_str(),
                nargs == 2 ? opts.args[2].c_str() : "every listener",
                cmd == "enable" ? "on" : "off");
    return 0;
  }
  if (cmd == "writer") {
    if (nargs != 2) return usage_error("writer PORT CLIENT_ID");
    uint64_t id = 0;
    if (!absl::SimpleAtoi(opts.args[2], &id)) return usage_error("writer PORT CLIENT_ID");
    auto r = client.Post(absl::StrCat("/api/v1/ports/", opts.args[1], "/writer"),
                         nlohmann::ordered_json{{"client", id}});
    if (!r.ok()) return Fail(r.status());
    std::printf("port %s: client %llu holds the write role\n", opts.args[1].c_str(),
                static_cast<unsigned long long>(id));
    return 0;
  }
  if (cmd == "connect") {
    if (nargs > 1) return usage_error("connect [PORT] [--ro|--rw|--force]");
    ConnectOptions& c = opts.connect;
    if (nargs == 1) c.port = opts.args[1];
    if (opts.lines) c.replay_lines = *opts.lines;
    while (c.socket_dir.size() > 1 && c.socket_dir.back() == '/') c.socket_dir.pop_back();
    if (!c.host.empty() && !opts.url_given) {
      // The console's host serves its admin API too, unless told otherwise.
      const bool v6 = c.host.find(':') != std::string::npos;
      client = AdminClient(absl::StrCat("http://", v6 ? "[" : "", c.host, v6 ? "]" : "", ":8420"),
                           opts.token);
    }
    return RunConnect(client, c);
  }
  std::fprintf(stderr, "ttyhubctl: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}

}  // namespace
}  // namespace ttyhub::ctl

int main(int argc, char** argv) { return ttyhub::ctl::Run(argc, argv); }
