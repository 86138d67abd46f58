// TmuxSession: a real terminal for end-to-end tests of interactive
// programs. A private tmux server (its own socket in a test directory, no
// configuration file) runs one command in a detached session of a fixed
// size; the test types with send-keys and reads the screen with
// capture-pane. Every wait polls the screen until a deadline; nothing
// sleeps. The server is killed on destruction.
//
// Used from the test's thread only.
#ifndef TTYHUB_TESTS_INTEGRATION_TMUX_SESSION_H_
#define TTYHUB_TESTS_INTEGRATION_TMUX_SESSION_H_

#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace ttyhub::testing {

class TmuxSession {
 public:
  // The server's socket is `socket_path` (keep it short: a unix socket path).
  explicit TmuxSession(std::string socket_path) : socket_(std::move(socket_path)) {}
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  // True if tmux can be run at all.
  static bool Available();

  // Starts the session running `command` (through /bin/sh -c) in a
  // `width` x `height` window. False (with tmux's words in *error) if tmux
  // failed.
  bool Start(const std::string& command, std::string* error, int width = 160, int height = 50);
  // Types `text` literally (send-keys -l).
  bool Type(const std::string& text);
  // Presses a named key ("Enter", "C-c").
  bool Press(const std::string& key);
  // The screen and its scrollback, lines joined where tmux wrapped them.
  std::string Screen();
  // Polls the screen until it contains `text`; true if it did in time.
  bool WaitFor(const std::string& text, Deadline deadline);
  // The pane's terminal device (/dev/pts/N).
  std::string PaneTty();

 private:
  int Tmux(const std::vector<std::string>& args, std::string* out);
  std::string socket_;
  bool started_ = false;
};

}  // namespace ttyhub::testing

#endif  // TTYHUB_TESTS_INTEGRATION_TMUX_SESSION_H_
