// The admin API's console log endpoints. See admin_log_endpoints.h.
//
// Runs on the admin server's threads: the answer is built (files opened,
// start found) in the request handler; its body is read from the files as
// libmicrohttpd sends it, in bounded steps.
#include "engine/admin_log_endpoints.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "config/units.h"
#include "engine/console_log_grep.h"
#include "engine/console_log_reader.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"

namespace ttyhub {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kCursorHeader[] = "X-Ttyhub-Log-Cursor";
constexpr char kTruncatedHeader[] = "X-Ttyhub-Log-Truncated";
constexpr char kGapHeader[] = "X-Ttyhub-Log-Gap";
// Device bytes could look like HTML: browsers must not guess otherwise.
constexpr std::pair<const char*, const char*> kNoSniff = {"X-Content-Type-Options", "nosniff"};
constexpr size_t kGrepOutputChunk = 64 * 1024;  // bytes of NDJSON made per step, about

// Untrusted bytes into JSON text: invalid UTF-8 becomes U+FFFD, controls
// are escaped, so a line can never break the NDJSON framing.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The last value of query argument `name`.
std::optional<std::string> Arg(const QueryArgs& query, absl::string_view name) {
  std::optional<std::string> value;
  for (const auto& [k, v] : query) {
    if (k == name) value = v;
  }
  return value;
}

absl::Status OnlyKnownArgs(const QueryArgs& query, std::initializer_list<absl::string_view> known) {
  for (const auto& [k, v] : query) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::string names;
      for (absl::string_view n : known) absl::StrAppend(&names, names.empty() ? "" : ", ", n);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown query parameter '", k, "' (this endpoint takes ", names, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status NotLogging(const PortSnapshot& port) {
  return absl::FailedPreconditionError(absl::StrCat("port ", port.name,
                                                    " does not log its console: give it a "
                                                    "log: {path: ...} in the configuration"));
}

absl::Status NoTimestamps(const PortSnapshot& port) {
  return absl::FailedPreconditionError(
      absl::StrCat("port ", port.name,
                   "'s log has no timestamps (log: {timestamps: false}), so since cannot select "
                   "its lines; use lines instead"));
}

// Bytes [begin, end) of a log, read as they are sent.
class LogRangeStream final : public AdminBodyStream {
 public:
  LogRangeStream(ConsoleLogFiles files, uint64_t begin, uint64_t end)
      : files_(std::move(files)), pos_(begin), end_(end), size_(end - begin) {}

  std::optional<uint64_t> size() const override { return size_; }

  int64_t Read(char* out, size_t max) override {
    if (pos_ >= end_) return kEnd;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(max, end_ - pos_));
    const size_t got = files_.ReadAt(pos_, out, want);
    if (got == 0) return kFailed;  // a file shrank under us: the promised size cannot be met
    pos_ += got;
    return static_cast<int64_t>(got);
  }

 private:
  ConsoleLogFiles files_;
  uint64_t pos_;
  const uint64_t end_;
  const uint64_t size_;
};

struct GrepTarget {
  std::string port;
  std::string path;
  uint32_t keep = 0;
  bool timestamps = false;
};

// The grep answer: each target's matching lines as NDJSON, then the totals.
class GrepStream final : public AdminBodyStream {
 public:
  GrepStream(std::vector<GrepTarget> targets, Json skipped, std::unique_ptr<re2::RE2> re,
             std::optional<int64_t> since_ms, const LogLimits& limits)
      : targets_(std::move(targets)),
        skipped_(std::move(skipped)),
        re_(std::move(re)),
        since_ms_(since_ms),
        limits_(limits) {}

  std::optional<uint64_t> size() const override { return std::nullopt; }

  int64_t Read(char* out, size_t max) override {
    if (head_ == out_.size()) {
      out_.clear();
      head_ = 0;
      if (!finished_) Work();
    }
    if (head_ == out_.size()) return finished_ ? kEnd : 0;
    const size_t n = std::min(max, out_.size() - head_);
    std::memcpy(out, out_.data() + head_, n);
    head_ += n;
    return static_cast<int64_t>(n);
  }

 private:
  struct Current {
    ConsoleLogFiles files;
    std::optional<ConsoleLogGrep> grep;  // reads `files`
  };

  // One step: matches into out_ until about kGrepOutputChunk bytes of them,
  // or grep_step bytes read, or the end.
  void Work() {
    uint64_t spent = 0;  // bytes read in this step
    while (!finished_ && out_.size() < kGrepOutputChunk && spent < limits_.grep_step) {
      if (current_ == nullptr && !OpenNext()) {
        Finish();
        return;
      }
      LogMatch m;
      const uint64_t before = current_->grep->bytes_read();
      const ConsoleLogGrep::Step step = current_->grep->Next(limits_.grep_step - spent, &m);
      spent += current_->grep->bytes_read() - before;
      if (step == ConsoleLogGrep::Step::kMatch) {
        if (matches_ == limits_.max_matches) {
          truncated_ = "max_matches";
          Finish();
          return;
        }
        Json j;
        j["port"] = targets_[next_ - 1].port;
        j["time"] = m.time.empty() ? Json(nullptr) : Json(std::string(m.time));
        j["line"] = std::string(m.text);
        if (m.cut) j["cut"] = true;
        const std::string line = Dump(j) + "\n";
        out_ += line;
        output_bytes_ += line.size();
        ++matches_;
        if (output_bytes_ >= limits_.max_bytes) {
          truncated_ = "max_output_bytes";
          Finish();
          return;
        }
      } else if (step == ConsoleLogGrep::Step::kEnd) {
        const bool limited = current_->grep->read_limit_reached();
        read_ += current_->grep->bytes_read();
        current_.reset();
        if (limited) {
          truncated_ = "max_read_bytes";
          Finish();
          return;
        }
      }
    }
  }

