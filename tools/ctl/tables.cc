// ttyhubctl text layout. See tables.h.
#include "tools/ctl/tables.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ttyhub::ctl {
namespace {

std::string Format(const char* fmt, double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v, unit);
  return buf;
}

uint64_t U64(const nlohmann::ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<uint64_t>() : 0;
}

std::string Str(const nlohmann::ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

double Num(const nlohmann::ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

// Parity + framing + overruns, or "n/a" when the device has no counters.
std::string ErrorsCell(const nlohmann::ordered_json& port) {
  if (!port.contains("uart") || port["uart"].is_null()) return "n/a";
  const auto& u = port["uart"];
  return absl::StrCat(U64(u, "parity") + U64(u, "frame") + U64(u, "overrun") +
                      U64(u, "buffer_overrun"));
}

std::string ListenersCell(const nlohmann::ordered_json& port) {
  std::vector<std::string> parts;
  if (port.contains("listeners")) {
    for (const auto& l : port["listeners"]) {
      std::string address = Str(l, "address");
      const size_t colon = address.rfind(':');
      parts.push_back(absl::StrCat(colon == std::string::npos ? address : address.substr(colon + 1),
                                   "/", Str(l, "access")));
    }
  }
  return absl::StrJoin(parts, ",");
}

std::string Age(int64_t since_ms, int64_t now_ms) {
  int64_t s = std::max<int64_t>(0, (now_ms - since_ms) / 1000);
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  if (s < 86400) return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
  return absl::StrCat(s / 86400, "d", (s % 86400) / 3600, "h");
}

}  // namespace

std::string HumanRate(double bps) {
  if (bps < 1000) return Format("%.0f %s", bps, "B/s");
  if (bps < 1e6) return Format("%.1f %s", bps / 1e3, "KB/s");
  if (bps < 1e9) return Format("%.1f %s", bps / 1e6, "MB/s");
  return Format("%.2f %s", bps / 1e9, "GB/s");
}

std::string HumanBytes(double b) {
  if (b < 1024) return Format("%.0f %s", b, "B");
  if (b < 1024.0 * 1024) return Format("%.1f %s", b / 1024, "KiB");
  if (b < 1024.0 * 1024 * 1024) return Format("%.1f %s", b / (1024.0 * 1024), "MiB");
  return Format("%.1f %s", b / (1024.0 * 1024 * 1024), "GiB");
}

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// Read-write clients, and on ports with write roles who holds it: "2 w#3"
// (client 3 writes), "2 w-" (nobody does).
std::string RwCell(const nlohmann::ordered_json& p) {
  std::string cell = absl::StrCat(U64(p, "clients_rw"));
  if (p.contains("writer")) {
    absl::StrAppend(&cell, p["writer"].is_number() ? absl::StrCat(" w#", U64(p, "writer")) : " w-");
  }
  return cell;
}

std::string RenderPortsTable(const nlohmann::ordered_json& response) {
  std::vector<std::vector<std::string>> rows = {{"PORT", "DEVICE", "SERIAL", "FLOW", "STATE",
                                                 "LISTEN", "RW", "RO", "RX/s", "TX/s", "SKIPPED",
                                                 "ERRORS"}};
  if (response.contains("ports")) {
    for (const auto& p : response["ports"]) {
      const auto& rates = p.contains("rates") ? p["rates"] : nlohmann::ordered_json::object();
      const auto& counters =
          p.contains("counters") ? p["counters"] : nlohmann::ordered_json::object();
      rows.push_back(
          {Str(p, "name"), Str(p, "device"), Str(p, "serial"), Str(p, "flow"), Str(p, "state"),
           ListenersCell(p), RwCell(p), absl::StrCat(U64(p, "clients_ro")),
           HumanRate(Num(rates, "device_rx_bytes_per_second")),
           HumanRate(Num(rates, "device_tx_bytes_per_second")),
           HumanBytes(static_cast<double>(U64(counters, "skipped_bytes"))), ErrorsCell(p)});
    }
  }
  return RenderTable(rows);
}

std::string RenderPortDetails(const nlohmann::ordered_json& p, int64_t now_ms) {
  std::string out;
  absl::StrAppend(&out, "port     ", Str(p, "name"), " (worker ", U64(p, "worker"), ")\n");
  absl::StrAppend(&out, "device   ", Str(p, "device"), "  ", Str(p, "state"), "\n");
  absl::StrAppend(
      &out, "serial   ", Str(p, "serial"), "  flow ", Str(p, "flow"),
      p.contains("local") && p["local"].is_boolean() && p["local"].get<bool>() ? "  local" : "",
      "\n");
  if (p.contains("rates")) {
    const auto& r = p["rates"];
    absl::StrAppend(&out, "rates    device rx ", HumanRate(Num(r, "device_rx_bytes_per_second")),
                    ", device tx ", HumanRate(Num(r, "device_tx_bytes_per_second")),
                    ", to clients ", HumanRate(Num(r, "client_tx_bytes_per_second")), "\n");
  }
  if (!p.contains("uart") || p["uart"].is_null()) {
    out += "uart     error counters unavailable on this device\n";
  } else {
    const auto& u = p["uart"];
    absl::StrAppend(&out, "uart     parity ", U64(u, "parity"), ", framing ", U64(u, "frame"),
                    ", overrun ", U64(u, "overrun"), ", buffer overrun ", U64(u, "buffer_overrun"),
                    ", breaks ", U64(u, "breaks"), "\n");
  }
  if (p.contains("counters")) {
    out += "counters\n";
    for (const auto& item : p["counters"].items()) {
      absl::StrAppend(&out, "  ", item.key(), " ", item.value().dump(), "\n");
    }
  }
  if (p.contains("alerts") && p["alerts"].is_array() && !p["alerts"].empty()) {
    std::vector<std::vector<std::string>> alerts = {{"ALERT", "MATCHES", "LAST", "LINE"}};
    for (const auto& a : p["alerts"]) {
      const int64_t last = a.contains("last_match_unix_ms") && a["last_match_unix_ms"].is_number()
                               ? a["last_match_unix_ms"].get<int64_t>()
                               : 0;
      alerts.push_back({Str(a, "name"), absl::StrCat(U64(a, "matches")),
                        last > 0 ? absl::StrCat(Age(last, now_ms), " ago") : "never",
                        Str(a, "last_line")});
    }
    absl::StrAppend(&out, "alerts   ", alerts.size() - 1, "\n");
    out += RenderTable(alerts);
  }
  if (p.contains("writer")) {
    absl::StrAppend(&out, "writer   ",
                    p["writer"].is_number() ? absl::StrCat("client ", U64(p, "writer"))
                                            : std::string("nobody holds the write role"),
                    "\n");
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "PEER", "ACCESS", "LISTENER", "CONNECTED", "IN", "OUT", "SKIPPED", "LAG"}};
  if (p.contains("clients")) {
    for (const auto& c : p["clients"]) {
      rows.push_back(
          {absl::StrCat(U64(c, "id")), Str(c, "peer"),
           // An rw client that may not type now is a viewer of a write role.
           Str(c, "access") == "rw" && c.contains("writer") && c["writer"].is_boolean() &&
                   !c["writer"].get<bool>()
               ? "rw (viewer)"
               : Str(c, "access"),
           Str(c, "listener"),
           Age(c.contains("connected_unix_ms") ? c["connected_unix_ms"].get<int64_t>() : now_ms,
               now_ms),
           HumanBytes(static_cast<double>(U64(c, "bytes_in"))),
           HumanBytes(static_cast<double>(U64(c, "bytes_out"))),
           HumanBytes(static_cast<double>(U64(c, "bytes_skipped"))),
           HumanBytes(static_cast<double>(U64(c, "lag_bytes")))});
    }
  }
  absl::StrAppend(&out, "clients  ", rows.size() - 1, "\n");
  if (rows.size() > 1) out += RenderTable(rows);
  return out;
}

}  // namespace ttyhub::ctl
