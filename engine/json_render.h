// JSON views of snapshots, for the admin API (/api/v1/...) and ttyhubctl.
//
// Pure functions over snapshot values; run on the admin server's threads.
#ifndef TTYHUB_ENGINE_JSON_RENDER_H_
#define TTYHUB_ENGINE_JSON_RENDER_H_

#include "engine/snapshot.h"
#include "nlohmann/json.hpp"

namespace ttyhub {

// A port: settings, state, counters, rates, UART counters (null when the
// device has none), latency, listeners; with `with_clients`, each client.
nlohmann::ordered_json PortToJson(const PortSnapshot& port, bool with_clients);

nlohmann::ordered_json ClientToJson(const ClientSnapshot& client);

nlohmann::ordered_json WorkerToJson(const WorkerSnapshot& worker);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_JSON_RENDER_H_
