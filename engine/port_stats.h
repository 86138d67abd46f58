// Per-port counters, defined once as an X-macro (Envoy style) so that every
// exporter (Prometheus, JSON, ttyhubctl) iterates the same list. Each
// CloseReason (close_reason.h) has its own disconnects_* counter here.
//
// Counters are plain integers owned by the port's worker and written only on
// that thread: no locks, no atomics on the data path. Readers on other threads
// get copies through the worker's inbox.
#ifndef TTYHUB_ENGINE_PORT_STATS_H_
#define TTYHUB_ENGINE_PORT_STATS_H_

#include <cstdint>

namespace ttyhub {

// X(name, help). Units are in the names: bytes, or events.
#define TTYHUB_PORT_COUNTERS(X)                                                             \
  X(device_rx_bytes, "Bytes read from the device")                                          \
  X(device_tx_bytes, "Bytes written to the device")                                         \
  X(client_tx_bytes, "Bytes sent to clients, all clients summed")                           \
  X(client_tx_rw_bytes, "Bytes sent to read-write clients")                                 \
  X(client_tx_ro_bytes, "Bytes sent to read-only clients")                                  \
  X(client_rx_bytes, "Bytes received from read-write clients, queued for the device")       \
  X(skipped_bytes, "Bytes lapped viewers missed, all clients summed")                       \
  X(discarded_ro_bytes, "Bytes received from read-only clients and discarded")              \
  X(input_purged_bytes,                                                                     \
    "Bytes the device driver held for transmission when RFC 2217 PURGE-DATA flushed them")  \
  X(connections_accepted, "Client connections accepted")                                    \
  X(connections_rejected_full, "Connections refused because the listener was full")         \
  X(connections_refused_acl, "Connections refused by a listener's allow or deny list")      \
  X(connections_refused_off, "Connections refused because the listener was switched off")   \
  X(connections_rejected_busy,                                                              \
    "Connections refused because the port's shared device was in use by another port")      \
  X(disconnects_peer_closed, "Clients that closed their connection")                        \
  X(disconnects_peer_error, "Clients disconnected by a socket error (reset, poll failure)") \
  X(disconnects_idle_timeout, "Clients disconnected by the inactivity timeout")             \
  X(disconnects_stalled, "Clients disconnected after accepting no data for stall_timeout")  \
  X(disconnects_lapped, "Viewers disconnected when lapped (slow_viewer: disconnect)")       \
  X(disconnects_control_backlog,                                                            \
    "Telnet clients disconnected for leaving 64 KiB of answers and notifications unread")   \
  X(disconnects_kicked, "Clients disconnected through the admin API")                       \
  X(disconnects_taken_over,                                                                 \
    "Clients disconnected because a newcomer took their place (when_full: kick_oldest)")    \
  X(disconnects_shutdown, "Clients disconnected because ttyhub was stopping")               \
  X(disconnects_reload,                                                                     \
    "Clients disconnected because a configuration reload removed or changed their port or " \
    "listener")                                                                             \
  X(device_read_pauses,                                                                     \
    "Times device reads paused because a lossless client was a full "                       \
    "ring behind")                                                                          \
  X(device_failures, "Times the device failed (I/O error, hang-up, vanished)")              \
  X(device_poll_rescues,                                                                    \
    "Times the device had data for 5 s while its poll never fired, and the tick read it "   \
    "(a lost wake-up)")                                                                     \
  X(rfc2217_changes, "Line setting changes requested by RFC 2217 clients")                  \
  X(rfc2217_refused_changes, "Changes refused because the client was read-only")            \
  X(telnet_protocol_errors, "Malformed telnet sequences from clients (counted on close)")   \
  X(device_reopens, "Times the device was reopened after a failure")                        \
  X(log_written_bytes, "Bytes written to the console log file (timestamps included)")       \
  X(log_dropped_bytes,                                                                      \
    "Console bytes not logged: lapped while the disk was too slow, or lost to a failed "    \
    "write or open (device output, and client input with input: true; not timestamps or "   \
    "markers)")                                                                             \
  X(log_errors, "Console log writes, opens and rotations that failed (ENOSPC, EIO, ...)")

struct PortCounters {
#define TTYHUB_DECLARE_COUNTER(name, help) uint64_t name = 0;
  TTYHUB_PORT_COUNTERS(TTYHUB_DECLARE_COUNTER)
#undef TTYHUB_DECLARE_COUNTER
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PORT_STATS_H_
