// Snapshot to JSON. See json_render.h.
#include "engine/json_render.h"

namespace ttyhub {

nlohmann::ordered_json ClientToJson(const ClientSnapshot& c) {
  return {
      {"id", c.id},
      {"peer", c.peer},
      {"access", std::string(AccessName(c.access))},
      {"writer", c.writer},
      {"listener", c.listener},
      {"connected_unix_ms", c.connected_unix_ms},
      {"bytes_in", c.bytes_in},
      {"bytes_out", c.bytes_out},
      {"bytes_skipped", c.bytes_skipped},
      {"lag_bytes", c.lag_bytes},
  };
}

nlohmann::ordered_json WorkerToJson(const WorkerSnapshot& w) {
  nlohmann::ordered_json j = {
      {"index", w.index}, {"ring_mode", w.ring_mode}, {"busy_poll", w.busy_poll}};
#define TTYHUB_WORKER_COUNTER_JSON(name, help) j[#name] = w.counters.name;
  TTYHUB_WORKER_COUNTERS(TTYHUB_WORKER_COUNTER_JSON)
#undef TTYHUB_WORKER_COUNTER_JSON
  return j;
}

nlohmann::ordered_json PortToJson(const PortSnapshot& p, bool with_clients) {
  nlohmann::ordered_json counters = nlohmann::ordered_json::object();
#define TTYHUB_COUNTER_JSON(name, help) counters[#name] = p.counters.name;
  TTYHUB_PORT_COUNTERS(TTYHUB_COUNTER_JSON)
#undef TTYHUB_COUNTER_JSON
  nlohmann::ordered_json uart = nullptr;
  if (p.uart) {
    uart = {
        {"rx", p.uart->rx},           {"tx", p.uart->tx},
        {"frame", p.uart->frame},     {"parity", p.uart->parity},
        {"overrun", p.uart->overrun}, {"buffer_overrun", p.uart->buf_overrun},
        {"breaks", p.uart->brk},
    };
  }
  nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
  for (int i = 0; i <= LatencyHistogram::kFiniteBuckets; ++i) {
    nlohmann::ordered_json le =
        i < LatencyHistogram::kFiniteBuckets
            ? nlohmann::ordered_json(static_cast<double>(LatencyHistogram::BoundMicros(i)) / 1e6)
            : nlohmann::ordered_json("+Inf");
    buckets.push_back({{"le", le}, {"count", p.latency.bucket(i)}});
  }
  nlohmann::ordered_json listeners = nlohmann::ordered_json::array();
  for (const ListenerSnapshot& l : p.listeners) {
    listeners.push_back({
        {"address", l.address},
        {"protocol", std::string(ProtocolName(l.protocol))},
        {"access", std::string(AccessName(l.access))},
        {"clients", l.active_clients},
        {"max_clients", l.max_clients},
        {"refused_acl", l.refused_acl},
        {"enabled", l.enabled},
    });
  }
  nlohmann::ordered_json j = {
      {"name", p.name},
      {"device", p.device},
      {"worker", p.worker},
      {"state", std::string(DeviceStateName(p.device_state))},
      // Why the device is not open ("" when it is). From errno texts, the
      // configured path and a sanitized command name: valid UTF-8.
      {"device_error", p.device_error},
      {"serial", FormatSerialSettings(p.serial)},
      {"flow", std::string(FlowControlName(p.serial.flow))},
      {"local", p.local},
      // A network device (tcp://, telnet://, rfc2217://): "state" is "open"
      // while connected. serial_applies is false when `serial` is never
      // applied (tcp://, telnet://: bytes only).
      {"remote", p.remote},
      {"serial_applies", p.serial_applies},
      {"clients_rw", p.clients_rw},
      {"clients_ro", p.clients_ro},
      {"rates",
       {{"device_rx_bytes_per_second", p.device_rx_rate},
        {"device_tx_bytes_per_second", p.device_tx_rate},
        {"client_tx_bytes_per_second", p.client_tx_rate}}},
      {"counters", counters},
      {"uart", uart},
      {"ring", {{"size_bytes", p.ring_capacity}, {"head", p.ring_head}}},
      {"latency",
       {{"count", p.latency.count()},
        {"sum_seconds", static_cast<double>(p.latency.sum_ns()) / 1e9},
        {"buckets", buckets}}},
      {"listeners", listeners},
  };
  // Alerts: the list view carries the counts, the port view the last match.
  nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
  for (const AlertStats& a : p.alerts) {
    nlohmann::ordered_json alert = {{"name", a.name}, {"matches", a.matches}};
    if (with_clients) {
      // last_line is display-escaped ASCII (AlertMatcher::DisplayLine), so
      // it is valid JSON text whatever the device sent.
      alert["last_match_unix_ms"] = a.last_match_unix_ms;
      alert["last_line"] = a.last_line;
    }
    alerts.push_back(std::move(alert));
  }
  j["alerts"] = std::move(alerts);
  // Write roles: the id of the client holding the port's write role, null
  // when nobody does; absent on ports whose listeners all share writing.
  if (p.write_roles) {
    j["writer"] = p.writer_client != 0 ? nlohmann::ordered_json(p.writer_client)
                                       : nlohmann::ordered_json(nullptr);
  }
  // The console log: null when off. Paths come from the configuration
  // (YAML text), so they are valid UTF-8.
  if (p.log_enabled) {
    j["log"] = {{"path", p.log_path},
                {"timestamps", p.log_timestamps},
                {"input", p.log_input},
                {"keep", p.log_keep}};
  } else {
    j["log"] = nullptr;
  }
  if (with_clients) {
    nlohmann::ordered_json clients = nlohmann::ordered_json::array();
    for (const ClientSnapshot& c : p.clients) clients.push_back(ClientToJson(c));
    j["clients"] = clients;
  }
  return j;
}

}  // namespace ttyhub
