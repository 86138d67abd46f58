// What the soak scenario counts, per sampling interval and in total,
// declared once (X-macro) so that the time series, the figures and the
// report name the same things. Errors are departures from what a correct
// server does; the rest describes the mix that ran. Pure data; the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_COUNTS_H_
#define TTYHUB_TOOLS_BENCH_SOAK_COUNTS_H_

#include <cstdint>

namespace ttyhub::bench {

// X(name, is_error, description)
#define TTYHUB_SOAK_COUNTS(X)                                                                    \
  X(sessions_started, false, "client connections attempted")                                     \
  X(sessions_completed, false, "client sessions that ended, however they ended")                 \
  X(closed_by_client, false, "sessions the client closed (close, reset, or after a half-close)") \
  X(half_closes, false, "sessions that half-closed (shutdown SHUT_WR) before closing")           \
  X(resets, false, "sessions the client reset (RST)")                                            \
  X(kicks, false, "sessions ended by an admin API kick that the server carried out")             \
  X(cut_for_stall, false,                                                                        \
    "sessions the server closed after the client had not read for at least stall_timeout")       \
  X(vanished, false, "sessions whose client stopped reading for good without closing")           \
  X(pauses, false, "times a client stopped reading for a while")                                 \
  X(suspends, false, "RFC 2217 FLOWCONTROL-SUSPEND ... RESUME sent")                             \
  X(baud_changes, false, "RFC 2217 SET-BAUDRATE sent")                                           \
  X(hangups, false, "device hang-ups (the pty closed, then a new one at the same path)")         \
  X(hangup_discarded_bytes, false,                                                               \
    "device bytes the server had not read 10 s after the device stopped, lost at the hang-up")   \
  X(probes, false, "stall probes: a new read-only client on each port in turn")                  \
  X(verified_bytes, false, "device bytes clients received and verified")                         \
  X(ro_gap_bytes, false, "bytes read-only viewers missed when lapped (allowed)")                 \
  X(stalls, true, "probes that got no fresh device data within 1 s")                             \
  X(corrupt_bytes, true, "received bytes that match no place in the device stream")              \
  X(duplicate_jumps, true, "backward jumps: the stream repeated or reordered")                   \
  X(rw_gaps, true, "gaps in a read-write client's lossless stream")                              \
  X(rw_gap_bytes, false, "bytes missing in those gaps")                                          \
  X(refused_full, true, "connections refused as 'port is full' though the slot was free")        \
  X(connect_failures, true, "connects that failed or timed out")                                 \
  X(unexpected_closes, true, "sessions the server closed without cause")                         \
  X(kick_failures, true, "kicks the admin API refused or the server did not carry out in 2 s")   \
  X(no_telnet_answer, true, "telnet sessions with no answer to AYT within 3 s")                  \
  X(send_failures, true, "client commands that could not be sent")                               \
  X(admin_failures, true, "admin API lookups (vanish checks) without an answer")                 \
  X(fds_not_released, true,                                                                      \
    "the server still had more descriptors 5 s after every client closed than before the first") \
  X(vanished_kept, false,                                                                        \
    "vanished clients still connected at the check, rightly: viewers lapped with their skipped " \
    "bytes counted, rw clients with no data waiting (lag_bytes 0)")                              \
  X(vanished_not_cut, true,                                                                      \
    "vanished rw clients still connected at the check with data waiting, or viewers lagging "    \
    "more than the ring with no bytes counted as skipped")

struct SoakCounts {
#define TTYHUB_SOAK_FIELD(name, is_error, description) uint64_t name = 0;
  TTYHUB_SOAK_COUNTS(TTYHUB_SOAK_FIELD)
#undef TTYHUB_SOAK_FIELD

  void Add(const SoakCounts& o) {
#define TTYHUB_SOAK_ADD(name, is_error, description) name += o.name;
    TTYHUB_SOAK_COUNTS(TTYHUB_SOAK_ADD)
#undef TTYHUB_SOAK_ADD
  }
  // Verification errors: corruption, duplication, loss on a lossless stream.
  bool integrity_clean() const {
    return corrupt_bytes == 0 && duplicate_jumps == 0 && rw_gaps == 0;
  }
  // Client-visible failures other than stalls and verification.
  uint64_t client_errors() const {
    return refused_full + connect_failures + unexpected_closes + kick_failures + no_telnet_answer +
           send_failures + admin_failures + vanished_not_cut + fds_not_released;
  }
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_COUNTS_H_
