// `ttyhubctl connect`: resolving a console by name, and the interactive
// session. See connect.h.
#include "tools/ctl/connect.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/ctl/console_status.h"
#include "tools/ctl/escape_parser.h"
#include "tools/ctl/telnet_client.h"
#include "tools/ctl/terminal_mode.h"

namespace ttyhub::ctl {
namespace {

// How long the first bytes may take to show a listener's protocol when
// nothing else says it: ttyhub sends its telnet offers as it accepts.
constexpr int kProtocolGuessMs = 1000;
// Bounds a TCP connect.
constexpr int kConnectTimeoutMs = 5000;

// Where a console is and what it speaks.
struct Target {
  bool is_unix = true;
  std::string path;  // unix
  std::string host;  // TCP
  uint16_t tcp_port = 0;
  std::optional<WireProtocol> protocol;  // unset: guess from the first bytes
  std::string description;               // "unix:/run/ttyhub/sw1.sock", "tcp 127.0.0.1:7001"
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "ttyhubctl: %s\n", message.c_str());
  return 1;
}

bool IsSocket(const std::string& path, struct stat* st) {
  return stat(path.c_str(), st) == 0 && S_ISSOCK(st->st_mode);
}

// The protocol of the unix listener whose socket file is the file at
// `path` (compared by inode, so /run/ttyhub and /run/ttyhub/ match).
std::optional<WireProtocol> UnixListenerProtocol(const nlohmann::ordered_json& port,
                                                 const struct stat& target) {
  for (const ListenerInfo& l : ListenersOf(port)) {
    struct stat st {};
    if (l.is_unix && IsSocket(l.unix_path, &st) && st.st_ino == target.st_ino &&
        st.st_dev == target.st_dev) {
      return l.protocol;
    }
  }
  return std::nullopt;
}

absl::StatusOr<Target> ResolveTarget(AdminClient& admin, const ConnectOptions& o) {
  Target t;
  t.protocol = o.protocol;
  const std::string api_path = absl::StrCat("/api/v1/ports/", o.port);
  if (!o.host.empty()) {
    t.is_unix = false;
    t.host = o.host;
    t.tcp_port = o.tcp_port;
    if (t.tcp_port == 0 || !t.protocol) {
      auto port = admin.Get(api_path);
      if (!port.ok() && t.tcp_port == 0) {
        return absl::Status(
            port.status().code(),
            absl::StrCat("cannot find port ", o.port, "'s TCP listener through the admin API (",
                         port.status().message(), "); give its TCP port with --port"));
      }
      if (port.ok() && t.tcp_port == 0) {
        const std::optional<ListenerInfo> l =
            ChooseTcpListener(*port, o.mode == ConnectOptions::Mode::kReadOnly);
        if (!l) {
          return absl::NotFoundError(absl::StrCat(
              "port ", o.port, " has no TCP listener; connect without --host to use its socket"));
        }
        t.tcp_port = l->tcp_port;
        if (!t.protocol) t.protocol = l->protocol;
      } else if (port.ok()) {
        for (const ListenerInfo& l : ListenersOf(*port)) {
          if (!l.is_unix && l.tcp_port == t.tcp_port && !t.protocol) t.protocol = l.protocol;
        }
      }
    }
    const bool v6 = t.host.find(':') != std::string::npos;
    t.description = absl::StrCat("tcp ", v6 ? "[" : "", t.host, v6 ? "]" : "", ":", t.tcp_port);
    return t;
  }
  t.path = absl::StrCat(o.socket_dir, "/", o.port, ".sock");
  struct stat st {};
  if (IsSocket(t.path, &st)) {
    if (!t.protocol) {
      auto port = admin.Get(api_path);
      if (port.ok()) t.protocol = UnixListenerProtocol(*port, st);
    }
  } else {
    auto port = admin.Get(api_path);
    std::optional<ListenerInfo> found;
    if (port.ok()) {
      for (const ListenerInfo& l : ListenersOf(*port)) {
        if (l.is_unix && !found) found = l;
      }
    }
    if (!found) {
      const std::string why =
          port.ok()
              ? absl::StrCat("the admin API shows no unix listener for port ", o.port)
              : absl::StrCat("the admin API could not say where it is: ", port.status().message());
      return absl::NotFoundError(
          absl::StrCat("no console socket ", t.path,
                       " (the socket directory is --socket-dir, "
                       "$TTYHUB_SOCKET_DIR or /run/ttyhub), and ",
                       why,
                       ". `ttyhubctl connect` without a port lists the consoles it can find; "
                       "--host connects over TCP"));
    }
    t.path = found->unix_path;
    if (!t.protocol) t.protocol = found->protocol;
  }
  t.description = absl::StrCat("unix:", t.path);
  return t;
}

absl::StatusOr<int> ConnectUnix(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sun.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("socket path too long: ", path));
  }
  std::memcpy(sun.sun_path, path.data(), path.size());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof(sun)) != 0) {
    const int err = errno;
    close(fd);
    std::string hint;
    if (err == EACCES) {
      hint = ": you may not open the socket file (see its group and mode with ls -l)";
    } else if (err == ECONNREFUSED) {
      hint = ": nobody accepts on it; is ttyhub running?";
    }
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", path, ": ", strerror(err), hint));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

absl::StatusOr<int> ConnectTcp(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::NotFoundError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    const int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) continue;
    int err = 0;
    if (connect(s, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{s, POLLOUT, 0};
        if (poll(&p, 1, kConnectTimeoutMs) == 1) {
          socklen_t len = sizeof(err);
          getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
        } else {
          err = ETIMEDOUT;
        }
      }
    }
    if (err == 0) {
      fd = s;
    } else {
      last_error = strerror(err);
      close(s);
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", host, " port ", port, ": ", last_error));
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // keystrokes go at once
  return fd;
}

// This end of a TCP connection as ttyhub shows its peer: "127.0.0.1:40000",
// "[::1]:40000" (IPv4-mapped addresses as IPv4).
std::string LocalTcpPeerText(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    return absl::StrCat(host, ":", ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], host, sizeof(host));
      return absl::StrCat(host, ":", ntohs(a->sin6_port));
    }
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    return absl::StrCat("[", host, "]:", ntohs(a->sin6_port));
  }
  return "?";
}

