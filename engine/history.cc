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

HistoryMarkers MakeHistoryMarkers(const std::string& port, uint64_t bytes) {
  if (bytes == 0) return {};
  return {
      absl::StrCat("\r\n--- ttyhub: port ", port, ": history, the last ", bytes, " bytes ---\r\n"),
      "\r\n--- ttyhub: end of history; live from here ---\r\n"};
}

}  // namespace ttyhub
