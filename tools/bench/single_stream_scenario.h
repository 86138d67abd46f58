// Scenarios `dev2net` and `net2dev` (see single_stream_scenario.cc). Runs on the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_SINGLE_STREAM_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_SINGLE_STREAM_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

std::unique_ptr<Scenario> MakeDev2NetScenario();
std::unique_ptr<Scenario> MakeNet2DevScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SINGLE_STREAM_SCENARIO_H_