// The interactive session over a connected socket. Owns the socket.
class Session {
 public:
  Session(AdminClient& admin, const ConnectOptions& options, Target target, int sock)
      : admin_(admin),
        options_(options),
        target_(std::move(target)),
        sock_(sock),
        escapes_(options.escape),
        protocol_(target_.protocol),
        protocol_guessed_(!target_.protocol) {}
  ~Session() { close(sock_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int Run();

 private:
  // Why the session ends, and the exit status that goes with it.
  struct Ending {
    int status;
    std::string reason;
  };

  // The loop's steps; each returns an Ending when the session is over.
  std::optional<Ending> GuessProtocol();
  std::optional<Ending> OnSocketReadable();
  std::optional<Ending> OnKeyboardReadable();
  std::optional<Ending> OnSignal();
  std::optional<Ending> Act(const EscapeAction& action);

  // Output. Notice() writes "[ttyhubctl: text]" on a line of its own to
  // stderr; Lines() writes text as it is, with "\n" as "\r\n" when raw.
  void Notice(const std::string& text);
  void Lines(const std::string& text, int fd);
  // Writes all of `data` to `fd`, unless a signal arrives first (false) or
  // the descriptor fails (false, *failed set).
  bool WriteAll(int fd, absl::string_view data, bool* failed);
  // Sends `data` to ttyhub; false if the connection failed or a signal came.
  bool SendToServer(absl::string_view data);
  // Passes bytes from ttyhub to the terminal, decoding telnet.
  std::optional<Ending> Deliver(absl::string_view wire);

  void ShowHelp();
  void ShowStatus();
  void Replay();
  void AskForWriteRole();
  std::string OwnPeerText() const;
  bool read_only() const { return options_.mode == ConnectOptions::Mode::kReadOnly; }

  AdminClient& admin_;
  const ConnectOptions& options_;
  Target target_;
  int sock_;
  EscapeParser escapes_;
  std::optional<WireProtocol> protocol_;
  bool protocol_guessed_;
  TelnetClient telnet_;
  std::optional<ExitSignals> signals_;
  bool raw_ = false;
  bool stdin_open_ = true;
  bool out_at_line_start_ = true;  // the terminal's cursor is at the start of a line
  bool told_read_only_ = false;
};

void Session::Lines(const std::string& text, int fd) {
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    if (c == '\n' && raw_) out.push_back('\r');
    out.push_back(c);
  }
  bool failed = false;
  WriteAll(fd, out, &failed);
  if (!text.empty()) out_at_line_start_ = text.back() == '\n';
}

void Session::Notice(const std::string& text) {
  Lines(absl::StrCat(out_at_line_start_ ? "" : "\n", "[ttyhubctl: ", text, "]\n"), 2);
}

bool Session::WriteAll(int fd, absl::string_view data, bool* failed) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p[2] = {{fd, POLLOUT, 0}, {signals_ ? signals_->fd() : -1, POLLIN, 0}};
      poll(p, 2, -1);
      if (p[1].revents & POLLIN) return false;
      continue;
    }
    *failed = true;
    return false;
  }
  return true;
}

