// Scenario `many_ports` (see many_ports_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_MANY_PORTS_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_MANY_PORTS_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeManyPortsScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_MANY_PORTS_SCENARIO_H_
