// What the kernel's TCP tables (/proc/net/tcp{,6}) say about the server,
// without touching it: which ports a process listens on (a probe connection
// would make ser2net open its device), and which client connections the
// server has accepted. A connection still in a listener's accept queue has
// no socket inode yet; one the server has accept()ed has. Stateless; the
// tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TCP_TABLE_PROBE_H_
#define TTYHUB_TOOLS_BENCH_TCP_TABLE_PROBE_H_

#include <sys/types.h>

#include <cstdint>
#include <set>

namespace ttyhub::bench {

// TCP ports `pid` listens on (LISTEN rows whose inode is one of its fds).
std::set<uint16_t> ListeningTcpPorts(pid_t pid);

// Local ports of loopback clients whose connection to one of
// `server_ports` has been accepted by the server process.
std::set<uint16_t> AcceptedClientPorts(const std::set<uint16_t>& server_ports);

// True while a process still holds a connection accepted on one of
// `server_ports`, in any state (ESTABLISHED, CLOSE_WAIT after the client
// left, ...): a row with that local port, not LISTEN, with a socket inode.
// Closed sockets in TIME_WAIT have none.
bool AnyHeldConnection(const std::set<uint16_t>& server_ports);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TCP_TABLE_PROBE_H_