bool Session::SendToServer(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(sock_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p[2] = {{sock_, POLLOUT, 0}, {signals_->fd(), POLLIN, 0}};
      poll(p, 2, -1);
      if (p[1].revents & POLLIN) return false;
      continue;
    }
    return false;
  }
  return true;
}

std::optional<Session::Ending> Session::Deliver(absl::string_view wire) {
  if (wire.empty()) return std::nullopt;
  if (!protocol_) {
    // The first byte tells: ttyhub's telnet listeners open with IAC.
    protocol_ = static_cast<uint8_t>(wire[0]) == 0xff ? WireProtocol::kTelnet : WireProtocol::kRaw;
  }
  std::string decoded;
  absl::string_view data = wire;
  if (*protocol_ == WireProtocol::kTelnet) {
    decoded = telnet_.Receive(wire);
    data = decoded;
  }
  if (!data.empty()) {
    bool failed = false;
    WriteAll(1, data, &failed);
    out_at_line_start_ = data.back() == '\n';
    if (failed) return Ending{129, "the terminal went away"};
  }
  if (!telnet_.replies().empty()) {
    const std::string replies = std::move(telnet_.replies());
    telnet_.replies().clear();
    SendToServer(replies);  // on failure the loop sees the connection fail, or the signal
  }
  return std::nullopt;
}

std::optional<Session::Ending> Session::GuessProtocol() {
  pollfd p[2] = {{sock_, POLLIN, 0}, {signals_->fd(), POLLIN, 0}};
  if (poll(p, 2, kProtocolGuessMs) <= 0 || (p[0].revents == 0)) {
    if (p[1].revents & POLLIN) return OnSignal();
    protocol_ = WireProtocol::kRaw;  // nothing said: a raw listener with a quiet device
    return std::nullopt;
  }
  return OnSocketReadable();
}

std::optional<Session::Ending> Session::OnSocketReadable() {
  char buf[65536];
  const ssize_t n = read(sock_, buf, sizeof(buf));
  if (n == 0) {
    if (!stdin_open_) return Ending{0, "input ended and ttyhub closed the connection"};
    return Ending{1, "ttyhub closed the connection"};
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::nullopt;
    return Ending{1, absl::StrCat("the connection failed: ", strerror(errno))};
  }
  return Deliver(absl::string_view(buf, static_cast<size_t>(n)));
}

