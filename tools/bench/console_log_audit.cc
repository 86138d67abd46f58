// See console_log_audit.h.
#include "tools/bench/console_log_audit.h"

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/bench/admin_http_client.h"
#include "tools/bench/console_log_check.h"
#include "tools/bench/deadline.h"

namespace ttyhub::bench {
namespace {

// Timestamps may precede the run's start or follow its end by this much
// (ms): the clocks are the same, the readings a moment apart.
constexpr int64_t kStampSlackMs = 1000;
// Ports named in one finding or note, at most.
constexpr size_t kPortsNamed = 5;

uint64_t Counter(const nlohmann::json& counters, const char* key) {
  const auto it = counters.find(key);
  return it != counters.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// "p1, p7, p9 and 3 more".
std::string PortList(const std::vector<std::string>& names) {
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + std::min(names.size(), kPortsNamed));
  std::string s = absl::StrJoin(shown, ", ");
  if (names.size() > kPortsNamed) absl::StrAppend(&s, " and ", names.size() - kPortsNamed, " more");
  return s;
}

void AddFinding(RunResult* result, const std::string& what) {
  result->finding = result->finding.empty() ? what : absl::StrCat(result->finding, "; ", what);
}

}  // namespace

absl::StatusOr<std::map<std::string, PortLogCounters>> FetchPortLogCounters(EventLoop& loop,
                                                                            uint16_t admin_tcp_port,
                                                                            double timeout_s) {
  AdminHttpClient admin(loop, admin_tcp_port, timeout_s);
  std::optional<AdminResponse> answer;
  admin.Request("GET", "/api/v1/ports", "", [&](const AdminResponse& r) { answer = r; });
  const LoopExit exit = loop.RunUntil([&] { return answer.has_value(); },
                                      Deadline::AfterSeconds(timeout_s + 1), [&] { admin.Poll(); });
  if (!answer) {
    return absl::DeadlineExceededError(
        absl::StrCat("GET /api/v1/ports: no answer (", LoopExitName(exit), ")"));
  }
  if (answer->status != 200) {
    return absl::UnavailableError(absl::StrCat("GET /api/v1/ports answered ", answer->status, " ",
                                               answer->error, answer->body.substr(0, 120)));
  }
  const nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (body.is_discarded() || !body.contains("ports") || !body["ports"].is_array()) {
    return absl::DataLossError(
        absl::StrCat("GET /api/v1/ports: not the expected JSON (", answer->body.size(), " bytes)"));
  }
  std::map<std::string, PortLogCounters> by_port;
  for (const nlohmann::json& port : body["ports"]) {
    if (!port.is_object() || !port.contains("name") || !port["name"].is_string()) continue;
    PortLogCounters c;
    if (port.contains("counters") && port["counters"].is_object()) {
      const nlohmann::json& counters = port["counters"];
      c.written_bytes = Counter(counters, "log_written_bytes");
      c.dropped_bytes = Counter(counters, "log_dropped_bytes");
      c.errors = Counter(counters, "log_errors");
    }
    c.logging = port.contains("log") && port["log"].is_object();
    by_port[port["name"].get<std::string>()] = c;
  }
  return by_port;
}

void AuditConsoleLogs(const PlannedConsoleLog& log, const std::vector<PlannedPort>& ports,
                      const std::map<size_t, DeviceStream>& streams,
                      const absl::StatusOr<std::map<std::string, PortLogCounters>>& counters,
                      const RunSpan& span, RunResult* result) {
  // 1. What the server says.
  if (!counters.ok()) {
    AddFinding(result,
               absl::StrCat("console log counters unavailable: ", counters.status().message()));
  } else {
    PortLogCounters total;
    std::vector<std::string> not_logging, silent;
    for (size_t i = 0; i < ports.size(); ++i) {
      const auto it = counters->find(ports[i].name);
      if (it == counters->end() || !it->second.logging) {
        not_logging.push_back(ports[i].name);
        continue;
      }
      total.written_bytes += it->second.written_bytes;
      total.dropped_bytes += it->second.dropped_bytes;
      total.errors += it->second.errors;
      const auto stream = streams.find(i);
      if (stream != streams.end() && stream->second.end_offset > 0 &&
          it->second.written_bytes == 0) {
        silent.push_back(ports[i].name);
      }
    }
    result->Add("log_written_bytes", static_cast<double>(total.written_bytes), "B");
    result->Add("log_dropped_bytes", static_cast<double>(total.dropped_bytes), "B");
    result->Add("log_errors", static_cast<double>(total.errors), "");
    if (!not_logging.empty()) {
      AddFinding(result, absl::StrCat("the admin API shows no console log on ", not_logging.size(),
                                      " ports: ", PortList(not_logging)));
    }
    if (!silent.empty()) {
      AddFinding(result, absl::StrCat("log_written_bytes is 0 on ", silent.size(),
                                      " ports whose device wrote data: ", PortList(silent)));
    }
    if (total.errors > 0) {
      result->notes.push_back(
          absl::StrCat("console logs: ", total.errors, " write/open errors counted (log_errors)"));
    }
  }

  // 2. What the files hold.
  ConsoleLogCheck all;
  uint64_t missing_tail = 0;
  std::vector<std::string> unreadable, short_tail, out_of_run, without_stamp;
  std::string first_bad_line;
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto stream = streams.find(i);
    std::optional<uint64_t> seed;
    if (stream != streams.end()) seed = stream->second.seed;
    const absl::StatusOr<ConsoleLogCheck> c =
        CheckConsoleLog(log.PathOf(ports[i].name), log.keep, seed);
    if (!c.ok()) {
      // No file is fine for a port whose device wrote nothing.
      if (!absl::IsNotFound(c.status()) ||
          (stream != streams.end() && stream->second.end_offset > 0)) {
        unreadable.push_back(absl::StrCat(ports[i].name, " (", c.status().message(), ")"));
      }
      continue;
    }
    all.files += c->files;
    all.file_bytes += c->file_bytes;
    all.lines += c->lines;
    all.lines_without_timestamp += c->lines_without_timestamp;
    if (c->lines_without_timestamp > 0) {
      without_stamp.push_back(ports[i].name);
      if (first_bad_line.empty()) first_bad_line = c->first_bad_line;
    }
    all.marker_lines += c->marker_lines;
    all.marker_bytes += c->marker_bytes;
    all.inserted_line_ends += c->inserted_line_ends;
    all.device_bytes += c->device_bytes;
    all.verify.Add(c->verify);
    all.unannounced_gap_bytes += c->unannounced_gap_bytes;
    if (stream != streams.end() && stream->second.end_offset > c->end_offset) {
      missing_tail += stream->second.end_offset - c->end_offset;
      short_tail.push_back(ports[i].name);
    }
    if (c->first_stamp_ms != 0 && (c->first_stamp_ms < span.start_ms - kStampSlackMs ||
                                   c->last_stamp_ms > span.end_ms + kStampSlackMs)) {
      out_of_run.push_back(ports[i].name);
    }
  }
  result->Add("log_files", static_cast<double>(all.files), "");
  result->Add("log_file_bytes", static_cast<double>(all.file_bytes), "B");
  result->Add("log_device_bytes", static_cast<double>(all.device_bytes), "B");
  result->Add("log_marker_lines", static_cast<double>(all.marker_lines), "");
  result->Add("log_marker_bytes", static_cast<double>(all.marker_bytes), "B");
  if (!streams.empty()) {
    result->Add("log_verified_bytes", static_cast<double>(all.verify.verified_bytes), "B");
    result->Add("log_gap_bytes", static_cast<double>(all.verify.gap_bytes), "B");
    result->Add("log_missing_tail_bytes", static_cast<double>(missing_tail), "B");
  }
  if (!unreadable.empty()) {
    AddFinding(result, absl::StrCat("console log missing or unreadable on ", unreadable.size(),
                                    " ports: ", PortList(unreadable)));
  }
  if (!without_stamp.empty()) {
    AddFinding(result, absl::StrCat("console log lines without a timestamp: ",
                                    all.lines_without_timestamp, " on ", PortList(without_stamp),
                                    "; the first begins '", first_bad_line, "'"));
  }
  if (all.verify.corrupt_bytes > 0 || all.verify.backward_jumps > 0) {
    AddFinding(result, absl::StrCat("console logs do not hold what the devices wrote: ",
                                    all.verify.Describe()));
  }
  if (all.unannounced_gap_bytes > 0) {
    AddFinding(result, absl::StrCat("console logs lost ", all.unannounced_gap_bytes,
                                    " bytes with no marker saying so"));
  }
  if (missing_tail > 0) {
    AddFinding(result,
               absl::StrCat("console logs end before the devices' last byte: ", missing_tail,
                            " bytes missing at the end, on ", PortList(short_tail)));
  }
  if (!out_of_run.empty()) {
    AddFinding(result,
               absl::StrCat("console log timestamps outside the run on ", PortList(out_of_run)));
  }
  if (all.inserted_line_ends > 0) {
    result->notes.push_back(absl::StrCat("console logs: ", all.inserted_line_ends,
                                         " partial lines ended by the writer before a marker"));
  }
}

}  // namespace ttyhub::bench
