// What a scenario asks of the server under test: a list of ports, each a
// device path with a TCP port for read-write clients and, optionally, one
// for read-only viewers. The config writers turn it into each server's own
// configuration. Pure data; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_
#define TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

struct PlannedPort {
  std::string name;         // p0, p1, ...
  std::string device_path;  // /dev/pts/N
  uint16_t rw_tcp_port = 0;
  int rw_max_clients = 1;
  // 0: no viewers. With ser2net (no read-only listeners) viewers share
  // rw_tcp_port; see ViewerTcpPort.
  uint16_t ro_tcp_port = 0;
  int ro_max_clients = 0;
};

struct ServerPlan {
  std::vector<PlannedPort> ports;
  // ttyhub: worker threads.
  int ttyhub_workers = 2;
  // ttyhub: log level (info is its default).
  std::string ttyhub_log_level = "info";
  // ttyhub: ring buffer per port, in bytes.
  uint64_t ttyhub_buffer_bytes = 256 * 1024;
};

// The TCP port a viewer of `port` connects to on `kind`.
inline uint16_t ViewerTcpPort(ServerKind kind, const PlannedPort& port) {
  return HasReadOnlyListeners(kind) && port.ro_tcp_port != 0 ? port.ro_tcp_port : port.rw_tcp_port;
}

// Every TCP port the server must listen on.
std::vector<uint16_t> ListeningPorts(ServerKind kind, const ServerPlan& plan);

// The server's configuration file for `plan`.
std::string ServerConfigText(ServerKind kind, const ServerPlan& plan);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_
