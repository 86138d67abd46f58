// See ser2net_config_writer.h.
#include "tools/bench/ser2net_config_writer.h"

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

std::string Ser2netConfigYaml(const ServerPlan& plan, bool tuned) {
  std::string yaml = "%YAML 1.1\n---\n# Written by ttyhub-bench.\n";
  for (const PlannedPort& p : plan.ports) {
    absl::StrAppend(&yaml, "connection: &", p.name, "\n  accepter: tcp,127.0.0.1,", p.rw_tcp_port,
                    "\n  connector: serialdev,", p.device_path, ",115200n81,local",
                    "\n  options:\n    max-connections: ", p.rw_max_clients + p.ro_max_clients,
                    "\n    kickolduser: false\n");
    if (tuned) {
      absl::StrAppend(&yaml,
                      "    dev-to-net-bufsize: 65536\n    net-to-dev-bufsize: 65536\n"
                      "    chardelay: false\n");
    }
  }
  return yaml;
}

}  // namespace ttyhub::bench
