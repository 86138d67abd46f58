// Scenario `connect_storm` (see connect_storm_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_CONNECT_STORM_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_CONNECT_STORM_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeConnectStormScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CONNECT_STORM_SCENARIO_H_
