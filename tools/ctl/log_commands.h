// ttyhubctl's console log commands, over the admin API (issue 10):
//
//   log PORT [--lines N] [--since T] [--follow]   GET /api/v1/ports/PORT/log
//   grep REGEX [--ports a,b] [--since T]          GET /api/v1/grep
//   logs reopen                                   POST /api/v1/logs/reopen
//
// `log` copies the log's bytes to stdout as they are, like tail. `--follow`
// then polls GET .../log?after=CURSOR every `interval` seconds with the
// cursor of the previous answer (X-Ttyhub-Log-Cursor), which the daemon
// finds again after a rotation; it stops on Ctrl-C. `grep` prints one line
// per match, "PORT TIME LINE", with control characters shown as escapes, or
// grep's NDJSON with --json. Single-threaded; blocking.
#ifndef TTYHUB_TOOLS_CTL_LOG_COMMANDS_H_
#define TTYHUB_TOOLS_CTL_LOG_COMMANDS_H_

#include <optional>
#include <string>

#include "tools/ctl/admin_client.h"

namespace ttyhub::ctl {

struct LogCommand {
  std::string port;
  std::optional<size_t> lines;  // unset: kDefaultLines, unless `since` is given
  std::string since;            // "" for none
  bool follow = false;
  double interval = 0.5;  // seconds between polls when following
  int polls = 0;          // following: stop after this many polls (0: until Ctrl-C); for tests
};

// Lines `ttyhubctl log` shows when neither --lines nor --since is given.
inline constexpr size_t kDefaultLines = 100;

struct GrepCommand {
  std::string regex;
  std::string ports;  // "a,b", or "" for every port
  std::string since;
  bool json = false;  // print the API's NDJSON as it is
};

// Each returns the process's exit status: 0 done, 1 on an error (printed).
int RunLog(AdminClient& client, const LogCommand& command);
int RunGrep(AdminClient& client, const GrepCommand& command);
int RunLogsReopen(AdminClient& client);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_LOG_COMMANDS_H_
