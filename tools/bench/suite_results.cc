// See suite_results.h.
#include "tools/bench/suite_results.h"

#include <algorithm>

#include "tools/bench/latency_stats.h"

namespace ttyhub::bench {

int CaseRuns::ok_runs() const {
  return static_cast<int>(
      std::count_if(runs.begin(), runs.end(), [](const RunResult& r) { return r.ok; }));
}

std::optional<double> CaseRuns::Median(const std::string& metric) const {
  std::vector<double> values;
  for (const RunResult& r : runs) {
    if (!r.ok) continue;
    if (const std::optional<double> v = r.Get(metric)) values.push_back(*v);
  }
  if (values.empty()) return std::nullopt;
  return ttyhub::bench::Median(values);
}

std::string CaseRuns::Unit(const std::string& metric) const {
  for (const RunResult& r : runs) {
    for (const Metric& m : r.metrics) {
      if (m.name == metric) return m.unit;
    }
  }
  return "";
}

std::vector<std::string> CaseRuns::MetricNames() const {
  std::vector<std::string> names;
  for (const RunResult& r : runs) {
    for (const Metric& m : r.metrics) {
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
    }
  }
  return names;
}

std::string CaseRuns::FirstFailure() const {
  for (const RunResult& r : runs) {
    if (!r.ok) return r.failure;
  }
  return "";
}

VerifyCounts CaseRuns::TotalVerify() const {
  VerifyCounts total;
  for (const RunResult& r : runs) total.Add(r.verify);
  return total;
}

VerifyCounts CaseRuns::TotalLossyVerify() const {
  VerifyCounts total;
  for (const RunResult& r : runs) total.Add(r.lossy_verify);
  return total;
}

uint64_t CaseRuns::TotalLossyStreams() const {
  uint64_t n = 0;
  for (const RunResult& r : runs) n += r.lossy_streams;
  return n;
}

uint64_t CaseRuns::TotalStreams() const {
  uint64_t n = 0;
  for (const RunResult& r : runs) n += r.streams;
  return n;
}

uint64_t CaseRuns::TotalIncomplete() const {
  uint64_t n = 0;
  for (const RunResult& r : runs) n += r.incomplete_streams;
  return n;
}

CaseRuns& SuiteResults::Get(const std::string& scenario, const std::string& case_name,
                            const std::string& server) {
  for (CaseRuns& c : cases) {
    if (c.case_name == case_name && c.server == server) return c;
  }
  cases.push_back(CaseRuns{scenario, case_name, server, {}});
  return cases.back();
}

const CaseRuns* SuiteResults::Find(const std::string& case_name, const std::string& server) const {
  for (const CaseRuns& c : cases) {
    if (c.case_name == case_name && c.server == server) return &c;
  }
  return nullptr;
}

std::vector<std::string> SuiteResults::CaseNames(const std::string& scenario) const {
  std::vector<std::string> names;
  for (const CaseRuns& c : cases) {
    if (c.scenario == scenario &&
        std::find(names.begin(), names.end(), c.case_name) == names.end()) {
      names.push_back(c.case_name);
    }
  }
  return names;
}

bool SuiteResults::HasServer(ServerKind kind) const {
  return std::any_of(servers.begin(), servers.end(),
                     [&](const ServerSpec& s) { return s.kind == kind; });
}

}  // namespace ttyhub::bench
