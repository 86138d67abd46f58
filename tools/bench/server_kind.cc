// See server_kind.h.
#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

absl::string_view ServerName(ServerKind kind) {
  switch (kind) {
    case ServerKind::kTtyhub:
      return "ttyhub";
    case ServerKind::kTtyhubLog:
      return "ttyhub-log";
    case ServerKind::kTtyhubLowLatency:
      return "ttyhub-lowlat";
    case ServerKind::kSer2net:
      return "ser2net";
    case ServerKind::kSer2netTuned:
      return "ser2net-tuned";
  }
  return "?";
}

std::optional<ServerKind> ParseServerName(absl::string_view name) {
  for (ServerKind k : {ServerKind::kTtyhub, ServerKind::kTtyhubLog, ServerKind::kTtyhubLowLatency,
                       ServerKind::kSer2net, ServerKind::kSer2netTuned}) {
    if (name == ServerName(k)) return k;
  }
  return std::nullopt;
}

bool HasReadOnlyListeners(ServerKind kind) { return IsTtyhub(kind); }
bool OpensDeviceOnConnect(ServerKind kind) { return IsSer2net(kind); }
bool IsSer2net(ServerKind kind) {
  return kind == ServerKind::kSer2net || kind == ServerKind::kSer2netTuned;
}
bool IsTtyhub(ServerKind kind) {
  return kind == ServerKind::kTtyhub || kind == ServerKind::kTtyhubLog ||
         kind == ServerKind::kTtyhubLowLatency;
}
bool LogsConsoles(ServerKind kind) { return kind == ServerKind::kTtyhubLog; }

}  // namespace ttyhub::bench
