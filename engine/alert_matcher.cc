// Line assembly and RE2::Set matching for a port's alerts. See alert_matcher.h.
#include "engine/alert_matcher.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "config/alert_rules.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace ttyhub {

struct AlertMatcher::Compiled {
  explicit Compiled(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
  // The same regexes one by one, used only if the set's DFA runs out of
  // memory on a line (RE2::Set has no fallback; RE2 alone falls back to its
  // NFA, still linear). Rare: a line is at most kMaxLineBytes.
  std::vector<std::unique_ptr<RE2>> each;
};

namespace {

RE2::Options MatchOptions(size_t alerts) {
  RE2::Options options;
  options.set_log_errors(false);
  // Each regex was validated within kAlertRegexMaxMem; the set holds them all.
  options.set_max_mem(kAlertRegexMaxMem * static_cast<int64_t>(std::max<size_t>(alerts, 1)));
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AlertMatcher>> AlertMatcher::Create(
    const std::vector<AlertConfig>& alerts) {
  if (alerts.empty()) return absl::InvalidArgumentError("no alerts to match");
  const RE2::Options options = MatchOptions(alerts.size());
  auto compiled = std::make_unique<Compiled>(options);
  std::vector<AlertStats> stats;
  RE2::Options one;
  one.set_log_errors(false);
  one.set_max_mem(kAlertRegexMaxMem);
  for (const AlertConfig& a : alerts) {
    std::string error;
    if (compiled->set.Add(a.regex, &error) < 0) {
      return absl::InvalidArgumentError(absl::StrCat("alert ", a.name, ": ", error));
    }
    auto re = std::make_unique<RE2>(a.regex, one);
    if (!re->ok())
      return absl::InvalidArgumentError(absl::StrCat("alert ", a.name, ": ", re->error()));
    compiled->each.push_back(std::move(re));
    stats.push_back({.name = a.name});
  }
  if (!compiled->set.Compile()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the ", alerts.size(), " alert regexes together exceed RE2's memory budget of ",
        kAlertRegexMaxMem * static_cast<int64_t>(alerts.size()), " bytes"));
  }
  return std::unique_ptr<AlertMatcher>(new AlertMatcher(std::move(compiled), std::move(stats)));
}

AlertMatcher::AlertMatcher(std::unique_ptr<Compiled> compiled, std::vector<AlertStats> stats)
    : compiled_(std::move(compiled)), stats_(std::move(stats)) {
  hits_.reserve(stats_.size());
}

AlertMatcher::~AlertMatcher() = default;

void AlertMatcher::Feed(std::span<const uint8_t> bytes, int64_t now_unix_ms, OnMatch on_match) {
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    const size_t line_end =
        nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - bytes.data()) : bytes.size();
    // Bytes of the current line in this chunk, cut so the line's total stays
    // within kMaxLineBytes.
    const size_t room = kMaxLineBytes - partial_.size();
    if (line_end >= room && (line_end > room || !nl)) {
      // The line reaches kMaxLineBytes before its end: match that piece.
      std::span<const uint8_t> piece = bytes.first(room);
      if (partial_.empty()) {
        MatchLine(piece, now_unix_ms, on_match);
      } else {
        partial_.insert(partial_.end(), piece.begin(), piece.end());
        MatchLine(partial_, now_unix_ms, on_match);
        partial_.clear();
      }
      bytes = bytes.subspan(room);
      continue;
    }
    if (!nl) {  // a partial line: wait for the rest
      partial_.insert(partial_.end(), bytes.begin(), bytes.end());
      return;
    }
    std::span<const uint8_t> line = bytes.first(line_end);
    if (partial_.empty()) {
      if (!line.empty() && line.back() == '\r') line = line.first(line.size() - 1);
      MatchLine(line, now_unix_ms, on_match);
    } else {
      partial_.insert(partial_.end(), line.begin(), line.end());
      std::span<const uint8_t> whole(partial_);
      if (!whole.empty() && whole.back() == '\r') whole = whole.first(whole.size() - 1);
      MatchLine(whole, now_unix_ms, on_match);
      partial_.clear();
    }
    bytes = bytes.subspan(line_end + 1);
  }
}

void AlertMatcher::MatchLine(std::span<const uint8_t> line, int64_t now_unix_ms, OnMatch on_match) {
  const re2::StringPiece text(reinterpret_cast<const char*>(line.data()), line.size());
  hits_.clear();
  RE2::Set::ErrorInfo error;
  if (!compiled_->set.Match(text, &hits_, &error)) {
    if (error.kind != RE2::Set::kOutOfMemory) return;  // kNoError: nothing matched
    hits_.clear();
    for (size_t i = 0; i < compiled_->each.size(); ++i) {
      if (RE2::PartialMatch(text, *compiled_->each[i])) hits_.push_back(static_cast<int>(i));
    }
    if (hits_.empty()) return;
  }
  std::sort(hits_.begin(), hits_.end());  // report in configuration order
  std::string shown = DisplayLine(line);
  for (const int i : hits_) {
    AlertStats& a = stats_[static_cast<size_t>(i)];
    ++a.matches;
    a.last_match_unix_ms = now_unix_ms;
    a.last_line = shown;
    on_match(a);
  }
}

std::string AlertMatcher::DisplayLine(std::span<const uint8_t> line) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::span<const uint8_t> kept = line.first(std::min(line.size(), kMaxShownLineBytes));
  std::string out;
  out.reserve(kept.size());
  for (const uint8_t b : kept) {
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out += static_cast<char>(b);
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

}  // namespace ttyhub
