// History replay start positions and markers. See history.h.
#include "engine/history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ttyhub {

uint64_t HistoryStart(const FanoutRing& ring, const HistorySpec& spec) {
  const uint64_t head = ring.head();
  const uint64_t oldest = ring.oldest();
  switch (spec.kind) {
    case HistorySpec::Kind::kOff:
      return head;
    case HistorySpec::Kind::kBytes:
      return head - std::min(spec.amount, head - oldest);
    case HistorySpec::Kind::kLines:
      break;
  }
  if (spec.amount == 0 || head == oldest) return head;
  // [oldest, head) is one contiguous span (the ring is mirrored).
  const auto held = ring.ReadableSpan(oldest, static_cast<size_t>(head - oldest));
  // Walk back over N line ends; a last line without its newline counts.
  uint64_t lines = 0;
  size_t i = held.size();
  if (held[i - 1] == '\n') --i;  // the newline that ends the last line
  while (i > 0) {
    if (held[i - 1] == '\n' && ++lines == spec.amount) return oldest + i;
    --i;
  }
  // Fewer lines than asked for. If older output was already dropped, the
  // first held line is probably a fragment: start after it if one ends.
  if (oldest > 0) {
    for (size_t j = 0; j < held.size(); ++j) {
      if (held[j] == '\n') return j + 1 < held.size() ? oldest + j + 1 : oldest;
    }
  }
  return oldest;
}

namespace {

// Lines the ring holds from oldest(), counted as HistoryStart counts them:
// every line end but a final one, plus the last line.
uint64_t RingLines(const FanoutRing& ring) {
  const uint64_t held = ring.head() - ring.oldest();
  if (held == 0) return 0;
  const auto span = ring.ReadableSpan(ring.oldest(), static_cast<size_t>(held));
  const size_t counted = span.back() == '\n' ? span.size() - 1 : span.size();
  return 1 + static_cast<uint64_t>(std::count(span.begin(), span.begin() + counted, '\n'));
}

}  // namespace

bool RingHoldsHistory(const FanoutRing& ring, const HistorySpec& spec) {
  switch (spec.kind) {
    case HistorySpec::Kind::kOff:
      return true;
    case HistorySpec::Kind::kBytes:
      return spec.amount <= ring.head() - ring.oldest();
    case HistorySpec::Kind::kLines:
      return RingLines(ring) > spec.amount;  // one more: the first may be a fragment
  }
  return true;
}

size_t OlderBytesToReplay(absl::string_view older, const FanoutRing& ring,
                          const HistorySpec& spec) {
  const uint64_t held = ring.head() - ring.oldest();
  switch (spec.kind) {
    case HistorySpec::Kind::kOff:
      return 0;
    case HistorySpec::Kind::kBytes:
      return spec.amount > held
                 ? static_cast<size_t>(std::min<uint64_t>(spec.amount - held, older.size()))
                 : 0;
    case HistorySpec::Kind::kLines:
      break;
  }
  // The ring's first line continues the last (partial) line of `older`.
  const uint64_t ring_lines = RingLines(ring);
  if (ring_lines > spec.amount) return 0;
  // Walk back over the line ends of `older`: the ring's first line takes
  // older's tail after its last '\n'; each further '\n' adds a line. With
  // an empty ring, a final '\n' of older ends its last line, as above.
  uint64_t want = spec.amount - ring_lines + (held > 0 ? 1 : 0);
  size_t i = older.size();
  if (held == 0 && i > 0 && older[i - 1] == '\n') --i;
  while (i > 0) {
    if (older[i - 1] == '\n' && --want == 0) return older.size() - i;
    --i;
  }
  return older.size();
}

HistoryMarkers MakeHistoryMarkers(const std::string& port, uint64_t bytes) {
  if (bytes == 0) return {};
  return {
      absl::StrCat("\r\n--- ttyhub: port ", port, ": history, the last ", bytes, " bytes ---\r\n"),
      "\r\n--- ttyhub: end of history; live from here ---\r\n"};
}

}  // namespace ttyhub
