// See server_plan.h.
#include "tools/bench/server_plan.h"

#include "absl/strings/str_cat.h"
#include "tools/bench/ser2net_config_writer.h"
#include "tools/bench/ttyhub_config_writer.h"

namespace ttyhub::bench {

std::vector<uint16_t> ListeningPorts(ServerKind kind, const ServerPlan& plan) {
  std::vector<uint16_t> ports;
  for (const PlannedPort& p : plan.ports) {
    ports.push_back(p.rw_tcp_port);
    if (HasReadOnlyListeners(kind) && p.ro_tcp_port != 0) ports.push_back(p.ro_tcp_port);
    for (const PlannedListener& l : p.more_listeners) ports.push_back(l.tcp_port);
  }
  if (IsTtyhub(kind) && plan.ttyhub_admin_tcp_port != 0) {
    ports.push_back(plan.ttyhub_admin_tcp_port);
  }
  return ports;
}

std::string ConsoleLogYaml(const PlannedConsoleLog& log) {
  std::string yaml = absl::StrCat("{path: \"", log.PathTemplate(),
                                  "\", timestamps: ", log.timestamps ? "true" : "false");
  if (log.rotate_bytes > 0) {
    constexpr uint64_t kMiB = 1024 * 1024;
    const std::string size = log.rotate_bytes % kMiB == 0
                                 ? absl::StrCat(log.rotate_bytes / kMiB, "MiB")
                                 : absl::StrCat(log.rotate_bytes);
    absl::StrAppend(&yaml, ", rotate: {size: ", size, ", keep: ", log.keep, "}");
  }
  return yaml + "}";
}

std::string ServerConfigText(ServerKind kind, const ServerPlan& plan) {
  switch (kind) {
    case ServerKind::kTtyhub:
    case ServerKind::kTtyhubLog:
      return TtyhubConfigYaml(plan);
    case ServerKind::kTtyhubLowLatency: {
      ServerPlan low = plan;
      low.ttyhub_latency_low = true;
      return TtyhubConfigYaml(low);
    }
    case ServerKind::kSer2net:
      return Ser2netConfigYaml(plan, /*tuned=*/false);
    case ServerKind::kSer2netTuned:
      return Ser2netConfigYaml(plan, /*tuned=*/true);
  }
  return "";
}

}  // namespace ttyhub::bench
