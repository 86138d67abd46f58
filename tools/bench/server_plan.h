// What a scenario asks of the server under test: a list of ports, each a
// device (a pty path, or another server's RFC 2217 listener on 127.0.0.1:
// the chain scenario) with a TCP port for read-write clients and,
// optionally, one for read-only viewers; more listeners of any protocol
// (read-only ones for ttyhub only); for ttyhub also a stall_timeout and the
// admin listener. The config writers turn it into each server's own
// configuration. Pure data; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_
#define TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/server_kind.h"

namespace ttyhub::bench {

// ttyhub-log: every port's console log, configured once in `defaults`, as
// an operator would: the example (timestamps on, 16 MiB files, 8
// kept), the path in a directory of the run's own. Sizes in bytes.
struct PlannedConsoleLog {
  std::string dir;  // PATH is DIR/%n.log (%n: the port's name); empty: no logs
  bool timestamps = true;
  uint64_t rotate_bytes = 16 * 1024 * 1024;  // 0: no rotation
  int keep = 8;

  std::string PathTemplate() const { return dir + "/%n.log"; }
  // The file port `port_name` writes now; rotated ones add .1 (newest) .. .keep.
  std::string PathOf(const std::string& port_name) const { return dir + "/" + port_name + ".log"; }
};

// A further listener of a port: the soak scenario's (ttyhub), the chain
// scenario's RFC 2217 listener (ttyhub and ser2net). ser2net has no
// read-only listeners: it writes `read_only` ones as read-write.
struct PlannedListener {
  uint16_t tcp_port = 0;
  std::string protocol = "raw";  // raw, telnet, rfc2217
  bool read_only = false;
  int max_clients = 1;
};

struct PlannedPort {
  std::string name;         // p0, p1, ...
  std::string device_path;  // /dev/pts/N; unused when remote_rfc2217_port is set
  // Nonzero: the device is the RFC 2217 listener on 127.0.0.1 at this TCP
  // port (another server's), not device_path. ttyhub:
  // `device: rfc2217://127.0.0.1:PORT`; ser2net: `connector:
  // telnet(rfc2217),tcp,127.0.0.1,PORT`.
  uint16_t remote_rfc2217_port = 0;
  uint16_t rw_tcp_port = 0;
  int rw_max_clients = 1;
  // 0: no viewers. With ser2net (no read-only listeners) viewers share
  // rw_tcp_port; see ViewerTcpPort.
  uint16_t ro_tcp_port = 0;
  int ro_max_clients = 0;
  // More listeners; and (ttyhub only) the port's stall_timeout in
  // milliseconds (0: ttyhub's default).
  std::vector<PlannedListener> more_listeners;
  int stall_timeout_ms = 0;
};

struct ServerPlan {
  std::vector<PlannedPort> ports;
  // ttyhub: worker threads.
  int ttyhub_workers = 2;
  // ttyhub: log level (info is its default).
  std::string ttyhub_log_level = "info";
  // ttyhub: ring buffer per port, in bytes.
  uint64_t ttyhub_buffer_bytes = 256 * 1024;
  // ttyhub: the admin HTTP listener on 127.0.0.1 (0: none).
  uint16_t ttyhub_admin_tcp_port = 0;
  // ttyhub: console logs (ttyhub-log); off when console_log.dir is empty.
  PlannedConsoleLog console_log;
  // ttyhub: every port at `latency: low` (ttyhub-lowlat), and the
  // `busy_poll:` budget in percent of a core (0: ttyhub's default).
  bool ttyhub_latency_low = false;
  int ttyhub_busy_poll_budget_percent = 0;
};

// The TCP port a viewer of `port` connects to on `kind`.
inline uint16_t ViewerTcpPort(ServerKind kind, const PlannedPort& port) {
  return HasReadOnlyListeners(kind) && port.ro_tcp_port != 0 ? port.ro_tcp_port : port.rw_tcp_port;
}

// Every TCP port the server must listen on.
std::vector<uint16_t> ListeningPorts(ServerKind kind, const ServerPlan& plan);

// The `log:` value of ttyhub's configuration for `log`, as one line of YAML
// (also how the report describes it).
std::string ConsoleLogYaml(const PlannedConsoleLog& log);

// The server's configuration file for `plan`.
std::string ServerConfigText(ServerKind kind, const ServerPlan& plan);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SERVER_PLAN_H_
