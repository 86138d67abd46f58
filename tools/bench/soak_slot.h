// One client slot of the soak mix: a (port, protocol, access) place that
// runs client sessions back to back for the whole soak. Each session
// connects (at once after the last one ended, as operators' scripts do),
// reads and verifies the device stream, and meanwhile, at random times,
// stops reading for a while, and on RFC 2217 listeners changes the baud
// rate or suspends and resumes output; read-write clients sometimes stop
// reading long enough to fill every buffer, so that stall_timeout must cut
// them, on RFC 2217 while toggling SUSPEND and RESUME (which must not
// restart the stall clock). A session ends in one of five ways: close,
// reset (RST), half-close then close, vanish (never reads again, never
// closes), or an admin API kick. A vanished client is looked up in the
// admin API once every buffer must be full: an rw client must have been
// cut by then (stall_timeout), a viewer cut, or lapped with its lag within
// the ring or its skipped bytes counted. What
// happens is classified into SoakCounts: a close the client did not cause
// is expected only after it had stopped reading (or been suspended) for at
// least stall_timeout. The draws come from the slot's own seeded generator,
// so a run's mix is reproducible; timing is not. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_SLOT_H_
#define TTYHUB_TOOLS_BENCH_SOAK_SLOT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "nlohmann/json.hpp"
#include "tools/bench/admin_http_client.h"
#include "tools/bench/soak_client.h"
#include "tools/bench/soak_counts.h"
#include "tools/bench/soak_event_log.h"

namespace ttyhub::bench {

// What every slot shares; outlives the slots.
struct SoakEnvironment {
  EventLoop& loop;
  AdminHttpClient& admin;
  SoakEventLog& events;
  SoakCounts* counts = nullptr;  // the current interval's; the owner swaps it
  double stall_timeout_s = 0.5;  // the server's stall_timeout
  int rcvbuf_bytes = 32 * 1024;  // each client's receive buffer
  uint64_t ring_bytes = 0;       // each port's ring
  // How long a client stops reading to be sure that the ring and every
  // socket buffer on the way are full, so that the server must act
  // (stall_timeout, lapping), in seconds. Vanished clients are checked
  // then; long rw stalls last longer.
  double fill_s = 40;
};

struct SoakSlotRole {
  size_t port = 0;
  std::string port_name;  // as the server and its admin API name it
  ClientProtocol protocol = ClientProtocol::kRaw;
  bool read_only = false;
  uint16_t tcp_port = 0;
  uint64_t stream_seed = 0;  // the port's device stream
};

class SoakSlot {
 public:
  SoakSlot(SoakEnvironment& env, SoakSlotRole role, uint64_t seed);
  ~SoakSlot();
  SoakSlot(const SoakSlot&) = delete;
  SoakSlot& operator=(const SoakSlot&) = delete;

  // Advances the slot: starts sessions, acts, classifies ends. Call often
  // (every few tens of ms) from the loop's tick.
  void Tick();
  // Adds what its client verified since the last harvest to env.counts.
  void Harvest();
  // Ends the session in progress (closing it) without counting it as an
  // error, and starts no more.
  void Shutdown();
  // A client connection is open.
  bool connected() const;
  // "p3 rfc2217/rw".
  std::string Name() const;

 private:
  enum class State {
    kIdle,
    kConnecting,
    kLive,
    kHalfClosed,
    kVanished,
    kVanishCheck,
    kKicking,
    kStopped
  };
  enum class EndKind { kClose, kReset, kHalfClose, kVanish, kKick };

  double Uniform(double lo, double hi) { return std::uniform_real_distribution<>(lo, hi)(rng_); }
  Clock::time_point After(double seconds) const;
  void StartSession();
  void PlanSession();
  void Act();
  void BeginEnd();
  // Classifies a close by the server while the session ran.
  void OnServerClosed();
  // Harvests, closes the client and schedules the next session.
  void EndSession(bool reset, double next_in_s);
  // Counts an error and logs it under `kind` (the counter's name).
  void Error(uint64_t SoakCounts::*counter, const char* kind, const std::string& what);
  bool SendCommand(const std::string& bytes, const char* what);
  void StartSuspend();
  void EndSuspend();
  double SecondsHeld() const;
  // The kick, in two admin requests; `session` guards against late answers.
  void KickLookedUp(uint64_t session, const AdminResponse& r);
  void KickSent(uint64_t session, const AdminResponse& r);
  // This client's entry in the admin API's answer for its port, if listed.
  std::optional<nlohmann::json> FindSelf(const AdminResponse& r) const;
  void VanishChecked(uint64_t session, const AdminResponse& r);

  SoakEnvironment& env_;
  SoakSlotRole role_;
  std::mt19937_64 rng_;
  State state_ = State::kIdle;
  std::unique_ptr<SoakClient> client_;
  uint64_t session_ = 0;  // sessions started, for stale admin answers
  Clock::time_point next_start_at_;
  Clock::time_point state_deadline_;  // connect, sync, half-close, vanish, kick
  Clock::time_point end_at_;          // the session's planned end
  Clock::time_point next_action_at_;
  EndKind end_kind_ = EndKind::kClose;
  std::optional<Clock::time_point> resume_reading_at_;
  std::optional<Clock::time_point> end_suspend_at_;
  std::optional<Clock::time_point> suspended_since_;
  // RFC 2217 rw long stall: SUSPEND + RESUME every so often until then.
  std::optional<Clock::time_point> toggle_until_;
  Clock::time_point next_toggle_at_;
  double suspended_seconds_ = 0;  // completed suspends in this session
  bool kick_sent_ = false;        // the POST was accepted
  bool kick_unlisted_ = false;    // the admin API did not list the client
  VerifyCounts harvested_;        // of the current client
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_SLOT_H_
