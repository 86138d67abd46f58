// Configuration diffs for reload. See config_diff.h.
#include "config/config_diff.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "config/serial_settings.h"

namespace ttyhub {
namespace {

// Copies without their positions in the file.
ListenerConfig Placeless(ListenerConfig l) {
  l.where.clear();
  return l;
}
PortConfig Placeless(PortConfig p) {
  p.where.clear();
  for (ListenerConfig& l : p.listeners) l.where.clear();
  return p;
}

bool HasReadWrite(const PortConfig& p) {
  for (const ListenerConfig& l : p.listeners) {
    if (l.access == Access::kReadWrite) return true;
  }
  return false;
}

std::string SerialText(const SerialSettings& s) {
  return absl::StrCat(FormatSerialSettings(s), " flow ", FlowControlName(s.flow));
}

// Why a port must restart: the fields other than serial and listeners.
std::vector<std::string> RestartReasons(const PortConfig& a, const PortConfig& b) {
  std::vector<std::string> why;
  if (!(a.device == b.device)) {
    why.push_back(absl::StrCat("device ", a.device.original, " -> ", b.device.original));
  }
  if (a.local != b.local) why.push_back("local changed");
  if (a.hangup_when_done != b.hangup_when_done) why.push_back("hangup_when_done changed");
  if (a.buffer_bytes != b.buffer_bytes) {
    why.push_back(absl::StrCat("buffer ", a.buffer_bytes, " -> ", b.buffer_bytes, " bytes"));
  }
  if (!(a.alerts == b.alerts)) why.push_back("alerts changed");
  if (!(a.log == b.log)) why.push_back("log changed");
  if (a.lock_dir != b.lock_dir) why.push_back("lock_dir changed");
  if (HasReadWrite(a) != HasReadWrite(b)) {
    why.push_back("a read-write listener was added or removed (the input queue changes)");
  }
  if (why.empty()) {
    // Anything else that is neither serial settings nor listeners (keys
    // added later included) restarts the port too: never a silent no-op.
    PortConfig x = a, y = b;
    x.serial = y.serial;
    x.listeners = y.listeners;
    x.latency = y.latency;
    if (!(x == y)) why.push_back("port settings changed");
  }
  return why;
}

}  // namespace

bool ConfigDiff::empty() const {
  if (!needs_restart.empty() || busy_poll_changed) return false;
  for (const PortChange& p : ports) {
    if (p.kind != PortChange::Kind::kUnchanged) return false;
  }
  return true;
}

std::string ListenerKey(const ListenerConfig& listener) {
  if (listener.is_unix()) return absl::StrCat("unix:", listener.unix_path);
  if (listener.is_pty()) return absl::StrCat("pty:", listener.pty_path);
  if (listener.is_cuse()) return absl::StrCat("cuse:", listener.cuse_name);
  return absl::StrCat(listener.host.empty() ? "*" : listener.host, ":", listener.port);
}

ConfigDiff DiffConfigs(const Config& old_config, const Config& new_config) {
  std::vector<const PortConfig*> old_ports;
  old_ports.reserve(old_config.ports.size());
  for (const PortConfig& p : old_config.ports) old_ports.push_back(&p);
  return DiffConfigs(old_config, old_ports, new_config);
}

ConfigDiff DiffConfigs(const Config& old_config, std::span<const PortConfig* const> old_port_list,
                       const Config& new_config) {
  ConfigDiff diff;
  if (old_config.workers != new_config.workers) diff.needs_restart.push_back("workers");
  if (!(old_config.admin == new_config.admin)) {
    AdminConfig a = old_config.admin, b = new_config.admin;
    a.where.clear();
    b.where.clear();
    if (!(a == b)) diff.needs_restart.push_back("admin");
  }
  if (old_config.shutdown_timeout != new_config.shutdown_timeout) {
    diff.needs_restart.push_back("shutdown_timeout");
  }
  if (old_config.log_level != new_config.log_level) diff.needs_restart.push_back("log_level");
  diff.busy_poll_changed = !(old_config.busy_poll == new_config.busy_poll);

  std::map<std::string, const PortConfig*> old_ports;
  for (const PortConfig* p : old_port_list) old_ports[p->name] = p;
  for (const PortConfig& next : new_config.ports) {
    PortChange change;
    change.name = next.name;
    const auto it = old_ports.find(next.name);
    if (it == old_ports.end()) {
      change.kind = PortChange::Kind::kAdded;
      change.details.push_back(absl::StrCat("added (", next.device.original, ")"));
      diff.ports.push_back(std::move(change));
      continue;
    }
    const PortConfig a = Placeless(*it->second);
    const PortConfig b = Placeless(next);
    old_ports.erase(it);
    if (a == b) {
      diff.ports.push_back(std::move(change));
      continue;
    }
    if (std::vector<std::string> why = RestartReasons(a, b); !why.empty()) {
      change.kind = PortChange::Kind::kRestarted;
      change.details = std::move(why);
      diff.ports.push_back(std::move(change));
      continue;
    }
    change.kind = PortChange::Kind::kUpdated;
    if (a.latency != b.latency) {
      change.latency_changed = true;
      change.details.push_back(
          absl::StrCat("latency ", LatencyName(a.latency), " -> ", LatencyName(b.latency)));
    }
    if (!(a.serial == b.serial)) {
      change.serial_changed = true;
      change.details.push_back(
          absl::StrCat("serial ", SerialText(a.serial), " -> ", SerialText(b.serial)));
    }
    std::map<std::string, ListenerConfig> before;
    for (const ListenerConfig& l : a.listeners) before[ListenerKey(l)] = l;
    for (const ListenerConfig& l : next.listeners) {
      const std::string key = ListenerKey(l);
      const auto old_l = before.find(key);
      if (old_l == before.end()) {
        change.listeners_to_start.push_back(l);
        change.details.push_back(absl::StrCat("listener ", key, " added"));
        continue;
      }
      if (!(old_l->second == Placeless(l))) {
        change.listeners_to_stop.push_back(key);
        change.listeners_to_start.push_back(l);
        change.details.push_back(absl::StrCat("listener ", key, " changed: rebound"));
      }
      before.erase(old_l);
    }
    for (const auto& [key, l] : before) {
      change.listeners_to_stop.push_back(key);
      change.details.push_back(absl::StrCat("listener ", key, " removed"));
    }
    // What is left: the same listeners in another order (nothing rebinds;
    // the port adopts the new order).
    if (change.details.empty()) change.details.push_back("listener order changed");
    diff.ports.push_back(std::move(change));
  }
  for (const auto& [name, p] : old_ports) {
    PortChange change;
    change.kind = PortChange::Kind::kRemoved;
    change.name = name;
    change.details.push_back("removed");
    diff.ports.push_back(std::move(change));
  }
  return diff;
}

}  // namespace ttyhub
