// The connect escapes' state machine. See escape_parser.h.
#include "tools/ctl/escape_parser.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::ctl {

void EscapeParser::Send(std::vector<EscapeAction>& out, absl::string_view bytes) {
  if (bytes.empty()) return;
  if (!out.empty() && out.back().kind == EscapeAction::Kind::kSend) {
    out.back().bytes.append(bytes.data(), bytes.size());
  } else {
    out.push_back({EscapeAction::Kind::kSend, std::string(bytes)});
  }
  const char last = bytes.back();
  at_line_start_ = last == '\r' || last == '\n';
}

std::vector<EscapeAction> EscapeParser::Feed(absl::string_view keys) {
  using Kind = EscapeAction::Kind;
  std::vector<EscapeAction> out;
  for (const char c : keys) {
    if (pending_) {
      pending_ = false;
      Kind command;
      switch (c) {
        case '.':
          out.push_back({Kind::kQuit, ""});
          return out;
        case '?':
          command = Kind::kHelp;
          break;
        case 'b':
          command = Kind::kBreak;
          break;
        case 'r':
          command = Kind::kReplay;
          break;
        case 's':
          command = Kind::kStatus;
          break;
        case 'w':
          command = Kind::kWriteRole;
          break;
        default:
          if (c == *escape_) {
            Send(out, absl::string_view(&c, 1));  // ~~: one literal escape character
          } else {
            const char both[2] = {*escape_, c};  // no command: both bytes, as typed
            Send(out, absl::string_view(both, 2));
          }
          continue;
      }
      out.push_back({command, ""});
      at_line_start_ = true;  // nothing reached the device: its line is still at its start
      continue;
    }
    if (escape_ && c == *escape_ && at_line_start_) {
      pending_ = true;
      continue;
    }
    Send(out, absl::string_view(&c, 1));
  }
  return out;
}

absl::StatusOr<std::optional<char>> ParseEscapeCharacter(absl::string_view arg) {
  if (arg == "none") return std::optional<char>();
  char c = 0;
  if (arg.size() == 1) {
    c = arg[0];
  } else if (arg.size() == 2 && arg[0] == '^') {
    const char k = arg[1];
    if (k == '?') {
      c = 0x7f;
    } else if (k >= '@' && k <= '_') {
      c = static_cast<char>(k - '@');
    } else if (k >= 'a' && k <= 'z') {
      c = static_cast<char>(k - 'a' + 1);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("-e '", arg, "': ^ must be followed by a letter or one of @[\\]^_?"));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "-e '", arg, "': give one character (~, #), ^X for a control character, or none"));
  }
  if (c == '\r' || c == '\n' || c == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("-e '", arg, "': NUL, CR and LF cannot be the escape character"));
  }
  return std::optional<char>(c);
}

std::string EscapeCharacterName(char escape) {
  const auto u = static_cast<unsigned char>(escape);
  if (u == 0x7f) return "^?";
  if (u < 0x20) return absl::StrCat("^", std::string(1, static_cast<char>(u + '@')));
  return std::string(1, escape);
}

}  // namespace ttyhub::ctl
