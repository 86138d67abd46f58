// Finding a console in the admin API's JSON, for `ttyhubctl connect`: which
// listener to use and which protocol it speaks, and which of a port's
// clients is this process. Pure functions of the JSON (GET /api/v1/ports,
// GET /api/v1/ports/NAME), so they are unit tested without a daemon; the
// JSON is never trusted to have the expected shape (a missing or mistyped
// field is "not found", never an exception).
#ifndef TTYHUB_TOOLS_CTL_CONSOLE_LOOKUP_H_
#define TTYHUB_TOOLS_CTL_CONSOLE_LOOKUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace ttyhub::ctl {

// What a listener speaks, as far as a console client cares: rfc2217 is
// telnet with an option the client does not ask for.
enum class WireProtocol { kRaw, kTelnet };

// "raw" -> kRaw; "telnet", "rfc2217" -> kTelnet; anything else: nullopt.
std::optional<WireProtocol> WireProtocolNamed(absl::string_view name);
const char* WireProtocolName(WireProtocol p);

// One listener of a port, from the JSON's "listeners".
struct ListenerInfo {
  bool is_unix = false;
  std::string unix_path;  // is_unix: the socket file
  std::string host;       // TCP: the bound address as shown ("127.0.0.1", "::", "0.0.0.0")
  uint16_t tcp_port = 0;  // TCP
  std::optional<WireProtocol> protocol;
  std::string access;   // "rw", "ro" (TCP; a unix listener's access follows credentials)
  std::string address;  // as the API shows it: "unix:/run/ttyhub/sw1.sock", "[::]:7001"
};

// The listeners of `port` (an element of GET /api/v1/ports, or the answer
// of GET /api/v1/ports/NAME); listeners it cannot parse are left out.
std::vector<ListenerInfo> ListenersOf(const nlohmann::ordered_json& port);

// The port named `name` in a GET /api/v1/ports answer, or nullptr.
const nlohmann::ordered_json* FindPort(const nlohmann::ordered_json& ports_response,
                                       absl::string_view name);

// The TCP listener a console client should use: with `read_only`, an ro
// listener if there is one; otherwise an rw listener if there is one; else
// the first TCP listener. nullopt if the port has none.
std::optional<ListenerInfo> ChooseTcpListener(const nlohmann::ordered_json& port, bool read_only);

// Which client of `port` (GET /api/v1/ports/NAME) has this peer text
// ("uid 0 pid 4242" over a unix socket, "127.0.0.1:40000" over TCP), by
// exact match; nullopt if none does.
std::optional<uint64_t> FindClientByPeer(const nlohmann::ordered_json& port,
                                         absl::string_view peer);

// The peer text ttyhub shows for this end of a unix-socket connection.
std::string UnixPeerText(uint32_t uid, int64_t pid);

// Port names as ttyhub's configuration allows them: [A-Za-z0-9_.-]{1,64},
// and not "." or "..": a name becomes a file name in the socket directory.
bool IsValidPortName(absl::string_view name);

// Small typed reads of JSON objects: the default when `j` is not an object,
// lacks `key`, or holds another type there.
std::string JsonString(const nlohmann::ordered_json& j, const char* key,
                       const std::string& otherwise = "");
std::optional<uint64_t> JsonUint(const nlohmann::ordered_json& j, const char* key);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_CONSOLE_LOOKUP_H_
