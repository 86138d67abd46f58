// Scenario `limits` (see limits_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_LIMITS_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_LIMITS_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeLimitsScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_LIMITS_SCENARIO_H_
