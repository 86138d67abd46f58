// Scenario `chain` (see chain_scenario.cc). Runs on the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_CHAIN_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_CHAIN_SCENARIO_H_

#include <memory>

#include "tools/bench/scenario.h"

namespace ttyhub::bench {

// Case names: one hop (the client on server A) and two (on server B, whose
// device is A's RFC 2217 listener), each dev2net and echo.
inline constexpr const char* kChain1HopDev2net = "chain_1hop_dev2net";
inline constexpr const char* kChain1HopEcho = "chain_1hop_echo";
inline constexpr const char* kChain2HopDev2net = "chain_2hop_dev2net";
inline constexpr const char* kChain2HopEcho = "chain_2hop_echo";

std::unique_ptr<Scenario> MakeChainScenario();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CHAIN_SCENARIO_H_
