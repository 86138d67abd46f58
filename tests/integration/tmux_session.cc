// A private tmux server for tests. See tmux_session.h.
#include "tests/integration/tmux_session.h"

#include <poll.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::testing {

int TmuxSession::Tmux(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> all = {"-S", socket_, "-f", "/dev/null"};
  all.insert(all.end(), args.begin(), args.end());
  std::string ignored;
  return RunProgram("tmux", all, "", out ? out : &ignored, Deadline::Seconds(20));
}

bool TmuxSession::Available() {
  std::string out;
  return RunProgram("tmux", {"-V"}, "", &out, Deadline::Seconds(10)) == 0;
}

TmuxSession::~TmuxSession() {
  if (started_) Tmux({"kill-server"}, nullptr);
}

bool TmuxSession::Start(const std::string& command, std::string* error, int width, int height) {
  started_ = true;
  return Tmux({"new-session", "-d", "-s", "t", "-x", absl::StrCat(width), "-y",
               absl::StrCat(height), "/bin/sh", "-c", command},
              error) == 0;
}

bool TmuxSession::Type(const std::string& text) {
  return Tmux({"send-keys", "-t", "t", "-l", text}, nullptr) == 0;
}

bool TmuxSession::Press(const std::string& key) {
  return Tmux({"send-keys", "-t", "t", key}, nullptr) == 0;
}

std::string TmuxSession::Screen() {
  std::string out;
  if (Tmux({"capture-pane", "-p", "-J", "-S", "-", "-t", "t"}, &out) != 0) return "";
  return out;
}

bool TmuxSession::WaitFor(const std::string& text, Deadline deadline) {
  while (!deadline.Expired()) {
    if (absl::StrContains(Screen(), text)) return true;
    poll(nullptr, 0, deadline.PollMs(50));
  }
  return absl::StrContains(Screen(), text);
}

std::string TmuxSession::PaneTty() {
  std::string out;
  if (Tmux({"display-message", "-p", "-t", "t", "#{pane_tty}"}, &out) != 0) return "";
  return std::string(absl::StripAsciiWhitespace(out));
}

}  // namespace ttyhub::testing
