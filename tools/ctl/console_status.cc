// Console status and console list text. See console_status.h.
#include "tools/ctl/console_status.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/ctl/console_lookup.h"
#include "tools/ctl/tables.h"

namespace ttyhub::ctl {
namespace {

const nlohmann::ordered_json* ClientById(const nlohmann::ordered_json& port, uint64_t id) {
  if (!port.is_object()) return nullptr;
  const auto it = port.find("clients");
  if (it == port.end() || !it->is_array()) return nullptr;
  for (const auto& c : *it) {
    if (JsonUint(c, "id") == id) return &c;
  }
  return nullptr;
}

std::string ClientText(const nlohmann::ordered_json& port, uint64_t id) {
  const nlohmann::ordered_json* c = ClientById(port, id);
  if (c == nullptr) return absl::StrCat("client #", id);
  return absl::StrCat("client #", id, " (", JsonString(*c, "peer", "?"), ")");
}

std::string Count(const nlohmann::ordered_json& j, const char* key) {
  const std::optional<uint64_t> n = JsonUint(j, key);
  return n ? absl::StrCat(*n) : "?";
}

}  // namespace

std::string RenderConsoleStatus(const nlohmann::ordered_json& port, std::optional<uint64_t> own_id,
                                const std::string& connection) {
  const std::string name = JsonString(port, "name", "?");
  std::string out = absl::StrCat(
      "port ", name, ": ", JsonString(port, "device", "?"), ", ", JsonString(port, "state", "?"),
      ", ", JsonString(port, "serial", "?"), ", flow ", JsonString(port, "flow", "?"), "\n");
  const std::string device_error = JsonString(port, "device_error");
  if (!device_error.empty()) absl::StrAppend(&out, "device: ", device_error, "\n");
  absl::StrAppend(&out, "clients: ", Count(port, "clients_rw"), " rw, ", Count(port, "clients_ro"),
                  " ro\n");
  // "writer" is present only on ports with exclusive or takeover listeners.
  const bool has_roles = port.is_object() && port.contains("writer");
  const std::optional<uint64_t> writer = JsonUint(port, "writer");
  if (!has_roles) {
    absl::StrAppend(&out, "writing: every rw client (write: shared)\n");
  } else if (writer) {
    absl::StrAppend(&out, "writing: ", ClientText(port, *writer), " holds the write role\n");
  } else {
    absl::StrAppend(&out, "writing: nobody holds the write role\n");
  }
  if (own_id) {
    const nlohmann::ordered_json* me = ClientById(port, *own_id);
    const std::string access = me ? JsonString(*me, "access", "?") : "?";
    std::string role;
    if (access == "ro") {
      role = "read-only";
    } else if (!has_roles) {
      role = "writes";
    } else {
      role = writer == own_id ? "holds the write role" : "viewer (~w asks for the write role)";
    }
    absl::StrAppend(&out, "you: ", ClientText(port, *own_id), ", ", access, ", ", role, "\n");
  } else {
    absl::StrAppend(&out, "you: not found among the port's clients\n");
  }
  absl::StrAppend(&out, "connection: ", connection, "\n");
  return out;
}

std::string RenderConsoleList(const nlohmann::ordered_json* ports_response,
                              const std::string& socket_dir,
                              const std::vector<std::string>& socket_names) {
  std::vector<std::vector<std::string>> rows = {{"PORT", "STATE", "REACHABLE AT"}};
  std::set<std::string> listed_sockets;  // socket paths the API named
  std::set<std::string> listed_names;
  if (ports_response != nullptr && ports_response->is_object()) {
    const auto it = ports_response->find("ports");
    if (it != ports_response->end() && it->is_array()) {
      for (const auto& p : *it) {
        const std::string name = JsonString(p, "name");
        if (name.empty()) continue;
        std::vector<std::string> ways;
        for (const ListenerInfo& l : ListenersOf(p)) {
          const std::string protocol = l.protocol ? WireProtocolName(*l.protocol) : "?";
          if (l.is_unix) {
            listed_sockets.insert(l.unix_path);
            ways.push_back(absl::StrCat("unix ", l.unix_path, " (", protocol, ")"));
          } else {
            ways.push_back(absl::StrCat("tcp ", l.address, " (", protocol, ", ", l.access, ")"));
          }
        }
        listed_names.insert(name);
        rows.push_back(
            {name, JsonString(p, "state", "?"), ways.empty() ? "-" : absl::StrJoin(ways, "; ")});
      }
    }
  }
  for (const std::string& file : socket_names) {
    const std::string path = absl::StrCat(socket_dir, "/", file);
    if (listed_sockets.count(path) != 0) continue;
    const std::string name = file.substr(0, file.size() - 5);  // less ".sock"
    rows.push_back({name, listed_names.count(name) ? "" : "?", absl::StrCat("unix ", path)});
  }
  if (rows.size() == 1) return "";
  return RenderTable(rows);
}

}  // namespace ttyhub::ctl
