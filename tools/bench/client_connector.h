// Opens many loopback TCP clients and makes sure the server has accepted
// each one, not merely that the kernel completed the handshake.
//
// At most a few connections per listening port are outstanding (connected
// but not yet accepted) at any time: ser2net listens with a backlog of 5,
// and beyond it the kernel completes handshakes (SYN cookies) that the
// server never sees, leaving the client "connected" to nothing. Acceptance is read from
// the kernel's TCP table (tcp_table_probe.h); a connection not accepted
// within a few seconds is closed and made again. One deadline covers all.
// Runs on the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_CLIENT_CONNECTOR_H_
#define TTYHUB_TOOLS_BENCH_CLIENT_CONNECTOR_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/deadline.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

struct ConnectOptions {
  int rcvbuf_bytes = 0;             // > 0: SO_RCVBUF before connecting
  int max_unaccepted_per_port = 4;  // outstanding connections per TCP port
  size_t max_unaccepted = 256;      // outstanding connections in all
  double accept_timeout_s = 3;      // then close and connect again
};

// One accepted connection per entry of `tcp_ports` (which may repeat), in
// order. `retries` (optional) counts connections that had to be made again.
absl::StatusOr<std::vector<UniqueFd>> ConnectClients(EventLoop& loop,
                                                     const std::vector<uint16_t>& tcp_ports,
                                                     const Deadline& deadline,
                                                     const ConnectOptions& options = {},
                                                     int* retries = nullptr);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CLIENT_CONNECTOR_H_