std::optional<Session::Ending> Session::OnKeyboardReadable() {
  char buf[4096];
  const ssize_t n = read(0, buf, sizeof(buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return std::nullopt;
  if (n <= 0) {
    // A terminal reads 0 or EIO only once it has hung up: the ssh session
    // or the terminal window is gone.
    if (isatty(0) || (n < 0 && errno == EIO)) return Ending{129, "the terminal went away"};
    // A pipe or file ended: send what is left, then wait for ttyhub to close.
    stdin_open_ = false;
    shutdown(sock_, SHUT_WR);
    return std::nullopt;
  }
  for (const EscapeAction& a : escapes_.Feed(absl::string_view(buf, static_cast<size_t>(n)))) {
    if (auto end = Act(a)) return end;
  }
  return std::nullopt;
}

std::optional<Session::Ending> Session::OnSignal() {
  const int sig = signals_->Take();
  if (sig == 0) return std::nullopt;
  const char* abbrev = sigabbrev_np(sig);
  return Ending{128 + sig, abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat("signal ", sig)};
}

std::optional<Session::Ending> Session::Act(const EscapeAction& action) {
  using Kind = EscapeAction::Kind;
  const std::string esc = options_.escape ? EscapeCharacterName(*options_.escape) : "";
  switch (action.kind) {
    case Kind::kSend:
      if (read_only()) {
        if (!told_read_only_) {
          Notice(
              absl::StrCat("read-only (--ro): what you type is not sent; ", esc, ". disconnects"));
          told_read_only_ = true;
        }
        return std::nullopt;
      }
      if (!SendToServer(protocol_ == WireProtocol::kTelnet ? telnet_.EncodeInput(action.bytes)
                                                           : action.bytes)) {
        return std::nullopt;  // a signal is pending, or the loop sees the connection fail
      }
      return std::nullopt;
    case Kind::kQuit:
      return Ending{0, absl::StrCat(esc, ".")};
    case Kind::kHelp:
      ShowHelp();
      return std::nullopt;
    case Kind::kBreak:
      if (read_only()) {
        Notice("read-only (--ro): no break sent");
      } else if (protocol_ != WireProtocol::kTelnet) {
        Notice(absl::StrCat(target_.description,
                            " is a raw listener: a break cannot be sent over it (a telnet or "
                            "rfc2217 listener of the port can)"));
      } else {
        SendToServer(TelnetClient::BreakCommand());
        Notice("break sent (ttyhub carries it out for a client that may write)");
      }
      return std::nullopt;
    case Kind::kReplay:
      Replay();
      return std::nullopt;
    case Kind::kStatus:
      ShowStatus();
      return std::nullopt;
    case Kind::kWriteRole:
      AskForWriteRole();
      return std::nullopt;
  }
  return std::nullopt;
}

void Session::ShowHelp() {
  if (!options_.escape) {
    Notice("escapes are off (-e none); end the session with a signal or by closing the terminal");
    return;
  }
  const std::string e = EscapeCharacterName(*options_.escape);
  Notice("escapes, typed at the start of a line:");
  Lines(absl::StrCat("  ", e, ".  disconnect\n",                                      //
                     "  ", e, "b  send a break (telnet and rfc2217 listeners)\n",     //
                     "  ", e, "r  replay the last ", options_.replay_lines,           //
                     " lines of the port's console log\n",                            //
                     "  ", e, "s  status: the port, its settings, who is writing\n",  //
                     "  ", e, "w  ask for the write role\n",                          //
                     "  ", e, "?  this help\n",                                       //
                     "  ", e, e, "  send ", e, "\n"),
        2);
}

std::string Session::OwnPeerText() const {
  if (target_.is_unix) return UnixPeerText(geteuid(), getpid());
  return LocalTcpPeerText(sock_);
}

void Session::ShowStatus() {
  auto port = admin_.Get(absl::StrCat("/api/v1/ports/", options_.port));
  if (!port.ok()) {
    Notice(absl::StrCat("no status: ", port.status().message()));
    return;
  }
  const std::string connection = absl::StrCat(
      target_.description, ", ", protocol_ ? WireProtocolName(*protocol_) : "?",
      protocol_guessed_ ? " (guessed from the first bytes)" : "", read_only() ? ", --ro" : "");
  Notice(absl::StrCat("status of port ", options_.port));
  Lines(RenderConsoleStatus(*port, FindClientByPeer(*port, OwnPeerText()), connection), 2);
}

void Session::Replay() {
  const std::string path =
      absl::StrCat("/api/v1/ports/", options_.port, "/log?lines=", options_.replay_lines);
  Notice(absl::StrCat("the last ", options_.replay_lines, " lines of port ", options_.port,
                      "'s console log:"));
  bool cr = false;  // the last byte written was a CR
  std::string chunk;
  auto answer = admin_.GetStream(path, [&](absl::string_view data) {
    // The log holds the device's bytes: a bare LF is shown as CR LF, as
    // the terminal's output processing would have shown it.
    chunk.clear();
    for (const char c : data) {
      if (c == '\n' && raw_ && !cr) chunk.push_back('\r');
      chunk.push_back(c);
      cr = c == '\r';
    }
    bool failed = false;
    WriteAll(1, chunk, &failed);
    if (!chunk.empty()) out_at_line_start_ = chunk.back() == '\n';
  });
  if (!answer.ok()) {
    const bool no_log = answer.status().code() == absl::StatusCode::kFailedPrecondition;
    Notice(no_log ? absl::StrCat("nothing to replay: ", answer.status().message(),
                                 " (a listener's history: replays output on connect)")
                  : absl::StrCat("cannot replay: ", answer.status().message()));
    return;
  }
  Notice("end of the replay; live output follows");
}

void Session::AskForWriteRole() {
  if (read_only()) {
    Notice("read-only (--ro): not asking for the write role");
    return;
  }
  const std::string api = absl::StrCat("/api/v1/ports/", options_.port);
  auto port = admin_.Get(api);
  if (!port.ok()) {
    Notice(absl::StrCat("cannot ask for the write role: ", port.status().message()));
    return;
  }
  if (!port->is_object() || !port->contains("writer")) {
    Notice(absl::StrCat("port ", options_.port,
                        " has no write role: every rw client writes (write: shared)"));
    return;
  }
  const std::string peer = OwnPeerText();
  const std::optional<uint64_t> me = FindClientByPeer(*port, peer);
  if (!me) {
    Notice(absl::StrCat("cannot ask for the write role: no client of port ", options_.port,
                        " has this session's peer (", peer, ")"));
    return;
  }
  if (JsonUint(*port, "writer") == me) {
    Notice(absl::StrCat("you hold the write role on port ", options_.port, " already"));
    return;
  }
  auto answer = admin_.Post(absl::StrCat(api, "/writer"), nlohmann::ordered_json{{"client", *me}});
  if (!answer.ok()) {
    Notice(absl::StrCat("the write role was not given: ", answer.status().message()));
    return;
  }
  Notice(absl::StrCat("asked for the write role on port ", options_.port, ": given to client #",
                      *me, " (you)"));
}

int Session::Run() {
  auto signals = ExitSignals::Block();
  if (!signals.ok()) return Fail(std::string(signals.status().message()));
  signals_.emplace(std::move(*signals));
  // From here on every way out passes through `terminal`'s destructor.
  auto terminal = TerminalMode::MakeRaw(0);
  if (!terminal.ok()) return Fail(std::string(terminal.status().message()));
  raw_ = terminal->raw();
  if (!raw_) {
    std::fprintf(stderr, "ttyhubctl: stdin is not a terminal: no raw mode (use ssh -t)\n");
  }
  const std::string esc = options_.escape ? EscapeCharacterName(*options_.escape) : "";
  Notice(absl::StrCat("connected to port ", options_.port, " (", target_.description,
                      options_.escape ? absl::StrCat("); ", esc, "? for help, ", esc, ". to quit")
                                      : "); escapes are off",
                      read_only() ? "; read-only (--ro)" : ""));
  std::optional<Ending> end;
  if (!protocol_) end = GuessProtocol();
  if (!end && options_.mode == ConnectOptions::Mode::kForce) AskForWriteRole();
  while (!end) {
    pollfd p[3] = {
        {sock_, POLLIN, 0}, {signals_->fd(), POLLIN, 0}, {stdin_open_ ? 0 : -1, POLLIN, 0}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      end = Ending{1, absl::StrCat("poll: ", strerror(errno))};
      break;
    }
    if (p[1].revents & POLLIN) {
      end = OnSignal();
      if (end) break;
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      end = OnSocketReadable();
      if (end) break;
    }
    if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) end = OnKeyboardReadable();
  }
  Notice(absl::StrCat("disconnected from port ", options_.port, ": ", end->reason));
  return end->status;  // `terminal` restores the terminal as it goes out of scope
}

// The *.sock sockets in `dir`, sorted.
std::vector<std::string> SocketsIn(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    struct stat st {};
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".sock") == 0 &&
        IsSocket(absl::StrCat(dir, "/", name), &st)) {
      names.push_back(name);
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

int ListConsoles(AdminClient& admin, const ConnectOptions& o) {
  auto ports = admin.Get("/api/v1/ports");
  std::vector<std::string> sockets = SocketsIn(o.socket_dir);
  if (ports.ok() && ports->is_object() && ports->contains("ports") &&
      (*ports)["ports"].is_array()) {
    // A socket the API lists under another path (a symlink, a bind mount)
    // is the same console: list it once.
    std::vector<std::pair<dev_t, ino_t>> listed;
    for (const auto& p : (*ports)["ports"]) {
      for (const ListenerInfo& l : ListenersOf(p)) {
        struct stat st {};
        if (l.is_unix && IsSocket(l.unix_path, &st)) listed.emplace_back(st.st_dev, st.st_ino);
      }
    }
    sockets.erase(std::remove_if(sockets.begin(), sockets.end(),
                                 [&](const std::string& name) {
                                   struct stat st {};
                                   return IsSocket(absl::StrCat(o.socket_dir, "/", name), &st) &&
                                          std::find(listed.begin(), listed.end(),
                                                    std::make_pair(st.st_dev, st.st_ino)) !=
                                              listed.end();
                                 }),
                  sockets.end());
  }
  if (!ports.ok()) {
    std::fprintf(stderr, "ttyhubctl: %s\nttyhubctl: listing the sockets in %s only\n",
                 std::string(ports.status().message()).c_str(), o.socket_dir.c_str());
  }
  const std::string table =
      RenderConsoleList(ports.ok() ? &*ports : nullptr, o.socket_dir, sockets);
  if (table.empty()) {
    return Fail(absl::StrCat("no consoles found: none through the admin API and no sockets in ",
                             o.socket_dir));
  }
  std::fputs(table.c_str(), stdout);
  return 0;
}

}  // namespace

int RunConnect(AdminClient& admin, const ConnectOptions& options) {
  if (options.port.empty()) return ListConsoles(admin, options);
  if (!IsValidPortName(options.port)) {
    return Fail(absl::StrCat("'", options.port,
                             "' is not a port name (letters, digits, _ . and -, at most 64)"));
  }
  auto target = ResolveTarget(admin, options);
  if (!target.ok()) return Fail(std::string(target.status().message()));
  auto sock =
      target->is_unix ? ConnectUnix(target->path) : ConnectTcp(target->host, target->tcp_port);
  if (!sock.ok()) return Fail(std::string(sock.status().message()));
  Session session(admin, options, std::move(*target), *sock);
  return session.Run();
}

}  // namespace ttyhub::ctl
