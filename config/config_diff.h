// What a configuration reload changes (issue 11, hot reload): the old and
// new configurations compared port by port (ports matched by name,
// listeners by address), and which top-level keys changed. Positions in the
// file (`where`) are not changes: editing one port must not restart the
// ports below it. Pure functions; any thread.
#ifndef TTYHUB_CONFIG_CONFIG_DIFF_H_
#define TTYHUB_CONFIG_CONFIG_DIFF_H_

#include <span>
#include <string>
#include <vector>

#include "config/config.h"

namespace ttyhub {

struct PortChange {
  enum class Kind {
    kUnchanged,  // untouched: clients stay, no byte lost
    kUpdated,    // serial settings or latency applied live and/or listeners rebound
    kRestarted,  // anything else changed (device, buffer, log, ...): closed and started anew
    kAdded,
    kRemoved,
  };
  Kind kind = Kind::kUnchanged;
  std::string name;
  bool serial_changed = false;   // kUpdated: apply `next.serial` live
  bool latency_changed = false;  // kUpdated: apply `next.latency` live (the worker's polling)
  // kUpdated: listener addresses ("host:port") to stop (removed or changed)
  // and listeners to start (added or changed), in the new order.
  std::vector<std::string> listeners_to_stop;
  std::vector<ListenerConfig> listeners_to_start;
  std::vector<std::string> details;  // what changed, for the report
};

struct ConfigDiff {
  std::vector<PortChange> ports;  // the new configuration's order, then removed ports
  // Top-level keys that changed but are not applied by a reload (workers,
  // admin, shutdown_timeout, log_level): they take effect at a restart.
  std::vector<std::string> needs_restart;
  // `busy_poll:` changed: applied live to every worker.
  bool busy_poll_changed = false;
  bool empty() const;
};

// "host:port" as listeners are matched across a reload ("*:7001" for all
// interfaces).
std::string ListenerKey(const ListenerConfig& listener);

ConfigDiff DiffConfigs(const Config& old_config, const Config& new_config);
// The same, with the old ports given apart from the old top-level keys
// (`old_config.ports` is not read): the Engine keeps each running port's
// configuration shared with its Port, not in a Config of its own.
ConfigDiff DiffConfigs(const Config& old_config, std::span<const PortConfig* const> old_ports,
                       const Config& new_config);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CONFIG_DIFF_H_
