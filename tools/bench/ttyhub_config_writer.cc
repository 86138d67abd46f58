// See ttyhub_config_writer.h.
#include "tools/bench/ttyhub_config_writer.h"

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

std::string TtyhubConfigYaml(const ServerPlan& plan) {
  std::string yaml = absl::StrCat("# Written by ttyhub-bench.\nworkers: ", plan.ttyhub_workers,
                                  "\nlog_level: ", plan.ttyhub_log_level, "\n");
  if (plan.ttyhub_admin_tcp_port != 0) {
    absl::StrAppend(&yaml, "admin:\n  listen: \"127.0.0.1:", plan.ttyhub_admin_tcp_port, "\"\n");
  }
  if (plan.ttyhub_latency_low && plan.ttyhub_busy_poll_budget_percent > 0) {
    absl::StrAppend(&yaml, "busy_poll: {budget: ", plan.ttyhub_busy_poll_budget_percent, "%}\n");
  }
  if (!plan.console_log.dir.empty() || plan.ttyhub_latency_low)
    absl::StrAppend(&yaml, "defaults:\n");
  if (!plan.console_log.dir.empty()) {
    absl::StrAppend(&yaml, "  log: ", ConsoleLogYaml(plan.console_log), "\n");
  }
  if (plan.ttyhub_latency_low) absl::StrAppend(&yaml, "  latency: low\n");
  absl::StrAppend(&yaml, "ports:\n");
  for (const PlannedPort& p : plan.ports) {
    const std::string device = p.remote_rfc2217_port != 0
                                   ? absl::StrCat("rfc2217://127.0.0.1:", p.remote_rfc2217_port)
                                   : p.device_path;
    absl::StrAppend(&yaml, "  - name: ", p.name, "\n    device: ", device,
                    "\n    serial: 115200n81\n    buffer: ", plan.ttyhub_buffer_bytes, "\n");
    if (p.stall_timeout_ms > 0) {
      absl::StrAppend(&yaml, "    stall_timeout: ", p.stall_timeout_ms, "ms\n");
    }
    absl::StrAppend(&yaml, "    listen:\n      - {port: \"127.0.0.1:", p.rw_tcp_port,
                    "\", access: rw, max_clients: ", p.rw_max_clients, "}\n");
    if (p.ro_tcp_port != 0) {
      absl::StrAppend(&yaml, "      - {port: \"127.0.0.1:", p.ro_tcp_port,
                      "\", access: ro, max_clients: ", p.ro_max_clients, "}\n");
    }
    for (const PlannedListener& l : p.more_listeners) {
      absl::StrAppend(&yaml, "      - {port: \"127.0.0.1:", l.tcp_port,
                      "\", protocol: ", l.protocol, ", access: ", l.read_only ? "ro" : "rw",
                      ", max_clients: ", l.max_clients, "}\n");
    }
  }
  return yaml;
}

}  // namespace ttyhub::bench
