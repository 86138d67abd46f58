// Text rendering for ttyhubctl: the ports table, one port's details, and the
// helpers they share. Pure functions from admin-API JSON to text, so the
// layout is unit tested without a daemon.
#ifndef TTYHUB_TOOLS_CTL_TABLES_H_
#define TTYHUB_TOOLS_CTL_TABLES_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ttyhub::ctl {

// "950 B/s", "12.3 KB/s", "1.5 MB/s" (powers of 1000, as rates usually are).
std::string HumanRate(double bytes_per_second);
// "512 B", "12.0 KiB", "3.4 MiB", "1.2 GiB".
std::string HumanBytes(double bytes);

// Aligned columns; the first row is the header. Each row has as many cells
// as the header.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// `ttyhubctl ports`: one line per port from GET /api/v1/ports.
std::string RenderPortsTable(const nlohmann::ordered_json& ports_response);

// `ttyhubctl show PORT`: settings, counters, UART errors, clients.
std::string RenderPortDetails(const nlohmann::ordered_json& port, int64_t now_unix_ms);

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_TABLES_H_
