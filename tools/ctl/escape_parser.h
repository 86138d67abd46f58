// EscapeParser: the keystroke escapes of `ttyhubctl connect`, as a pure state
// machine (no I/O), so the contract is unit tested byte by byte.
//
// An escape is the escape character (`~` unless -e changed it) typed at the
// start of a line, followed by one command character:
//
//   ~.  quit            ~?  help          ~b  send a break
//   ~r  replay history  ~s  show status   ~w  ask for the write role
//   ~~  send one literal escape character
//
// "At the start of a line" means: the very first keystroke of the session,
// or the keystroke right after a CR or LF was typed, or right after another
// escape command (which sent nothing to the device, so the device's line is
// still at its start). Anywhere else the escape character is an ordinary
// byte. An escape character followed by a character that is no command is
// sent as typed, both bytes (as ssh does), so nothing typed is ever lost.
// The escape character itself is held back until the next keystroke shows
// whether it starts an escape.
//
// Owned by the thread that runs the connect session (ttyhubctl is
// single-threaded).
#ifndef TTYHUB_TOOLS_CTL_ESCAPE_PARSER_H_
#define TTYHUB_TOOLS_CTL_ESCAPE_PARSER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub::ctl {

// What the keystrokes ask for, in the order typed.
struct EscapeAction {
  enum class Kind {
    kSend,      // `bytes` go to the device
    kQuit,      // ~.
    kHelp,      // ~?
    kBreak,     // ~b
    kReplay,    // ~r
    kStatus,    // ~s
    kWriteRole  // ~w
  };
  Kind kind;
  std::string bytes;  // kSend only

  bool operator==(const EscapeAction& o) const { return kind == o.kind && bytes == o.bytes; }
};

class EscapeParser {
 public:
  // `escape`: the escape character; std::nullopt turns escapes off (-e none).
  explicit EscapeParser(std::optional<char> escape) : escape_(escape) {}

  // Feeds keystrokes; returns what they ask for, in order. Consecutive bytes
  // to send are merged into one kSend. Bytes after a kQuit in the same call
  // are dropped (the session ends there).
  std::vector<EscapeAction> Feed(absl::string_view keys);

  // True while an escape character is held back, waiting for its command.
  bool pending() const { return pending_; }

 private:
  void Send(std::vector<EscapeAction>& out, absl::string_view bytes);
  std::optional<char> escape_;
  bool at_line_start_ = true;
  bool pending_ = false;
};

// Parses the -e argument: one character ("#", "~"), caret notation for a
// control character ("^]", "^A"; "^?" is DEL), or "none" (no escapes).
// Rejects anything else, and CR and LF, which would make every escape
// impossible to type at the start of a line.
absl::StatusOr<std::optional<char>> ParseEscapeCharacter(absl::string_view arg);

// How to write the escape character for people: "~", "^]".
std::string EscapeCharacterName(char escape);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_ESCAPE_PARSER_H_
