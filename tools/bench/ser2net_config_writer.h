// Writes a ser2net 4.x YAML configuration (ser2net.yaml(5)) for a
// ServerPlan: one `connection` per port, a raw TCP accepter on 127.0.0.1
// and a `serialdev` connector at 115200n81 with `local` (modem lines
// ignored), or, for a port whose device is another server's RFC 2217
// listener, the connector `telnet(rfc2217),tcp,127.0.0.1,PORT`. Viewers
// share the port's one accepter, so max-connections counts rw clients and
// viewers together. Each further listener is a `connection` of its own on
// the same connector (`tcp`, `telnet,tcp` or `telnet(rfc2217),tcp`),
// always read-write. `tuned` sets 64 KiB dev-to-net/net-to-dev buffers and
// turns chardelay off on every connection. Pure function; any thread.
#ifndef TTYHUB_TOOLS_BENCH_SER2NET_CONFIG_WRITER_H_
#define TTYHUB_TOOLS_BENCH_SER2NET_CONFIG_WRITER_H_

#include <string>

#include "tools/bench/server_plan.h"

namespace ttyhub::bench {

std::string Ser2netConfigYaml(const ServerPlan& plan, bool tuned);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SER2NET_CONFIG_WRITER_H_
