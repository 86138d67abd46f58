// Collecting and reporting ser2net configuration problems. See
// ser2net_diagnostics.h.
#include "config/ser2net_diagnostics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ttyhub {
namespace {

// Keeps `entries` in line order (stable: the order found within a line).
void AddOnce(std::vector<Ser2netDiagnostics::Entry>* entries, int line, std::string text,
             int port) {
  for (const auto& e : *entries) {
    if (e.line == line && e.text == text) return;
  }
  auto at = std::upper_bound(entries->begin(), entries->end(), line,
                             [](int l, const Ser2netDiagnostics::Entry& e) { return l < e.line; });
  entries->insert(at, Ser2netDiagnostics::Entry{line, std::move(text), port});
}

}  // namespace

void Ser2netDiagnostics::Error(int line, std::string text) {
  AddOnce(&errors_, line, std::move(text), -1);
}

void Ser2netDiagnostics::Notice(int line, std::string text, int port) {
  AddOnce(&notices_, line, std::move(text), port);
}

std::string Ser2netDiagnostics::Where(int line) const {
  return line > 0 ? absl::StrCat(source_, ":", line) : source_;
}

absl::Status Ser2netDiagnostics::ErrorStatus() const {
  if (errors_.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Entry& e : errors_) lines.push_back(absl::StrCat(Where(e.line), ": ", e.text));
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

std::vector<std::string> Ser2netDiagnostics::NoticeLines() const {
  std::vector<std::string> lines;
  for (const Entry& e : notices_) {
    lines.push_back(absl::StrCat(Where(e.line), ": notice: ", e.text));
  }
  return lines;
}

void Ser2netDiagnostics::AssignNotices(int first_line, int last_line, int port) {
  for (Entry& e : notices_) {
    if (e.line >= first_line && e.line <= last_line && e.port < 0) e.port = port;
  }
}

}  // namespace ttyhub
