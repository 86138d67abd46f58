// CloseReason: why a client connection ended, one value per cause.
//
// Declared once as an X-macro (as Envoy declares its close types), so each
// reason has exactly one counter in PortCounters (port_stats.h) and one log
// text, and no call site invents its own wording or forgets its counter. A
// close may add detail to the text (an errno, a timeout value), never change
// its meaning. Plain values; usable on any thread.
#ifndef TTYHUB_ENGINE_CLOSE_REASON_H_
#define TTYHUB_ENGINE_CLOSE_REASON_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ttyhub {

// X(enumerator, counter in PortCounters, log text)
#define TTYHUB_CLOSE_REASONS(X)                                                               \
  X(kPeerClosed, disconnects_peer_closed, "closed by peer")                                   \
  X(kPeerError, disconnects_peer_error, "connection error")                                   \
  X(kIdleTimeout, disconnects_idle_timeout, "inactivity timeout")                             \
  X(kStalled, disconnects_stalled, "stalled: accepted no data for stall_timeout")             \
  X(kLapped, disconnects_lapped, "lapped by the device stream (slow_viewer: disconnect)")     \
  X(kControlBacklog, disconnects_control_backlog,                                             \
    "telnet answers and notifications piling up unread")                                      \
  X(kKicked, disconnects_kicked, "disconnected by the admin API")                             \
  X(kTakenOver, disconnects_taken_over, "a newcomer took its place (when_full: kick_oldest)") \
  X(kShutdown, disconnects_shutdown, "shutting down")                                         \
  X(kReload, disconnects_reload, "a configuration reload removed or changed its port or listener")

enum class CloseReason : uint8_t {
#define TTYHUB_CLOSE_REASON_ENUM(name, counter, text) name,
  TTYHUB_CLOSE_REASONS(TTYHUB_CLOSE_REASON_ENUM)
#undef TTYHUB_CLOSE_REASON_ENUM
};

// The fixed text for `reason`, for logs ("client #3 ... disconnected: <text>").
absl::string_view CloseReasonText(CloseReason reason);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CLOSE_REASON_H_
