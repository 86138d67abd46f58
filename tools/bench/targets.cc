// See targets.h.
#include "tools/bench/targets.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace ttyhub::bench {
namespace {

constexpr const char* kTtyhub = "ttyhub";
constexpr const char* kTtyhubLog = "ttyhub-log";
constexpr const char* kTtyhubLowLatency = "ttyhub-lowlat";
constexpr const char* kTuned = "ser2net-tuned";

std::string Figure(double v, const std::string& unit) {
  return absl::StrCat(absl::StrFormat("%.4g", v), unit.empty() ? "" : " ", unit);
}

// A median from a case whose every run succeeded, or why there is none.
struct Lookup {
  std::optional<double> value;
  std::string unit;
  std::string missing;
};

Lookup Get(const SuiteResults& r, const std::string& case_name, const std::string& server,
           const std::string& metric) {
  Lookup l;
  const CaseRuns* c = r.Find(case_name, server);
  if (c == nullptr || c->runs.empty()) {
    l.missing = absl::StrCat(case_name, " was not run on ", server);
    return l;
  }
  if (!c->all_ok()) {
    l.missing = absl::StrCat(case_name, " failed on ", server, " in ",
                             c->runs.size() - static_cast<size_t>(c->ok_runs()), " of ",
                             c->runs.size(), " runs: ", c->FirstFailure());
    return l;
  }
  l.value = c->Median(metric);
  l.unit = c->Unit(metric);
  if (!l.value) l.missing = absl::StrCat(case_name, " on ", server, " has no ", metric);
  return l;
}

enum class Compare { kAtLeast, kAtMost };

// `server`'s `metric` against `factor` x the reference's.
TargetResult RelativeOf(const SuiteResults& r, const std::string& server, std::string id,
                        std::string requirement, const std::string& case_name,
                        const std::string& metric, const std::string& ref_case,
                        const std::string& ref_server, const std::string& ref_metric,
                        Compare compare, double factor) {
  TargetResult t{std::move(id), std::move(requirement)};
  const Lookup mine = Get(r, case_name, server, metric);
  const Lookup ref = Get(r, ref_case, ref_server, ref_metric);
  if (!mine.value || !ref.value) {
    t.reason = !mine.value ? mine.missing : ref.missing;
    return t;
  }
  t.measured = absl::StrCat(Figure(*mine.value, mine.unit), " vs ", Figure(*ref.value, ref.unit));
  if (*ref.value == 0) {
    t.reason = "the reference is zero";
    if (compare == Compare::kAtLeast) t.status = TargetStatus::kMet;
    return t;
  }
  t.ratio = *mine.value / *ref.value;
  const bool met = compare == Compare::kAtLeast ? *t.ratio >= factor : *t.ratio <= factor;
  t.status = met ? TargetStatus::kMet : TargetStatus::kMissed;
  return t;
}

// ttyhub's `metric` against `factor` x the reference's.
TargetResult Relative(const SuiteResults& r, std::string id, std::string requirement,
                      const std::string& case_name, const std::string& metric,
                      const std::string& ref_case, const std::string& ref_server,
                      const std::string& ref_metric, Compare compare, double factor) {
  return RelativeOf(r, kTtyhub, std::move(id), std::move(requirement), case_name, metric, ref_case,
                    ref_server, ref_metric, compare, factor);
}

// ttyhub-log's `metric` in `case_name` against `factor` x ttyhub's, the
// same case in the same run: what console logging costs.
TargetResult LoggingCost(const SuiteResults& r, std::string id, std::string requirement,
                         const std::string& case_name, const std::string& metric, Compare compare,
                         double factor) {
  return RelativeOf(r, kTtyhubLog, std::move(id), std::move(requirement), case_name, metric,
                    case_name, kTtyhub, metric, compare, factor);
}

// ttyhub's `metric` against a fixed bound.
TargetResult Absolute(const SuiteResults& r, std::string id, std::string requirement,
                      const std::string& case_name, const std::string& metric, Compare compare,
                      double bound) {
  TargetResult t{std::move(id), std::move(requirement)};
  const Lookup mine = Get(r, case_name, kTtyhub, metric);
  if (!mine.value) {
    t.reason = mine.missing;
    return t;
  }
  t.measured = Figure(*mine.value, mine.unit);
  const bool met = compare == Compare::kAtLeast ? *mine.value >= bound : *mine.value <= bound;
  t.status = met ? TargetStatus::kMet : TargetStatus::kMissed;
  return t;
}

// Did every run of ttyhub's case succeed with every stream verified?
TargetResult Works(const SuiteResults& r, std::string id, std::string requirement,
                   const std::string& case_name, bool no_loss) {
  TargetResult t{std::move(id), std::move(requirement)};
  const CaseRuns* c = r.Find(case_name, kTtyhub);
  if (c == nullptr || c->runs.empty()) {
    t.reason = absl::StrCat(case_name, " was not run on ttyhub");
    return t;
  }
  const VerifyCounts v = c->TotalVerify();
  t.measured = absl::StrCat(c->ok_runs(), " of ", c->runs.size(), " runs ok, ", c->TotalStreams(),
                            " streams, ", v.Describe());
  const bool ok = c->all_ok() && (!no_loss || (v.Clean() && c->TotalIncomplete() == 0)) &&
                  c->TotalStreams() > 0;
  t.status = ok ? TargetStatus::kMet : TargetStatus::kMissed;
  if (!c->all_ok()) t.measured += absl::StrCat("; ", c->FirstFailure());
  return t;
}

std::string FanoutCase(int viewers) { return absl::StrCat("fanout_k", viewers); }

}  // namespace

