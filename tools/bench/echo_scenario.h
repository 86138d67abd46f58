// Scenario `echo` (see echo_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_ECHO_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_ECHO_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeEchoScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ECHO_SCENARIO_H_
