// History replay: where in the port's ring a new client's stream starts.
//
// A listener's `history:` (issue 10) gives a new client the last part of
// the port's output before live data: the last N bytes, or the last N
// lines. The client's cursor simply starts that far back in the same ring,
// so the seam between history and live data has no gap and no duplicate
// byte by construction. When the ring holds less than asked for and the
// port has a console log, the older part is read back from the log
// (ConsoleLogger::DeviceBytesBefore): the client then starts at the ring's
// oldest byte, after those older bytes. Pure functions over a FanoutRing;
// the port's worker thread calls them.
#ifndef TTYHUB_ENGINE_HISTORY_H_
#define TTYHUB_ENGINE_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "config/config.h"
#include "engine/fanout_ring.h"

namespace ttyhub {

// The ring position a new client starts at: head() for no history; never
// below oldest(). For lines, the start is the beginning of the Nth line
// from the end, counting a last line without its newline as a line. When
// the ring holds fewer lines and has already dropped older output, the
// start skips the partial line at oldest() (if a newline follows it).
uint64_t HistoryStart(const FanoutRing& ring, const HistorySpec& spec);

// Whether the ring alone holds what `spec` asks for (off: yes).
bool RingHoldsHistory(const FanoutRing& ring, const HistorySpec& spec);

// How many of the last bytes of `older` (the device's output just before
// ring.oldest(), read back from the console log) to replay ahead of the
// ring's bytes from oldest(), so that together they are what `spec` asks
// for. 0 when the ring alone holds enough.
size_t OlderBytesToReplay(absl::string_view older, const FanoutRing& ring, const HistorySpec& spec);

// The one-line markers a telnet client gets around its history ("" when
// there is no history): `before` ends the banner, `after` is sent at the
// seam. Raw clients get none, so scripts see the device's bytes only.
struct HistoryMarkers {
  std::string before;
  std::string after;
};
HistoryMarkers MakeHistoryMarkers(const std::string& port, uint64_t bytes);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_HISTORY_H_