const char* TargetStatusName(TargetStatus s) {
  switch (s) {
    case TargetStatus::kMet:
      return "met";
    case TargetStatus::kMissed:
      return "missed";
    case TargetStatus::kNotEvaluated:
      return "not evaluated";
  }
  return "?";
}

std::vector<TargetResult> EvaluateTargets(const SuiteResults& r) {
  std::vector<TargetResult> t;
  t.push_back(Relative(
      r, "dev2net_vs_pty", "dev2net: ttyhub >= 90% of the raw pty limit (master -> slave)",
      "dev2net", "MBps", "limits", kNoServer, "pty_master_to_slave_MBps", Compare::kAtLeast, 0.9));
  t.push_back(Relative(
      r, "net2dev_vs_pty", "net2dev: ttyhub >= 90% of the raw pty limit (slave -> master)",
      "net2dev", "MBps", "limits", kNoServer, "pty_slave_to_master_MBps", Compare::kAtLeast, 0.9));
  t.push_back(Relative(r, "echo_p50", "echo: ttyhub p50 <= 0.5 x ser2net-tuned p50", "echo",
                       "rtt_p50_us", "echo", kTuned, "rtt_p50_us", Compare::kAtMost, 0.5));
  t.push_back(Relative(r, "echo_p99", "echo: ttyhub p99 <= 0.5 x ser2net-tuned p99", "echo",
                       "rtt_p99_us", "echo", kTuned, "rtt_p99_us", Compare::kAtMost, 0.5));
  t.push_back(Relative(r, "echo_p999", "echo: ttyhub p99.9 <= ser2net-tuned p99.9", "echo",
                       "rtt_p99_9_us", "echo", kTuned, "rtt_p99_9_us", Compare::kAtMost, 1.0));
  // The opt-in busy polling (issue 14), when ttyhub-lowlat ran.
  if (r.Find("echo", kTtyhubLowLatency) != nullptr) {
    for (const auto& [id, metric, factor] : {std::tuple{"echo_lowlat_p50", "rtt_p50_us", 0.5},
                                             std::tuple{"echo_lowlat_p99", "rtt_p99_us", 0.5},
                                             std::tuple{"echo_lowlat_p999", "rtt_p99_9_us", 1.0}}) {
      const std::string m = metric;
      // p50, p99, p99.9
      const std::string q = absl::StrReplaceAll(m.substr(4, m.size() - 7), {{"_", "."}});
      t.push_back(RelativeOf(r, kTtyhubLowLatency, id,
                             absl::StrCat("echo: ttyhub-lowlat ", q, " <= ",
                                          factor == 1.0 ? "" : "0.5 x ", "ser2net-tuned ", q),
                             "echo", m, "echo", kTuned, m, Compare::kAtMost, factor));
    }
  }
  const std::string k64 = FanoutCase(64);
  t.push_back(Relative(r, "fanout_k64_aggregate",
                       "fanout 64 viewers: ttyhub aggregate >= 3 x ser2net-tuned", k64,
                       "aggregate_MBps", k64, kTuned, "aggregate_MBps", Compare::kAtLeast, 3));
  t.push_back(Relative(r, "fanout_k64_cpu",
                       "fanout 64 viewers: ttyhub CPU per GB of input <= 1/3 of ser2net-tuned's",
                       k64, "server_cpu_s_per_GB_input", k64, kTuned, "server_cpu_s_per_GB_input",
                       Compare::kAtMost, 1.0 / 3));
  t.push_back(Works(r, "fanout_k64_no_loss", "fanout 64 viewers: no loss for any reading client",
                    k64, /*no_loss=*/true));
  t.push_back(Works(r, "fanout_k512_works", "fanout 512 viewers: works (figures reported)",
                    FanoutCase(512), /*no_loss=*/!r.options.fanout_read_only));
  t.push_back(Absolute(r, "slow_viewer",
                       "slow_viewer: fast client keeps >= 90% of its unimpeded rate throughout "
                       "(every 250 ms bucket)",
                       "slow_viewer", "fast_min_over_unimpeded", Compare::kAtLeast, 0.9));
  t.push_back(Works(r, "idle_ports_no_failure", "idle_ports: no failure", "idle_ports", true));
  t.push_back(Absolute(r, "idle_ports_cpu", "idle_ports: idle CPU < 1% of a core", "idle_ports",
                       "idle_cpu_pct", Compare::kAtMost, 1.0));
  t.push_back(Absolute(r, "idle_ports_rss",
                       "idle_ports: RSS <= 4 KiB per idle connected port above the empty process",
                       "idle_ports", "rss_per_port_KiB", Compare::kAtMost, 4.0));
  // Issue 14: after console output, at most 4 KiB beyond the ring page it
  // touched.
  t.push_back(Absolute(r, "idle_ports_rss_after_output",
                       "idle_ports: RSS <= 8 KiB per port after 16 B from each device (4 KiB "
                       "beyond its ring page)",
                       "idle_ports", "rss_per_port_after_device_message_KiB", Compare::kAtMost,
                       8.0));
  t.push_back(
      Absolute(r, "idle_ports_cold_echo",
               "idle_ports: echo after idle (median of random ports) within 2 x a warm echo",
               "idle_ports", "cold_over_warm_p50", Compare::kAtMost, 2.0));
  // The machine's own figure, for the reader: the same ratio for a raw pty
  // echo plus a raw TCP echo after idle (limits), i.e. for a server that
  // added nothing to either hop. A ratio, not a floor: the target stays
  // ttyhub's own.
  if (const Lookup raw = Get(r, "limits", kNoServer, "raw_echo_cold_over_warm_p50");
      raw.value && t.back().status != TargetStatus::kNotEvaluated) {
    t.back().measured += absl::StrCat(
        "; with no server (limits: raw pty + TCP echo after 1 s idle) ", Figure(*raw.value, ""));
  }
  t.push_back(Relative(r, "connect_storm_rate",
                       "connect_storm: ttyhub sessions/s >= 3 x ser2net-tuned", "connect_storm",
                       "sessions_per_s", "connect_storm", kTuned, "sessions_per_s",
                       Compare::kAtLeast, 3));
  t.push_back(Absolute(r, "connect_storm_failures", "connect_storm: zero failures", "connect_storm",
                       "failures", Compare::kAtMost, 0));
  t.push_back(Relative(
      r, "many_ports_aggregate", "many_ports: ttyhub aggregate >= 2 x ser2net-tuned", "many_ports",
      "aggregate_MBps", "many_ports", kTuned, "aggregate_MBps", Compare::kAtLeast, 2));
  t.push_back(Absolute(r, "many_ports_fairness", "many_ports: min/max per port >= 0.8",
                       "many_ports", "fairness_min_over_max", Compare::kAtLeast, 0.8));

  // Console logs (issue 10): ttyhub-log against ttyhub in the same run.
  for (const char* c : {"dev2net", "many_ports"}) {
    const std::string throughput = std::string(c) == "dev2net" ? "MBps" : "aggregate_MBps";
    t.push_back(LoggingCost(r, absl::StrCat(c, "_logging_throughput"),
                            absl::StrCat(c, ": with console logs (ttyhub-log) >= 90% of ",
                                         "ttyhub's throughput without"),
                            c, throughput, Compare::kAtLeast, 0.9));
    t.push_back(LoggingCost(r, absl::StrCat(c, "_logging_cpu"),
                            absl::StrCat(c, ": with console logs (ttyhub-log) <= 1.5 x ",
                                         "ttyhub's CPU per GB without"),
                            c, "server_cpu_s_per_GB", Compare::kAtMost, 1.5));
  }

  // idle_ports at a reduced size is evaluated, and says so.
  if (const CaseRuns* idle = r.Find("idle_ports", kTtyhub)) {
    const std::optional<double> ports = idle->Median("ports");
    if (ports && *ports < r.options.idle_ports) {
      for (TargetResult& x : t) {
        if (x.id.rfind("idle_ports", 0) == 0) {
          x.measured += absl::StrCat(" (at ", *ports, " ports, not ", r.options.idle_ports, ")");
        }
      }
    }
  }
  return t;
}

}  // namespace ttyhub::bench
