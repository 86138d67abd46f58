// TerminalMode and ExitSignals: the two guards that let `ttyhubctl connect`
// take over a terminal and always give it back.
//
// TerminalMode puts a terminal in raw mode (no line editing, no echo, no
// signal keys, no output processing, 8-bit clean: what cu and telnet do) and
// restores the saved settings in its destructor. That destructor is the one
// restore path: every way out of a session (~., the daemon closing, a
// signal, a hung-up terminal, an error) returns through it. Nothing is done
// in a signal handler: ExitSignals blocks the signals that end a session and
// hands them to the event loop through a signalfd, so they arrive as events
// and the session unwinds normally.
//
// Both belong to the thread that runs the session (ttyhubctl is
// single-threaded); create ExitSignals before TerminalMode, so signals are
// caught before the terminal is changed.
#ifndef TTYHUB_TOOLS_CTL_TERMINAL_MODE_H_
#define TTYHUB_TOOLS_CTL_TERMINAL_MODE_H_

#include <signal.h>
#include <termios.h>

#include "absl/status/statusor.h"

namespace ttyhub::ctl {

class TerminalMode {
 public:
  // Puts `fd` in raw mode if it is a terminal; does nothing (raw() false)
  // if it is not. Fails only if `fd` is a terminal whose settings cannot be
  // read or changed; the terminal is then left as it was.
  static absl::StatusOr<TerminalMode> MakeRaw(int fd);

  TerminalMode(TerminalMode&& other) noexcept;
  TerminalMode& operator=(TerminalMode&&) = delete;
  TerminalMode(const TerminalMode&) = delete;
  ~TerminalMode() { Restore(); }

  // Puts back the settings saved by MakeRaw (once; later calls do nothing).
  // Errors are ignored: a terminal that has gone away (a closed ssh
  // session, EIO) has nothing left to restore.
  void Restore();

  bool raw() const { return raw_; }

 private:
  TerminalMode(int fd, const termios& saved, bool raw) : fd_(fd), saved_(saved), raw_(raw) {}
  int fd_;
  termios saved_;
  bool raw_;
};

// The signals that end a session (SIGTERM, SIGHUP, SIGINT, SIGQUIT) are
// blocked and readable from fd(); SIGPIPE is blocked too, so a closed
// output is an EPIPE error rather than a silent death with the terminal
// raw. The destructor drops a pending SIGPIPE, unblocks the rest (a pending
// one is then delivered, with the terminal already restored) and closes the
// descriptor.
class ExitSignals {
 public:
  static absl::StatusOr<ExitSignals> Block();
  ExitSignals(ExitSignals&& other) noexcept;
  ExitSignals& operator=(ExitSignals&&) = delete;
  ExitSignals(const ExitSignals&) = delete;
  ~ExitSignals();

  // A signalfd, readable when one of the signals is pending.
  int fd() const { return fd_; }
  // Takes one pending signal; 0 if none is pending.
  int Take();

 private:
  ExitSignals(int fd, const sigset_t& old_mask) : fd_(fd), old_mask_(old_mask) {}
  int fd_;
  sigset_t old_mask_;
};

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_TERMINAL_MODE_H_
