// What one repetition of one benchmark case measured on one server: named
// figures with units, time series for plots, the verification summary, and
// why it failed if it did. The suite collects these and quotes medians.
// Pure data; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_RUN_RESULT_H_
#define TTYHUB_TOOLS_BENCH_RUN_RESULT_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

struct Metric {
  std::string name;  // e.g. "client_MBps"
  double value = 0;
  std::string unit;  // e.g. "MB/s" (MB = 10^6 bytes)
};

struct Series {
  std::string name;  // e.g. "fast_client_MBps"
  std::string x_label;
  std::string y_label;
  std::vector<double> x;
  std::vector<double> y;
};

struct RunResult {
  std::string case_name;  // e.g. "dev2net", "fanout_k64"
  bool ok = true;
  std::string failure;  // set when !ok
  // What the server did wrong in a run that measured what it set out to
  // (the soak: stalls, corrupt data, client errors). The figures stand; the
  // tool's exit status says so. "" when nothing was found.
  std::string finding;
  std::vector<Metric> metrics;
  std::vector<Series> series;
  std::vector<std::string> notes;
  // Preformatted lines the text report prints under the case (the soak's
  // time series); "" for none.
  std::string text_detail;
  // Every verified stream of the run that must arrive exactly, summed.
  VerifyCounts verify;
  uint64_t streams = 0;
  // Streams allowed to lose data (viewers a server may lap), summed apart:
  // their gaps are results, not failures. Duplication or corruption in them
  // still fails the run.
  VerifyCounts lossy_verify;
  uint64_t lossy_streams = 0;
  // Streams whose reader did not reach the end of the writer's stream.
  uint64_t incomplete_streams = 0;

  void Add(std::string name, double value, std::string unit) {
    metrics.push_back({std::move(name), value, std::move(unit)});
  }
  void Fail(std::string why) {
    if (ok) failure = std::move(why);
    ok = false;
  }
  std::optional<double> Get(const std::string& name) const {
    for (const Metric& m : metrics) {
      if (m.name == name) return m.value;
    }
    return std::nullopt;
  }
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_RUN_RESULT_H_
