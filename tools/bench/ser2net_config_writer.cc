// See ser2net_config_writer.h.
#include "tools/bench/ser2net_config_writer.h"

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {
namespace {

// The gensio accepter for a listener speaking `protocol` on 127.0.0.1.
std::string Accepter(const std::string& protocol, uint16_t tcp_port) {
  const std::string tcp = absl::StrCat("tcp,127.0.0.1,", tcp_port);
  if (protocol == "telnet") return "telnet," + tcp;
  if (protocol == "rfc2217") return "telnet(rfc2217)," + tcp;
  return tcp;
}

// The gensio connector for the port's device.
std::string Connector(const PlannedPort& p) {
  if (p.remote_rfc2217_port != 0) {
    return absl::StrCat("telnet(rfc2217),tcp,127.0.0.1,", p.remote_rfc2217_port);
  }
  return absl::StrCat("serialdev,", p.device_path, ",115200n81,local");
}

void AppendConnection(const std::string& name, const std::string& accepter,
                      const std::string& connector, int max_connections, bool tuned,
                      std::string* yaml) {
  absl::StrAppend(
      yaml, "connection: &", name, "\n  accepter: ", accepter, "\n  connector: ", connector,
      "\n  options:\n    max-connections: ", max_connections, "\n    kickolduser: false\n");
  if (tuned) {
    absl::StrAppend(yaml,
                    "    dev-to-net-bufsize: 65536\n    net-to-dev-bufsize: 65536\n"
                    "    chardelay: false\n");
  }
}

}  // namespace

std::string Ser2netConfigYaml(const ServerPlan& plan, bool tuned) {
  std::string yaml = "%YAML 1.1\n---\n# Written by ttyhub-bench.\n";
  for (const PlannedPort& p : plan.ports) {
    const std::string connector = Connector(p);
    AppendConnection(p.name, Accepter("raw", p.rw_tcp_port), connector,
                     p.rw_max_clients + p.ro_max_clients, tuned, &yaml);
    // One connection per further listener, on the same device: ser2net
    // refuses a second connection's client while another holds the device.
    for (size_t i = 0; i < p.more_listeners.size(); ++i) {
      const PlannedListener& l = p.more_listeners[i];
      AppendConnection(absl::StrCat(p.name, "_l", i + 1), Accepter(l.protocol, l.tcp_port),
                       connector, l.max_clients, tuned, &yaml);
    }
  }
  return yaml;
}

}  // namespace ttyhub::bench
