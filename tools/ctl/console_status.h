// Text for `ttyhubctl connect`: the ~s status of a console, and the list of
// consoles `ttyhubctl connect` prints without a port name. Pure functions of
// the admin API's JSON and of the socket directory's file names, unit
// tested without a daemon. Lines end with "\n"; the caller turns them into
// "\r\n" while the terminal is raw.
#ifndef TTYHUB_TOOLS_CTL_CONSOLE_STATUS_H_
#define TTYHUB_TOOLS_CTL_CONSOLE_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ttyhub::ctl {

// ~s: the port (device, state, serial settings, flow control), its
// clients, who holds the write role (or that every rw client writes), and
// this client (`own_id`, when it was found) with its access and role.
// `port` is GET /api/v1/ports/NAME; `connection` says how this session is
// connected ("unix:/run/ttyhub/sw1.sock, telnet").
std::string RenderConsoleStatus(const nlohmann::ordered_json& port, std::optional<uint64_t> own_id,
                                const std::string& connection);

// `ttyhubctl connect` with no port: one row per console, with how it can be
// reached: its unix sockets and TCP listeners as the admin API shows them
// (`ports_response` is GET /api/v1/ports, or nullptr when the API could not
// be asked), and the sockets found in `socket_dir` (`socket_names`: file
// names ending in .sock) that the API did not list.
std::string RenderConsoleList(const nlohmann::ordered_json* ports_response,
                              const std::string& socket_dir,
                              const std::vector<std::string>& socket_names);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_CONSOLE_STATUS_H_
