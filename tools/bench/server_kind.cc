// See server_kind.h.
#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

absl::string_view ServerName(ServerKind kind) {
  switch (kind) {
    case ServerKind::kTtyhub:
      return "ttyhub";
    case ServerKind::kSer2net:
      return "ser2net";
    case ServerKind::kSer2netTuned:
      return "ser2net-tuned";
  }
  return "?";
}

std::optional<ServerKind> ParseServerName(absl::string_view name) {
  for (ServerKind k : {ServerKind::kTtyhub, ServerKind::kSer2net, ServerKind::kSer2netTuned}) {
    if (name == ServerName(k)) return k;
  }
  return std::nullopt;
}

bool HasReadOnlyListeners(ServerKind kind) { return kind == ServerKind::kTtyhub; }
bool OpensDeviceOnConnect(ServerKind kind) { return kind != ServerKind::kTtyhub; }
bool IsSer2net(ServerKind kind) { return kind != ServerKind::kTtyhub; }

}  // namespace ttyhub::bench
