// Scenario `soak` (see soak_scenario.cc): ttyhub under the chaos mix for as
// long as asked. Not part of the default suite. Runs on the tool's single
// thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_SOAK_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeSoakScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_SCENARIO_H_