  // Opens the next target that can be searched; false when none is left.
  bool OpenNext() {
    while (next_ < targets_.size()) {
      if (read_ >= limits_.max_grep_read) {
        truncated_ = "max_read_bytes";
        return false;
      }
      const GrepTarget& t = targets_[next_++];
      absl::StatusOr<ConsoleLogFiles> files = ConsoleLogFiles::Open(t.path, t.keep);
      if (!files.ok()) {
        errors_.push_back({{"port", t.port}, {"error", std::string(files.status().message())}});
        continue;
      }
      auto current = std::make_unique<Current>();
      current->files = *std::move(files);
      const uint64_t end = current->files.size();
      uint64_t begin = 0;
      if (since_ms_) {
        absl::StatusOr<uint64_t> since = SinceStart(current->files, end, *since_ms_);
        if (!since.ok()) {
          errors_.push_back({{"port", t.port}, {"error", std::string(since.status().message())}});
          continue;
        }
        begin = *since;
      }
      current->grep.emplace(current->files, begin, end, *re_, t.timestamps, limits_.max_grep_line,
                            limits_.max_grep_read - read_);
      searched_.push_back(t.port);
      current_ = std::move(current);
      return true;
    }
    return false;
  }

  void Finish() {
    if (current_ != nullptr) read_ += current_->grep->bytes_read();
    current_.reset();
    Json end;
    end["matches"] = matches_;
    end["searched"] = searched_;
    end["skipped"] = skipped_;
    end["errors"] = errors_;
    end["read_bytes"] = read_;
    end["truncated"] = truncated_.empty() ? Json(nullptr) : Json(truncated_);
    out_ += Dump(Json{{"end", std::move(end)}}) + "\n";
    finished_ = true;
  }

  const std::vector<GrepTarget> targets_;
  const Json skipped_;
  const std::unique_ptr<re2::RE2> re_;
  const std::optional<int64_t> since_ms_;
  const LogLimits limits_;

  size_t next_ = 0;  // targets_[next_ - 1] is the current one
  std::unique_ptr<Current> current_;
  std::string out_;  // NDJSON made and not yet sent, from head_
  size_t head_ = 0;
  bool finished_ = false;  // the totals are in out_
  size_t matches_ = 0;
  uint64_t output_bytes_ = 0;
  uint64_t read_ = 0;  // bytes read by finished targets
  std::string truncated_;
  Json searched_ = Json::array();
  Json errors_ = Json::array();
};

}  // namespace

absl::StatusOr<int64_t> ParseSince(const std::string& text,
                                   std::chrono::system_clock::time_point now) {
  absl::Time t;
  std::string ignored;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &ignored)) return absl::ToUnixMillis(t);
  if (absl::StatusOr<std::chrono::milliseconds> ago = ParseDuration(text); ago.ok()) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() -
           ago->count();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("since: '", text,
                   "' is neither a duration back from now (90s, 10m, 1h) nor an RFC 3339 time "
                   "(2026-12-01T09:00:00Z)"));
}

