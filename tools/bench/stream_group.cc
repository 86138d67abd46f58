// See stream_group.h.
#include "tools/bench/stream_group.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "tools/bench/pattern.h"

namespace ttyhub::bench {

size_t StreamGroup::AddWriter(int fd, bool is_socket, uint32_t stream_id) {
  writers_.push_back(std::make_unique<PatternWriter>(loop_, fd, is_socket, PatternSeed(stream_id)));
  return writers_.size() - 1;
}

size_t StreamGroup::AddReader(size_t writer, int fd, bool is_socket, StreamVerifier::Start start) {
  readers_.push_back({writer, std::make_unique<PatternReader>(loop_, fd, is_socket,
                                                              writers_[writer]->seed(), start)});
  return readers_.size() - 1;
}

absl::Status StreamGroup::Start() {
  for (auto& r : readers_) {
    if (absl::Status s = r.reader->Start(); !s.ok()) return s;
  }
  for (auto& w : writers_) {
    w->AllowUpTo(PatternWriter::kUnlimited);
    if (absl::Status s = w->Start(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

bool StreamGroup::AllJoined() const {
  for (const auto& r : readers_) {
    if (!r.reader->verifier().joined() || r.reader->received() == 0) return false;
  }
  return true;
}

uint64_t StreamGroup::TotalReceived() const {
  uint64_t total = 0;
  for (const auto& r : readers_) total += r.reader->received();
  return total;
}

uint64_t StreamGroup::TotalWritten() const {
  uint64_t total = 0;
  for (const auto& w : writers_) total += w->written();
  return total;
}

std::vector<uint64_t> StreamGroup::ReceivedPerReader() const {
  std::vector<uint64_t> out;
  out.reserve(readers_.size());
  for (const auto& r : readers_) out.push_back(r.reader->received());
  return out;
}

void StreamGroup::StopWriters() {
  for (auto& w : writers_) w->Stop();
}

bool StreamGroup::AllDrained() const {
  for (const auto& r : readers_) {
    if (r.reader->position() < writers_[r.writer]->written()) return false;
  }
  return true;
}

bool StreamGroup::AnyBroken() const {
  for (const auto& r : readers_) {
    if (r.reader->closed()) return true;
  }
  for (const auto& w : writers_) {
    if (w->error() != 0) return true;
  }
  return false;
}

void StreamGroup::Verify(RunResult* result, const std::function<bool(size_t)>& gaps_allowed) const {
  VerifyCounts worst_problem;
  size_t problem_reader = 0;
  bool problem = false;
  for (size_t i = 0; i < readers_.size(); ++i) {
    const PatternReader& r = *readers_[i].reader;
    const PatternWriter& w = *writers_[readers_[i].writer];
    const VerifyCounts& c = r.verifier().counts();
    const bool gaps_ok = gaps_allowed && gaps_allowed(i);
    if (gaps_ok) {
      result->lossy_verify.Add(c);
      ++result->lossy_streams;
    } else {
      result->verify.Add(c);
      ++result->streams;
    }
    const bool complete = r.position() == w.written() && r.verifier().unplaced_bytes() == 0;
    if (!complete) ++result->incomplete_streams;
    const bool bad = c.backward_jumps > 0 || c.corrupt_bytes > 0 || (!gaps_ok && c.gaps > 0);
    if (bad && !problem) {
      problem = true;
      problem_reader = i;
      worst_problem = c;
    }
    if (r.closed()) {
      result->Fail(absl::StrCat("reader ", i, ": closed by the server",
                                r.error() != 0 ? absl::StrCat(" (", std::strerror(r.error()), ")")
                                               : std::string(" (EOF)"),
                                " after ", r.received(), " B"));
    }
  }
  for (size_t i = 0; i < writers_.size(); ++i) {
    if (writers_[i]->error() != 0) {
      result->Fail(absl::StrCat("writer ", i,
                                ": write failed: ", std::strerror(writers_[i]->error()), " after ",
                                writers_[i]->written(), " B"));
    }
  }
  if (problem) {
    result->Fail(
        absl::StrCat("stream ", problem_reader, " did not verify: ", worst_problem.Describe()));
  }
  if (result->incomplete_streams > 0) {
    result->Fail(absl::StrCat(result->incomplete_streams, " of ", readers_.size(),
                              " streams did not deliver every byte written"));
  }
}

}  // namespace ttyhub::bench
