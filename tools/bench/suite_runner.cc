// See suite_runner.h.
#include "tools/bench/suite_runner.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/proc_stats.h"
#include "tools/bench/scenario.h"

namespace ttyhub::bench {
namespace {

// The figure a progress line shows for a case.
std::string Headline(const RunResult& r) {
  static constexpr const char* kHeadlines[] = {"pty_master_to_slave_MBps",
                                               "MBps",
                                               "rtt_p50_us",
                                               "aggregate_MBps",
                                               "fast_min_over_unimpeded",
                                               "rss_per_port_KiB",
                                               "sessions_per_s",
                                               "stalls"};
  for (const char* name : kHeadlines) {
    for (const Metric& m : r.metrics) {
      if (m.name == name) return absl::StrFormat("%s %.4g %s", name, m.value, m.unit);
    }
  }
  return "";
}

// Descriptors the tool has open now (a leak check between runs).
int OpenFdCount() { return ProcessOpenFdCount(getpid()).value_or(-1); }

}  // namespace

void RunSuite(const TempDir& temp_dir, InterruptFlag& interrupt, const Progress& progress,
              const std::vector<int>& server_cpus, SuiteResults* results) {
  const BenchOptions& o = results->options;
  for (const std::string& name : o.scenarios) {
    std::unique_ptr<Scenario> scenario = MakeScenario(name);
    if (!scenario) continue;
    results->scenarios.emplace_back(name, scenario->description());
    std::vector<const ServerSpec*> servers;
    if (scenario->uses_server()) {
      for (const ServerSpec& s : results->servers) {
        const std::string why_not = scenario->WhyNotOn(s.kind);
        if (why_not.empty()) {
          servers.push_back(&s);
        } else {
          progress.Log(absl::StrCat(name, " does not run on ", ServerName(s.kind), ": ", why_not));
        }
      }
    } else {
      servers.push_back(nullptr);
    }
    for (int rep = 1; rep <= o.reps; ++rep) {
      for (const ServerSpec* server : servers) {
        if (interrupt.Poll()) {
          results->interrupted = true;
          return;
        }
        const std::string server_name = server ? std::string(ServerName(server->kind)) : kNoServer;
        progress.Log(absl::StrCat(name, " on ", server_name, ", repetition ", rep, " of ", o.reps));
        ScenarioContext ctx{o, server, temp_dir, interrupt, progress, server_cpus, rep};
        const int fds_before = OpenFdCount();
        std::vector<RunResult> runs = scenario->Run(ctx);
        const int fds_after = OpenFdCount();
        if (fds_after != fds_before) {
          // A bug in the tool: say so in the results, not only on stderr.
          const std::string leak = absl::StrCat("ttyhub-bench leaked ", fds_after - fds_before,
                                                " file descriptors in this run (tool bug)");
          progress.Log(leak);
          for (RunResult& r : runs) r.notes.push_back(leak);
        }
        for (RunResult& r : runs) {
          progress.Log(absl::StrCat(
              "  ", r.case_name, ": ",
              r.ok ? absl::StrCat("ok, ", Headline(r)) : absl::StrCat("FAILED: ", r.failure)));
          for (const std::string& note : r.notes) progress.Detail(absl::StrCat("    note: ", note));
          results->Get(name, r.case_name, server_name).runs.push_back(std::move(r));
        }
      }
    }
  }
  if (interrupt.Poll()) results->interrupted = true;
}

}  // namespace ttyhub::bench
