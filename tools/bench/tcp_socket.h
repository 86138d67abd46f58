// Loopback TCP helpers: free-port discovery, non-blocking connect, and a
// listener for the limits scenario. Used by the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TCP_SOCKET_H_
#define TTYHUB_TOOLS_BENCH_TCP_SOCKET_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/deadline.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

// `count` TCP ports on 127.0.0.1 that a server binding with SO_REUSEADDR
// can listen on now, from 10000..32767 (below the kernel's default
// ephemeral range, so client sockets never take them), starting at a random
// point.
absl::StatusOr<std::vector<uint16_t>> FindFreeTcpPorts(size_t count);

// Starts a non-blocking connect to 127.0.0.1:port with TCP_NODELAY (and
// SO_RCVBUF `rcvbuf_bytes` if > 0, set before connecting so that it bounds
// the window). The connect usually completes later: wait for EPOLLOUT, then
// ConnectResult.
absl::StatusOr<UniqueFd> StartConnect(uint16_t port, int rcvbuf_bytes = 0);

enum class ConnectState { kConnected, kInProgress, kFailed };
// After EPOLLOUT: connected, still in progress, or failed (errno in *err).
ConnectState ConnectResult(int fd, int* err);

// A listening socket on 127.0.0.1, on a kernel-chosen port.
struct LoopbackListener {
  UniqueFd fd;
  uint16_t port = 0;
};
absl::StatusOr<LoopbackListener> ListenOnLoopback();

// Both ends of one loopback TCP connection, non-blocking, TCP_NODELAY.
struct TcpPair {
  UniqueFd client;
  UniqueFd server;
};
absl::StatusOr<TcpPair> ConnectedTcpPair(const Deadline& deadline);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TCP_SOCKET_H_
