// `ttyhubctl connect PORT [--ro|--rw|--force]`: an interactive console
// client that finds a port by name, like conserver's `console` or `cu`.
//
// Where it connects:
//   - by default, the port's unix socket: SOCKET_DIR/PORT.sock (--socket-dir,
//     $TTYHUB_SOCKET_DIR, /run/ttyhub); if there is no such file, the first
//     unix listener the admin API shows for the port;
//   - with --host HOST, TCP: --port N, or the port's TCP listener from the
//     admin API (an rw one; an ro one first with --ro).
// What it speaks: telnet (a minimal NVT client: BINARY both ways, SGA, the
// server echoes) on telnet and rfc2217 listeners, bytes as they are on raw
// ones. The protocol is --protocol if given, else the listener's protocol
// in the admin API, else guessed from the first bytes: ttyhub's telnet
// listeners send IAC negotiations the moment they accept, so a first byte
// IAC (0xFF) means telnet, any other first byte, or none within 1 s, raw.
//
// The session puts the terminal in raw mode and restores it on every way
// out (TerminalMode, ExitSignals); keystroke escapes (EscapeParser) quit,
// send a break, replay the console log (GET /api/v1/ports/PORT/log), show
// status (GET /api/v1/ports/PORT) and ask for the write role (POST
// /api/v1/ports/PORT/writer, for this process's own client, found by its
// peer text: "uid U pid P" over a unix socket, its address over TCP).
// ttyhubctl's own messages go to stderr as "[ttyhubctl: ...]" lines.
//
// Exit status: 0 after ~. (or, when stdin is not a terminal, after stdin
// ended and ttyhub then closed); 1 when ttyhub closed the connection or
// could not be reached; 128+N after signal N (SIGTERM, SIGHUP, SIGINT,
// SIGQUIT); 129 when the terminal hung up (a closed ssh session), as if by
// SIGHUP.
//
// Single-threaded: one poll(2) loop over the connection, the terminal and a
// signalfd. Admin API calls (~r, ~s, ~w) block the loop while they run
// (bounded by AdminClient's timeouts: 3 s to connect, 10 s in all).
#ifndef TTYHUB_TOOLS_CTL_CONNECT_H_
#define TTYHUB_TOOLS_CTL_CONNECT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "tools/ctl/admin_client.h"
#include "tools/ctl/console_lookup.h"

namespace ttyhub::ctl {

struct ConnectOptions {
  std::string port;  // empty: list the consoles that can be found
  enum class Mode {
    kReadWrite,  // --rw (default): keystrokes go to the device
    kReadOnly,   // --ro: keystrokes are never sent (escapes still work)
    kForce,      // --force: as --rw, and ask for the write role at once (as ~w)
  };
  Mode mode = Mode::kReadWrite;
  std::optional<char> escape = '~';  // -e; nullopt: escapes off
  std::string socket_dir = "/run/ttyhub";
  std::string host;                      // --host: connect over TCP
  uint16_t tcp_port = 0;                 // --port; 0: ask the admin API
  std::optional<WireProtocol> protocol;  // --protocol; unset: admin API, else guess
  size_t replay_lines = 50;              // ~r
};

// Runs `ttyhubctl connect` (or, without a port, lists the consoles); returns
// the process's exit status (see above).
int RunConnect(AdminClient& admin, const ConnectOptions& options);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_CONNECT_H_
