// Writes ttyhub's native YAML configuration for a ServerPlan (the stable
// subset documented in docs/configuration.md). Pure function; any thread.
#ifndef TTYHUB_TOOLS_BENCH_TTYHUB_CONFIG_WRITER_H_
#define TTYHUB_TOOLS_BENCH_TTYHUB_CONFIG_WRITER_H_

#include <string>

#include "tools/bench/server_plan.h"

namespace ttyhub::bench {

std::string TtyhubConfigYaml(const ServerPlan& plan);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TTYHUB_CONFIG_WRITER_H_
