// The interface every benchmark scenario implements, and what a scenario
// gets to work with. A scenario runs one repetition at a time against one
// server (or none, for `limits`) and returns one RunResult per case it
// measures (fanout measures one case per viewer count). Everything runs on
// the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SCENARIO_H_
#define TTYHUB_TOOLS_BENCH_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/bench/bench_options.h"
#include "tools/bench/interrupt_flag.h"
#include "tools/bench/progress.h"
#include "tools/bench/run_result.h"
#include "tools/bench/server_kind.h"
#include "tools/bench/temp_dir.h"

namespace ttyhub::bench {

struct ScenarioContext {
  const BenchOptions& options;
  // The server under test; null for scenarios without one.
  const ServerSpec* server = nullptr;
  const TempDir& temp_dir;
  InterruptFlag& interrupt;
  const Progress& progress;
  // CPUs for the server (empty: unpinned). The tool pins itself in main.
  std::vector<int> server_cpus;
  int rep = 1;  // 1-based

  // A file label unique to this run, e.g. "ttyhub-echo-2".
  std::string Label(absl::string_view scenario) const;
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string name() const = 0;
  // One line: what it measures.
  virtual std::string description() const = 0;
  virtual bool uses_server() const { return true; }
  // Why the scenario cannot run on `kind` ("" if it can).
  virtual std::string WhyNotOn(ServerKind) const { return ""; }
  // Runs one repetition. Never throws; failures are in the results.
  virtual std::vector<RunResult> Run(ScenarioContext& ctx) = 0;
};

// The scenario called `name` (see AllScenarioNames), or null.
std::unique_ptr<Scenario> MakeScenario(absl::string_view name);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SCENARIO_H_
