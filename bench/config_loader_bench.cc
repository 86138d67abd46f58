// Loading and validating configurations of 10 to 4096 ports.
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "config/config_loader.h"

namespace ttyhub {
namespace {

std::string MakeConfig(int ports) {
  std::string yaml =
      "workers: 2\ndefaults:\n  serial: 115200n81\n  timeout: 10m\n  banner: '\\N \\s\\r\\n'\n"
      "ports:\n";
  for (int i = 0; i < ports; ++i) {
    absl::StrAppend(&yaml, "  - name: port", i, "\n    device: /dev/serial/by-id/dev", i,
                    "\n    listen:\n      - {port: ", 10000 + 2 * i,
                    ", access: rw, max_clients: 4}\n      - {port: ", 10001 + 2 * i,
                    ", access: ro}\n");
  }
  return yaml;
}

void BM_LoadConfig(benchmark::State& state) {
  const std::string yaml = MakeConfig(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto config = LoadConfigText(yaml, "bench.yaml");
    if (!config.ok()) {
      state.SkipWithError("config did not load");
      return;
    }
    benchmark::DoNotOptimize(config->ports.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * yaml.size()));
  state.counters["ports"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LoadConfig)->Arg(10)->Arg(512)->Arg(4096)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ttyhub

BENCHMARK_MAIN();
