// Snapshots: copies of a worker's statistics, made on the worker's thread in
// answer to an inbox message and handed to whoever asked (the admin thread).
//
// Plain values; nothing here points back into live engine state, so a
// snapshot can be rendered (Prometheus text, JSON, the CLI) on any thread
// while the workers carry on.
#ifndef TTYHUB_ENGINE_SNAPSHOT_H_
#define TTYHUB_ENGINE_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/alert_stats.h"
#include "engine/device_state.h"
#include "engine/latency_histogram.h"
#include "engine/port_stats.h"
#include "engine/uart_counters.h"
#include "engine/worker_stats.h"

namespace ttyhub {

struct ClientSnapshot {
  uint64_t id = 0;
  std::string peer;  // "127.0.0.1:5555"
  Access access = Access::kReadWrite;
  // Whether its input reaches the device now: rw clients, except viewers of
  // an exclusive or takeover listener that do not hold the write role.
  bool writer = false;
  std::string listener;  // the listener's address, "[::]:7001"
  int64_t connected_unix_ms = 0;
  uint64_t bytes_in = 0;       // from the client
  uint64_t bytes_out = 0;      // to the client (banner included)
  uint64_t bytes_skipped = 0;  // missed while lapped
  uint64_t lag_bytes = 0;      // port's newest byte minus this client's cursor
};

struct ListenerSnapshot {
  std::string address;
  Protocol protocol = Protocol::kRaw;
  Access access = Access::kReadWrite;
  uint32_t active_clients = 0;
  uint32_t max_clients = 0;
  uint64_t refused_acl = 0;  // connections refused by its allow:/deny: lists
  bool enabled = true;       // false: switched off, refusing clients
};

struct PortSnapshot {
  std::string name;
  std::string device;  // as configured
  unsigned worker = 0;
  DeviceState device_state = DeviceState::kReopening;
  // Why the device is not open: the last failed open ("" once open), such
  // as "/dev/ttyS0 is locked by PID 4242 (minicom) through /run/lock/LCK..ttyS0".
  std::string device_error;
  SerialSettings serial;  // live settings
  bool local = true;
  // A network device (tcp://, telnet://, rfc2217://): the state says whether
  // it is connected ("open") or not ("reopening": connecting or waiting to).
  bool remote = false;
  // False for devices that carry bytes only (tcp://, telnet://): `serial`
  // is the configured value, never applied.
  bool serial_applies = true;
  PortCounters counters;
  // Bytes per second over the last full second (updated on the worker's tick).
  double device_rx_rate = 0;
  double device_tx_rate = 0;
  double client_tx_rate = 0;
  uint32_t clients_rw = 0;
  uint32_t clients_ro = 0;
  std::optional<UartCounters> uart;  // nullopt: the device has none (pty, sim, some USB)
  LatencyHistogram latency;          // device read -> send completed, per client
  uint64_t ring_capacity = 0;
  uint64_t ring_head = 0;  // bytes ever read from the device
  std::vector<ListenerSnapshot> listeners;
  std::vector<ClientSnapshot> clients;
  std::vector<AlertStats> alerts;  // the port's alerts, in configuration order
  // Write roles (issue 12): whether any listener is exclusive or takeover,
  // and the id of the client holding the port's write role (0: nobody).
  bool write_roles = false;
  uint64_t writer_client = 0;
  // The console log (issue 10): its file now ("" when logging is off, or
  // before the first file opened), and how its lines are written.
  bool log_enabled = false;
  std::string log_path;         // expanded; rotated files are log_path + ".1" .. ".<keep>"
  bool log_timestamps = false;  // each line starts "YYYY-MM-DDTHH:MM:SS.mmmZ "
  bool log_input = false;       // client input lines are logged, marked "[input] "
  uint32_t log_keep = 0;
};

struct WorkerSnapshot {
  unsigned index = 0;
  std::string ring_mode;
  WorkerCounters counters;
  bool busy_poll = false;  // polling before sleeping: a `latency: low` port is here
};

struct EngineSnapshot {
  std::vector<WorkerSnapshot> workers;
  std::vector<PortSnapshot> ports;  // in configuration order
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_SNAPSHOT_H_
