// The servers ttyhub-bench can drive, and what each one can do.
//
// `ser2net` is ser2net 4.x with its defaults; `ser2net-tuned` adds 64 KiB
// buffers both ways and turns chardelay off. `ttyhub-log` is ttyhub with
// every port's console log on (issue 10; see PlannedConsoleLog) and its
// admin listener, through which the tool reads the log counters after each
// run. `ttyhub-lowlat` is ttyhub with every port at `latency: low` (issue
// 14): its workers busy-poll within the `busy_poll:` budget. Pure data;
// any thread.
#ifndef TTYHUB_TOOLS_BENCH_SERVER_KIND_H_
#define TTYHUB_TOOLS_BENCH_SERVER_KIND_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ttyhub::bench {

enum class ServerKind { kTtyhub, kTtyhubLog, kTtyhubLowLatency, kSer2net, kSer2netTuned };

struct ServerSpec {
  ServerKind kind;
  std::string binary;   // path or name in PATH
  std::string version;  // as the binary reports it, filled in at start-up
};

absl::string_view ServerName(ServerKind kind);
std::optional<ServerKind> ParseServerName(absl::string_view name);

// ttyhub has read-only (viewer) listeners. ser2net has none: its viewers
// are ordinary connections on the port's one TCP port.
bool HasReadOnlyListeners(ServerKind kind);
// ttyhub keeps each device open; ser2net opens it when a client connects.
bool OpensDeviceOnConnect(ServerKind kind);
bool IsSer2net(ServerKind kind);
// ttyhub, with or without console logs or busy polling: the same binary.
bool IsTtyhub(ServerKind kind);
// ttyhub with its console logs on.
bool LogsConsoles(ServerKind kind);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SERVER_KIND_H_
