// See json_report.h.
#include "tools/bench/json_report.h"

#include "tools/bench/chain_comparison.h"
#include "tools/bench/json_writer.h"

namespace ttyhub::bench {
namespace {

void WriteVerify(JsonWriter& j, const VerifyCounts& v, uint64_t streams, uint64_t incomplete) {
  j.BeginObject();
  j.Field("streams", static_cast<unsigned long long>(streams));
  j.Field("incomplete_streams", static_cast<unsigned long long>(incomplete));
  j.Field("received_bytes", static_cast<unsigned long long>(v.received_bytes));
  j.Field("verified_bytes", static_cast<unsigned long long>(v.verified_bytes));
  j.Field("gaps", static_cast<unsigned long long>(v.gaps));
  j.Field("gap_bytes", static_cast<unsigned long long>(v.gap_bytes));
  j.Field("backward_jumps", static_cast<unsigned long long>(v.backward_jumps));
  j.Field("backward_bytes", static_cast<unsigned long long>(v.backward_bytes));
  j.Field("corrupt_bytes", static_cast<unsigned long long>(v.corrupt_bytes));
  j.Field("clean", v.Clean() && incomplete == 0);
  j.EndObject();
}

void WriteRun(JsonWriter& j, const RunResult& r) {
  j.BeginObject();
  j.Field("ok", r.ok);
  j.Field("failure", r.failure);
  j.Field("finding", r.finding);
  j.Key("notes");
  j.BeginArray();
  for (const std::string& n : r.notes) j.String(n);
  j.EndArray();
  j.Key("metrics");
  j.BeginObject();
  for (const Metric& m : r.metrics) j.Field(m.name, m.value);
  j.EndObject();
  j.Key("verification");
  WriteVerify(j, r.verify, r.streams, r.incomplete_streams);
  j.Key("lossy_viewer_verification");
  WriteVerify(j, r.lossy_verify, r.lossy_streams, 0);
  j.Key("series");
  j.BeginArray();
  for (const Series& s : r.series) {
    j.BeginObject();
    j.Field("name", s.name);
    j.Field("x_label", s.x_label);
    j.Field("y_label", s.y_label);
    j.Key("x");
    j.BeginArray();
    for (double x : s.x) j.Number(x);
    j.EndArray();
    j.Key("y");
    j.BeginArray();
    for (double y : s.y) j.Number(y);
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
}

}  // namespace

std::string JsonReport(const SuiteResults& results, const std::vector<TargetResult>& targets) {
  const BenchOptions& o = results.options;
  JsonWriter j;
  j.BeginObject();
  j.Field("tool", "ttyhub-bench");
  j.Field("format_version", 1);
  j.Field("started_at", results.started_at);
  j.Field("note", o.note);
  j.Field("wall_seconds", results.wall_seconds);
  j.Field("tool_cpu_seconds", results.tool_cpu_seconds);
  j.Field("interrupted", results.interrupted);

  const MachineInfo& m = results.machine;
  j.Key("machine");
  j.BeginObject();
  j.Field("cpu_model", m.cpu_model);
  j.Field("online_cpus", m.online_cpus);
  j.Field("kernel", m.kernel);
  j.Field("hostname", m.hostname);
  j.Field("memory_bytes", static_cast<unsigned long long>(m.memory_bytes));
  j.Field("open_files_limit", static_cast<unsigned long long>(m.open_files_limit));
  j.Field("pty_max", static_cast<unsigned long long>(m.pty_max));
  j.Field("pty_in_use_at_start", static_cast<unsigned long long>(m.pty_in_use));
  j.Field("load_average_at_start", m.load_average_at_start);
  j.Field("placement", results.placement);
  j.Field("pm_qos", results.pm_qos);
  j.EndObject();

  j.Key("options");
  j.BeginObject();
  j.Field("quick", o.quick);
  j.Field("reps", o.reps);
  j.Field("duration_s", o.duration_s);
  j.Field("message_bytes", static_cast<unsigned long long>(o.message_bytes));
  j.Field("many_ports", o.many_ports);
  j.Key("fanout_viewers");
  j.BeginArray();
  for (int k : o.fanout_viewers) j.Integer(k);
  j.EndArray();
  j.Field("fanout_read_only", o.fanout_read_only);
  j.Field("bucket_s", o.bucket_s);
  j.Field("idle_ports", o.idle_ports);
  j.Field("idle_s", o.idle_s);
  j.Field("cold_echo_ports", o.cold_echo_ports);
  j.Field("storm_clients", o.storm_clients);
  j.Field("storm_s", o.storm_s);
  j.Field("storm_emit_interval_s", o.storm_emit_interval_s);
  j.Field("ttyhub_workers", o.ttyhub_workers);
  j.Field("ttyhub_log_level", o.ttyhub_log_level);
  j.Field("busy_poll_budget_percent", o.busy_poll_budget_percent);
  j.Field("console_log_rotate_bytes", static_cast<unsigned long long>(o.console_log_rotate_bytes));
  j.Field("pin", o.pin);
  j.Field("soak_s", o.soak_s);
  j.Field("soak_ports", o.soak_ports);
  j.Field("soak_sample_s", o.soak_sample_s);
  j.Field("soak_seed", o.soak_seed);
  j.Field("soak_rate_bytes_per_s", o.soak_rate);
  j.EndObject();

  j.Key("servers");
  j.BeginArray();
  for (const ServerSpec& s : results.servers) {
    j.BeginObject();
    j.Field("name", ServerName(s.kind));
    j.Field("binary", s.binary);
    j.Field("version", s.version);
    j.EndObject();
  }
  j.EndArray();

  j.Key("console_logs");
  if (results.console_log_config.empty()) {
    j.Null();
  } else {
    j.BeginObject();
    j.Field("config", results.console_log_config);
    j.Field("filesystem", results.console_log_filesystem);
    j.EndObject();
  }

  j.Key("scenarios");
  j.BeginArray();
  for (const auto& [name, description] : results.scenarios) {
    j.BeginObject();
    j.Field("name", name);
    j.Field("description", description);
    j.EndObject();
  }
  j.EndArray();

  VerifyCounts all;
  uint64_t all_streams = 0, all_incomplete = 0, runs = 0, failed_runs = 0;
  j.Key("cases");
  j.BeginArray();
  for (const CaseRuns& c : results.cases) {
    j.BeginObject();
    j.Field("scenario", c.scenario);
    j.Field("case", c.case_name);
    j.Field("server", c.server);
    j.Field("runs", static_cast<int>(c.runs.size()));
    j.Field("ok_runs", c.ok_runs());
    j.Field("all_ok", c.all_ok());
    j.Field("first_failure", c.FirstFailure());
    j.Key("verification");
    WriteVerify(j, c.TotalVerify(), c.TotalStreams(), c.TotalIncomplete());
    j.Key("lossy_viewer_verification");
    WriteVerify(j, c.TotalLossyVerify(), c.TotalLossyStreams(), 0);
    j.Key("medians");
    j.BeginObject();
    for (const std::string& name : c.MetricNames()) {
      j.Key(name);
      j.BeginObject();
      if (const std::optional<double> v = c.Median(name)) {
        j.Field("value", *v);
      } else {
        j.Key("value");
        j.Null();
      }
      j.Field("unit", c.Unit(name));
      j.EndObject();
    }
    j.EndObject();
    j.Key("run_details");
    j.BeginArray();
    for (const RunResult& r : c.runs) WriteRun(j, r);
    j.EndArray();
    j.EndObject();
    all.Add(c.TotalVerify());
    all_streams += c.TotalStreams();
    all_incomplete += c.TotalIncomplete();
    runs += c.runs.size();
    failed_runs += c.runs.size() - static_cast<size_t>(c.ok_runs());
  }
  j.EndArray();

  j.Key("targets");
  j.BeginArray();
  for (const TargetResult& t : targets) {
    j.BeginObject();
    j.Field("id", t.id);
    j.Field("requirement", t.requirement);
    j.Field("measured", t.measured);
    j.Key("ratio");
    if (t.ratio) {
      j.Number(*t.ratio);
    } else {
      j.Null();
    }
    j.Field("status", TargetStatusName(t.status));
    j.Field("reason", t.reason);
    j.EndObject();
  }
  j.EndArray();

  // The chain scenario's ratios (chain_comparison.h); empty if it did not run.
  j.Key("chain_comparison");
  j.BeginArray();
  for (const ChainComparisonRow& c : CompareChain(results)) {
    j.BeginObject();
    j.Field("figure", c.figure);
    j.Field("unit", c.unit);
    j.Field("server", c.server);
    for (const auto& [key, value] :
         {std::pair<const char*, std::optional<double>>{"one_hop", c.one_hop},
          {"two_hops", c.two_hops},
          {"two_over_one", c.two_over_one},
          {"ttyhub_over_this_one_hop", c.ttyhub_over_this_one_hop},
          {"ttyhub_over_this_two_hops", c.ttyhub_over_this_two_hops}}) {
      j.Key(key);
      if (value) {
        j.Number(*value);
      } else {
        j.Null();
      }
    }
    j.Field("runs_failed", c.note);
    j.EndObject();
  }
  j.EndArray();

  j.Key("summary");
  j.BeginObject();
  j.Field("runs", static_cast<unsigned long long>(runs));
  j.Field("failed_runs", static_cast<unsigned long long>(failed_runs));
  j.Key("verification");
  WriteVerify(j, all, all_streams, all_incomplete);
  j.EndObject();
  j.EndObject();
  return j.text() + "\n";
}

}  // namespace ttyhub::bench
