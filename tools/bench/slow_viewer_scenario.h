// Scenario `slow_viewer` (see slow_viewer_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_SLOW_VIEWER_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_SLOW_VIEWER_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeSlowViewerScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SLOW_VIEWER_SCENARIO_H_