absl::StatusOr<AdminResponse> PortLogResponse(const PortSnapshot& port, const QueryArgs& query,
                                              std::chrono::system_clock::time_point now,
                                              const LogLimits& limits) {
  if (absl::Status s = OnlyKnownArgs(query, {"lines", "since", "after"}); !s.ok()) return s;
  const std::optional<std::string> lines_arg = Arg(query, "lines");
  const std::optional<std::string> since_arg = Arg(query, "since");
  const std::optional<std::string> after_arg = Arg(query, "after");
  std::optional<size_t> lines;
  if (lines_arg) {
    size_t n = 0;
    if (!absl::SimpleAtoi(*lines_arg, &n) || n > limits.max_lines) {
      return absl::InvalidArgumentError(absl::StrCat("lines: must be a whole number from 0 to ",
                                                     limits.max_lines, ", not '", *lines_arg, "'"));
    }
    lines = n;
  }
  std::optional<LogCursor> after;
  if (after_arg) {
    if (lines_arg || since_arg) {
      return absl::InvalidArgumentError("after: cannot be combined with lines or since");
    }
    after = ParseLogCursor(*after_arg);
    if (!after) {
      return absl::InvalidArgumentError(
          "after: not a cursor; give the X-Ttyhub-Log-Cursor header of an earlier answer");
    }
  }
  if (!port.log_enabled) return NotLogging(port);
  std::optional<int64_t> since_ms;
  if (since_arg) {
    if (!port.log_timestamps) return NoTimestamps(port);
    absl::StatusOr<int64_t> parsed = ParseSince(*since_arg, now);
    if (!parsed.ok()) return parsed.status();
    since_ms = *parsed;
  }

  absl::StatusOr<ConsoleLogFiles> files = ConsoleLogFiles::Open(port.log_path, port.log_keep);
  if (!files.ok()) return files.status();
  const uint64_t end = files->size();
  AdminResponse r;
  r.content_type = "text/plain";
  r.headers.emplace_back(kNoSniff.first, kNoSniff.second);
  uint64_t begin = 0, stop = end;
  if (after) {
    if (after->inode == 0) {
      begin = 0;  // nothing had been written then: all of it is new
    } else if (std::optional<uint64_t> at = files->Find(*after)) {
      begin = *at;
    } else {
      begin = files->files().empty() ? 0 : files->files().back().begin;
      r.headers.emplace_back(kGapHeader, "1");
    }
    stop = std::min(end, begin + limits.max_bytes);
    if (stop < end) r.headers.emplace_back(kTruncatedHeader, "newer");
  } else {
    bool bytes_cut = false;
    const uint64_t tail =
        TailStart(*files, end, lines.value_or(limits.max_lines), limits.max_bytes, &bytes_cut);
    uint64_t floor = 0;  // the earliest line wanted
    if (since_ms) {
      absl::StatusOr<uint64_t> since = SinceStart(*files, end, *since_ms);
      if (!since.ok()) return since.status();
      floor = *since;
    }
    begin = std::max(tail, floor);
    // Lines asked for (all since `floor` when no count was given) left out.
    if (begin > floor && (bytes_cut || !lines)) r.headers.emplace_back(kTruncatedHeader, "older");
  }
  r.headers.emplace_back(kCursorHeader, FormatLogCursor(files->CursorAt(stop)));
  if (stop > begin) r.stream = std::make_shared<LogRangeStream>(*std::move(files), begin, stop);
  return r;
}

absl::StatusOr<AdminResponse> GrepResponse(const std::vector<PortSnapshot>& ports,
                                           const QueryArgs& query,
                                           std::chrono::system_clock::time_point now,
                                           const LogLimits& limits) {
  if (absl::Status s = OnlyKnownArgs(query, {"re", "since", "ports"}); !s.ok()) return s;
  const std::optional<std::string> re_arg = Arg(query, "re");
  const std::optional<std::string> since_arg = Arg(query, "since");
  const std::optional<std::string> ports_arg = Arg(query, "ports");
  if (!re_arg) return absl::InvalidArgumentError("re: give a regular expression, as re=panic");
  absl::StatusOr<std::unique_ptr<re2::RE2>> re = CompileGrepRegex(*re_arg);
  if (!re.ok()) return re.status();
  std::optional<int64_t> since_ms;
  if (since_arg) {
    absl::StatusOr<int64_t> parsed = ParseSince(*since_arg, now);
    if (!parsed.ok()) return parsed.status();
    since_ms = *parsed;
  }
  std::vector<GrepTarget> targets;
  Json skipped = Json::array();
  auto target = [](const PortSnapshot& p) {
    return GrepTarget{p.name, p.log_path, p.log_keep, p.log_timestamps};
  };
  if (ports_arg) {
    // Named ports: each must exist and be searchable, or the request fails.
    std::vector<std::string> names = absl::StrSplit(*ports_arg, ',', absl::SkipEmpty());
    if (names.empty()) {
      return absl::InvalidArgumentError("ports: give port names separated by commas, as ports=a,b");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (std::find(names.begin(), names.begin() + i, names[i]) != names.begin() + i) continue;
      auto it = std::find_if(ports.begin(), ports.end(),
                             [&](const PortSnapshot& p) { return p.name == names[i]; });
      if (it == ports.end()) {
        return absl::NotFoundError(absl::StrCat("no port named '", names[i], "'"));
      }
      if (!it->log_enabled) return NotLogging(*it);
      if (since_ms && !it->log_timestamps) return NoTimestamps(*it);
      targets.push_back(target(*it));
    }
  } else {
    // Every port that logs; those whose lines `since` cannot select are
    // listed in the totals rather than searched whole.
    for (const PortSnapshot& p : ports) {
      if (!p.log_enabled) continue;
      if (since_ms && !p.log_timestamps) {
        skipped.push_back(
            {{"port", p.name}, {"reason", "its log has no timestamps, so since cannot apply"}});
        continue;
      }
      targets.push_back(target(p));
    }
  }
  AdminResponse r;
  r.content_type = "application/x-ndjson";
  r.headers.emplace_back(kNoSniff.first, kNoSniff.second);
  r.stream = std::make_shared<GrepStream>(std::move(targets), std::move(skipped), *std::move(re),
                                          since_ms, limits);
  return r;
}

}  // namespace ttyhub
