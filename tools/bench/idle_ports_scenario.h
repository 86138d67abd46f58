// Scenario `idle_ports` (see idle_ports_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_IDLE_PORTS_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_IDLE_PORTS_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeIdlePortsScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_IDLE_PORTS_SCENARIO_H_
