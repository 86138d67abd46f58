// Console lookups in the admin API's JSON. See console_lookup.h.
#include "tools/ctl/console_lookup.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::ctl {

std::optional<WireProtocol> WireProtocolNamed(absl::string_view name) {
  if (name == "raw") return WireProtocol::kRaw;
  if (name == "telnet" || name == "rfc2217") return WireProtocol::kTelnet;
  return std::nullopt;
}

const char* WireProtocolName(WireProtocol p) { return p == WireProtocol::kRaw ? "raw" : "telnet"; }

std::string JsonString(const nlohmann::ordered_json& j, const char* key,
                       const std::string& otherwise) {
  if (!j.is_object()) return otherwise;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return otherwise;
  return it->get<std::string>();
}

std::optional<uint64_t> JsonUint(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

std::vector<ListenerInfo> ListenersOf(const nlohmann::ordered_json& port) {
  std::vector<ListenerInfo> out;
  if (!port.is_object()) return out;
  const auto it = port.find("listeners");
  if (it == port.end() || !it->is_array()) return out;
  for (const auto& l : *it) {
    ListenerInfo info;
    info.address = JsonString(l, "address");
    info.protocol = WireProtocolNamed(JsonString(l, "protocol"));
    info.access = JsonString(l, "access");
    if (absl::StartsWith(info.address, "unix:")) {
      info.is_unix = true;
      info.unix_path = info.address.substr(5);
      if (info.unix_path.empty()) continue;
    } else {
      // "127.0.0.1:7001", "0.0.0.0:7001", "[::]:7001", "[::1]:7001".
      const size_t colon = info.address.rfind(':');
      if (colon == std::string::npos) continue;
      uint32_t port_number = 0;
      if (!absl::SimpleAtoi(absl::string_view(info.address).substr(colon + 1), &port_number) ||
          port_number == 0 || port_number > 65535) {
        continue;
      }
      info.tcp_port = static_cast<uint16_t>(port_number);
      std::string host = info.address.substr(0, colon);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      info.host = host;
    }
    out.push_back(std::move(info));
  }
  return out;
}

const nlohmann::ordered_json* FindPort(const nlohmann::ordered_json& ports_response,
                                       absl::string_view name) {
  if (!ports_response.is_object()) return nullptr;
  const auto it = ports_response.find("ports");
  if (it == ports_response.end() || !it->is_array()) return nullptr;
  for (const auto& p : *it) {
    if (JsonString(p, "name") == name) return &p;
  }
  return nullptr;
}

std::optional<ListenerInfo> ChooseTcpListener(const nlohmann::ordered_json& port, bool read_only) {
  std::optional<ListenerInfo> first, rw, ro;
  for (ListenerInfo& l : ListenersOf(port)) {
    if (l.is_unix) continue;
    if (l.access == "rw" && !rw) rw = l;
    if (l.access == "ro" && !ro) ro = l;
    if (!first) first = std::move(l);
  }
  if (read_only && ro) return ro;
  if (rw) return rw;
  return first;
}

std::optional<uint64_t> FindClientByPeer(const nlohmann::ordered_json& port,
                                         absl::string_view peer) {
  if (!port.is_object()) return std::nullopt;
  const auto it = port.find("clients");
  if (it == port.end() || !it->is_array()) return std::nullopt;
  for (const auto& c : *it) {
    if (JsonString(c, "peer") == peer) return JsonUint(c, "id");
  }
  return std::nullopt;
}

std::string UnixPeerText(uint32_t uid, int64_t pid) {
  return absl::StrCat("uid ", uid, " pid ", pid);
}

bool IsValidPortName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  for (const char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace ttyhub::ctl
