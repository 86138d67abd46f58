// ttyhubctl's console log commands. See log_commands.h.
#include "tools/ctl/log_commands.h"

#include <signal.h>

#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "tools/ctl/log_output.h"

namespace ttyhub::ctl {
namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "ttyhubctl: %s\n", std::string(s.message()).c_str());
  return 1;
}

void Note(const std::string& text) { std::fprintf(stderr, "ttyhubctl: %s\n", text.c_str()); }

std::string Header(const AdminClient::Headers& headers, const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

void WriteOut(absl::string_view data) {
  std::fwrite(data.data(), 1, data.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int RunLog(AdminClient& client, const LogCommand& command) {
  const std::string base = absl::StrCat("/api/v1/ports/", UrlEncode(command.port), "/log");
  std::string query;
  const std::optional<size_t> lines =
      command.lines || !command.since.empty() ? command.lines : kDefaultLines;
  if (lines) absl::StrAppend(&query, "lines=", *lines);
  if (!command.since.empty()) {
    absl::StrAppend(&query, query.empty() ? "" : "&", "since=", UrlEncode(command.since));
  }
  auto answer = client.GetStream(query.empty() ? base : absl::StrCat(base, "?", query), &WriteOut);
  if (!answer.ok()) return Fail(answer.status());
  if (Header(*answer, "x-ttyhub-log-truncated") == "older") {
    Note("older lines were left out: an answer holds at most 100000 lines and 16 MiB");
  }
  if (!command.follow) return 0;

  // Ctrl-C ends the loop: SIGINT is blocked and taken by sigtimedwait,
  // which also paces the polls.
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  sigprocmask(SIG_BLOCK, &interrupt, nullptr);
  std::string cursor = Header(*answer, "x-ttyhub-log-cursor");
  bool more = false;  // the last answer stopped at its size limit: ask again at once
  for (int poll = 0; command.polls == 0 || poll < command.polls; ++poll) {
    if (!more) {
      const auto ns = static_cast<int64_t>(command.interval * 1e9);
      timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      if (sigtimedwait(&interrupt, nullptr, &wait) == SIGINT) break;
    }
    answer = client.GetStream(absl::StrCat(base, "?after=", UrlEncode(cursor)), &WriteOut);
    if (!answer.ok()) return Fail(answer.status());
    if (Header(*answer, "x-ttyhub-log-gap") == "1") {
      Note("the log was rotated away or replaced between two polls: some lines may be missing");
    }
    cursor = Header(*answer, "x-ttyhub-log-cursor");
    more = Header(*answer, "x-ttyhub-log-truncated") == "newer";
  }
  return 0;
}

int RunGrep(AdminClient& client, const GrepCommand& command) {
  std::string path = absl::StrCat("/api/v1/grep?re=", UrlEncode(command.regex));
  if (!command.ports.empty()) absl::StrAppend(&path, "&ports=", UrlEncode(command.ports));
  if (!command.since.empty()) absl::StrAppend(&path, "&since=", UrlEncode(command.since));
  LineSplitter splitter;
  std::optional<nlohmann::json> end;
  bool malformed = false;
  auto answer = client.GetStream(path, [&](absl::string_view data) {
    for (const std::string& line : splitter.Feed(data)) {
      nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        malformed = true;
        continue;
      }
      if (record.contains("end")) end = record["end"];
      // --json: the records as they came (valid JSON: control bytes are
      // escaped); else each match as a terminal line.
      const std::string out = command.json             ? line + "\n"
                              : record.contains("end") ? std::string()
                                                       : RenderGrepMatch(record);
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    std::fflush(stdout);
  });
  if (!answer.ok()) return Fail(answer.status());
  if (malformed || !end || !end->is_object()) {
    return Fail(absl::DataLossError(
        "the grep answer ended early or was not NDJSON; the matches above may be incomplete"));
  }
  for (const std::string& note : GrepEndNotes(*end)) Note(note);
  return 0;
}

int RunLogsReopen(AdminClient& client) {
  auto r = client.Post("/api/v1/logs/reopen", nlohmann::ordered_json::object());
  if (!r.ok()) return Fail(r.status());
  const auto n = r->value("reopened", uint64_t{0});
  std::printf("reopened %llu console log file%s\n", static_cast<unsigned long long>(n),
              n == 1 ? "" : "s");
  return 0;
}

}  // namespace ttyhub::ctl
