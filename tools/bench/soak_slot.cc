// See soak_slot.h.
#include "tools/bench/soak_slot.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttyhub::bench {
namespace {

constexpr double kConnectTimeoutS = 3;
constexpr double kTelnetAnswerTimeoutS = 3;
constexpr double kHalfClosedReadS = 2;  // reading after a half-close, then close
constexpr double kKickTimeoutS = 2;     // from the accepted POST to the server's close
constexpr double kKickOverallS = 15;    // the whole kick, admin requests included
constexpr double kAdminAnswerS = 10;    // for the vanish check's lookup
constexpr double kToggleEveryS = 0.25;  // SUSPEND + RESUME during an RFC 2217 long stall
constexpr double kMinSessionS = 2, kMaxSessionS = 20;
constexpr double kRetryAfterErrorS = 0.25;
// The client's count of its time not reading or suspended runs ahead of or
// behind the server's by the time a command or a byte takes to reach the
// other side and be acted on (tens of ms on a loaded 2-CPU machine): a
// server close within this much of stall_timeout is a stall_timeout cut.
constexpr double kHeldToleranceS = 0.2;
// A client the admin API does not list may have just been closed by the
// server; its close must arrive within this, or the kick failed.
constexpr double kUnlistedCloseS = 1;
constexpr uint32_t kBaudRates[] = {9600, 19200, 57600, 115200};

// Fields of the admin API's JSON, read without exceptions: nullopt when
// missing or of another type.
std::optional<uint64_t> UintField(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

std::optional<std::string> StringField(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

SoakSlot::SoakSlot(SoakEnvironment& env, SoakSlotRole role, uint64_t seed)
    : env_(env), role_(std::move(role)), rng_(seed), next_start_at_(Clock::now()) {}

SoakSlot::~SoakSlot() = default;

std::string SoakSlot::Name() const {
  return absl::StrCat(role_.port_name, " ", ClientProtocolName(role_.protocol), "/",
                      role_.read_only ? "ro" : "rw");
}

bool SoakSlot::connected() const {
  return client_ != nullptr && client_->connected() && !client_->closed();
}

Clock::time_point SoakSlot::After(double seconds) const {
  return Clock::now() + SecondsToDuration(seconds);
}

void SoakSlot::Error(uint64_t SoakCounts::*counter, const char* kind, const std::string& what) {
  ++(env_.counts->*counter);
  env_.events.Add(kind, Name(), what);
}

double SoakSlot::SecondsHeld() const {
  double held = client_ ? client_->SecondsNotReading() : 0;
  held += suspended_seconds_;
  if (suspended_since_) held += SecondsBetween(*suspended_since_, Clock::now());
  return held;
}

void SoakSlot::StartSession() {
  ++session_;
  harvested_ = VerifyCounts{};
  suspended_seconds_ = 0;
  suspended_since_.reset();
  resume_reading_at_.reset();
  end_suspend_at_.reset();
  toggle_until_.reset();
  kick_sent_ = false;
  kick_unlisted_ = false;
  client_ = std::make_unique<SoakClient>(env_.loop, role_.tcp_port, role_.protocol,
                                         role_.stream_seed, env_.rcvbuf_bytes);
  ++env_.counts->sessions_started;
  if (absl::Status s = client_->Start(); !s.ok()) {
    Error(&SoakCounts::connect_failures, "connect_failures",
          absl::StrCat("connect: ", s.message()));
    client_.reset();
    next_start_at_ = After(kRetryAfterErrorS);
    return;
  }
  state_ = State::kConnecting;
  state_deadline_ = After(kConnectTimeoutS);
}

void SoakSlot::PlanSession() {
  end_at_ = After(Uniform(kMinSessionS, kMaxSessionS));
  next_action_at_ = After(Uniform(0.3, 3));
  state_deadline_ = After(kTelnetAnswerTimeoutS);  // for the AYT answer
  const double r = Uniform(0, 1);
  end_kind_ = r < 0.30   ? EndKind::kClose
              : r < 0.45 ? EndKind::kReset
              : r < 0.60 ? EndKind::kHalfClose
              : r < 0.70 ? EndKind::kVanish
                         : EndKind::kKick;
}

bool SoakSlot::SendCommand(const std::string& bytes, const char* what) {
  const int err = client_->Send(bytes);
  if (err == 0) return true;
  // A server that has closed is noticed, and classified, by the next Tick.
  if (err != EPIPE && err != ECONNRESET) {
    Error(&SoakCounts::send_failures, "send_failures",
          absl::StrCat("could not send ", what, ": ", strerror(err)));
  }
  return false;
}

void SoakSlot::StartSuspend() {
  if (SendCommand(Rfc2217FlowControlSuspend(), "FLOWCONTROL-SUSPEND")) {
    suspended_since_ = Clock::now();
    ++env_.counts->suspends;
  }
}

void SoakSlot::EndSuspend() {
  end_suspend_at_.reset();
  if (!suspended_since_) return;
  SendCommand(Rfc2217FlowControlResume(), "FLOWCONTROL-RESUME");
  suspended_seconds_ += SecondsBetween(*suspended_since_, Clock::now());
  suspended_since_.reset();
}

void SoakSlot::Act() {
  next_action_at_ = After(Uniform(0.5, 4));
  // One thing at a time, and nothing before the stream is verified.
  if (!client_->synced() || resume_reading_at_ || suspended_since_) return;
  const bool rfc2217 = role_.protocol == ClientProtocol::kRfc2217;
  const double r = Uniform(0, 1);
  if (rfc2217 && r < 0.3) {
    const uint32_t baud = kBaudRates[std::uniform_int_distribution<size_t>(0, 3)(rng_)];
    if (SendCommand(Rfc2217SetBaudRate(baud), "SET-BAUDRATE")) ++env_.counts->baud_changes;
    return;
  }
  if (rfc2217 && r < 0.55) {
    StartSuspend();
    end_suspend_at_ = After(Uniform(0.2, 2));
    return;
  }
  ++env_.counts->pauses;
  client_->PauseReading();
  if (!role_.read_only && r > 0.95) {
    // Long enough to fill the ring and the socket buffers, so that the
    // port waits for this client until stall_timeout cuts it. On RFC 2217,
    // SUSPEND and RESUME over and over meanwhile: however the client
    // toggles, the port must be held for at most stall_timeout in all.
    const double seconds = Uniform(env_.fill_s + 5, env_.fill_s + 20);
    resume_reading_at_ = After(seconds);
    end_at_ = std::max(end_at_, After(seconds + 1));  // the session outlasts the stall
    env_.events.Add("long_stall", Name(),
                    absl::StrFormat("stops reading for %.0f s%s", seconds,
                                    rfc2217 ? ", sending SUSPEND and RESUME every 0.25 s" : ""));
    if (rfc2217) {
      toggle_until_ = resume_reading_at_;
      next_toggle_at_ = After(kToggleEveryS);
    }
    return;
  }
  resume_reading_at_ = After(Uniform(0.2, 2));
}

void SoakSlot::BeginEnd() {
  const double next = Uniform(0, 1) < 0.6 ? 0 : Uniform(0, 1);
  // A close or a reset happens as the client is, maybe not reading or
  // suspended; the other ends start from a reading, unsuspended client.
  if (end_kind_ != EndKind::kClose && end_kind_ != EndKind::kReset) {
    EndSuspend();
    toggle_until_.reset();
    if (resume_reading_at_) {
      client_->ResumeReading();
      resume_reading_at_.reset();
    }
  }
  switch (end_kind_) {
    case EndKind::kClose:
      ++env_.counts->closed_by_client;
      EndSession(/*reset=*/false, next);
      return;
    case EndKind::kReset:
      ++env_.counts->closed_by_client;
      ++env_.counts->resets;
      EndSession(/*reset=*/true, next);
      return;
    case EndKind::kHalfClose:
      ++env_.counts->half_closes;
      client_->HalfClose();
      state_ = State::kHalfClosed;
      state_deadline_ = After(kHalfClosedReadS);
      return;
    case EndKind::kVanish:
      ++env_.counts->vanished;
      client_->PauseReading();
      state_ = State::kVanished;
      state_deadline_ = After(env_.fill_s);
      return;
    case EndKind::kKick: {
      state_ = State::kKicking;
      kick_sent_ = false;
      kick_unlisted_ = false;
      state_deadline_ = After(kKickOverallS);
      const uint64_t session = session_;
      env_.admin.Request("GET", absl::StrCat("/api/v1/ports/", role_.port_name), "",
                         [this, session](const AdminResponse& r) { KickLookedUp(session, r); });
      return;
    }
  }
}

void SoakSlot::KickLookedUp(uint64_t session, const AdminResponse& r) {
  if (session != session_ || state_ != State::kKicking) return;
  if (r.status != 200) {
    Error(&SoakCounts::kick_failures, "kick_failures",
          absl::StrCat("kick: GET /api/v1/ports/", role_.port_name, " answered ", r.status, " ",
                       r.error, r.body.substr(0, 120)));
    EndSession(/*reset=*/true, kRetryAfterErrorS);
    return;
  }
  const std::optional<nlohmann::json> self = FindSelf(r);
  const std::optional<uint64_t> id = self ? UintField(*self, "id") : std::nullopt;
  if (!id) {
    // Closed by the server meanwhile? Tick classifies that close if it
    // arrives in time, and fails the kick if it does not.
    kick_unlisted_ = true;
    state_deadline_ = After(kUnlistedCloseS);
    return;
  }
  env_.admin.Request(
      "POST", absl::StrCat("/api/v1/ports/", role_.port_name, "/clients/", *id, "/disconnect"),
      "{}", [this, session](const AdminResponse& answer) { KickSent(session, answer); });
}

std::optional<nlohmann::json> SoakSlot::FindSelf(const AdminResponse& r) const {
  const nlohmann::json port = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  const std::string peer = absl::StrCat("127.0.0.1:", client_->local_port());
  if (!port.is_object()) return std::nullopt;
  const auto clients = port.find("clients");
  if (clients == port.end() || !clients->is_array()) return std::nullopt;
  for (const nlohmann::json& c : *clients) {
    if (c.is_object() && StringField(c, "peer") == peer) return c;
  }
  return std::nullopt;
}

void SoakSlot::VanishChecked(uint64_t session, const AdminResponse& r) {
  if (session != session_ || state_ != State::kVanishCheck) return;
  if (r.status != 200) {
    Error(&SoakCounts::admin_failures, "admin_failures",
          absl::StrCat("vanish check: GET /api/v1/ports/", role_.port_name, " answered ", r.status,
                       " ", r.error, r.body.substr(0, 120)));
    EndSession(/*reset=*/true, 0);
    return;
  }
  const std::optional<nlohmann::json> self = FindSelf(r);
  if (self) {
    const uint64_t lag = UintField(*self, "lag_bytes").value_or(0);
    const uint64_t skipped = UintField(*self, "bytes_skipped").value_or(0);
    const std::string figures = absl::StrFormat(
        "still connected %.0f s after it stopped reading: lag_bytes %d, bytes_skipped %d, ring %d",
        env_.fill_s, lag, skipped, env_.ring_bytes);
    if (!role_.read_only && lag > 0) {
      Error(&SoakCounts::vanished_not_cut, "vanished_not_cut",
            absl::StrCat("vanished rw client ", figures,
                         ": data waited for it all along; stall_timeout should have cut it"));
    } else if (role_.read_only && lag > env_.ring_bytes && skipped == 0) {
      Error(&SoakCounts::vanished_not_cut, "vanished_not_cut",
            absl::StrCat("vanished viewer ", figures,
                         ": lag beyond the ring with nothing counted as skipped"));
    } else {
      ++env_.counts->vanished_kept;
    }
  }
  // Not listed: the server cut it meanwhile, as it may.
  ++env_.counts->closed_by_client;
  EndSession(/*reset=*/true, 0);
}

void SoakSlot::KickSent(uint64_t session, const AdminResponse& r) {
  if (session != session_ || state_ != State::kKicking) return;
  if (r.status < 200 || r.status >= 300) {
    Error(&SoakCounts::kick_failures, "kick_failures",
          absl::StrCat("kick: POST disconnect answered ", r.status, " ", r.error,
                       r.body.substr(0, 120)));
    EndSession(/*reset=*/true, kRetryAfterErrorS);
    return;
  }
  kick_sent_ = true;
  state_deadline_ = After(kKickTimeoutS);
}

void SoakSlot::OnServerClosed() {
  const double held = SecondsHeld();
  const double next = Uniform(0, 1) < 0.6 ? 0 : Uniform(0, 1);
  if (state_ == State::kKicking && kick_sent_) {
    ++env_.counts->kicks;
  } else if (state_ == State::kHalfClosed) {
    ++env_.counts->closed_by_client;  // the server may close after the client's FIN
  } else if (held >= env_.stall_timeout_s - kHeldToleranceS) {
    ++env_.counts->cut_for_stall;
  } else {
    const int err = client_->close_error();
    Error(
        &SoakCounts::unexpected_closes, "unexpected_closes",
        absl::StrFormat(
            "closed by the server (%s) after %.1f s connected, %.2f s not reading "
            "or suspended, %d B verified",
            err == 0 ? "EOF" : strerror(err),
            client_->connected_at() ? SecondsBetween(*client_->connected_at(), Clock::now()) : 0.0,
            held, client_->verifier() ? client_->verifier()->counts().verified_bytes : 0));
  }
  EndSession(/*reset=*/false, next);
}

void SoakSlot::EndSession(bool reset, double next_in_s) {
  Harvest();
  if (client_->connected() && !client_->refused()) ++env_.counts->sessions_completed;
  client_->Close(reset);
  client_.reset();
  suspended_since_.reset();
  state_ = State::kIdle;
  next_start_at_ = After(next_in_s);
}

void SoakSlot::Harvest() {
  if (client_ == nullptr || client_->verifier() == nullptr) return;
  const VerifyCounts& now = client_->verifier()->counts();
  SoakCounts& c = *env_.counts;
  c.verified_bytes += now.verified_bytes - harvested_.verified_bytes;
  const uint64_t corrupt = now.corrupt_bytes - harvested_.corrupt_bytes;
  const uint64_t backward = now.backward_jumps - harvested_.backward_jumps;
  const uint64_t gaps = now.gaps - harvested_.gaps;
  const uint64_t gap_bytes = now.gap_bytes - harvested_.gap_bytes;
  c.corrupt_bytes += corrupt;
  c.duplicate_jumps += backward;
  if (role_.read_only) {
    c.ro_gap_bytes += gap_bytes;
  } else {
    c.rw_gaps += gaps;
    c.rw_gap_bytes += gap_bytes;
  }
  if (corrupt > 0 || backward > 0 || (!role_.read_only && gaps > 0)) {
    env_.events.Add(
        "stream_departures", Name(),
        absl::StrCat("stream departures: ", corrupt, " corrupt bytes, ", backward,
                     " backward jumps",
                     role_.read_only ? "" : absl::StrCat(", ", gaps, " gaps (", gap_bytes, " B)")));
  }
  harvested_ = now;
}

void SoakSlot::Shutdown() {
  if (client_ != nullptr) {
    Harvest();
    client_->Close(/*reset=*/false);
    client_.reset();
  }
  state_ = State::kStopped;
}

void SoakSlot::Tick() {
  const Clock::time_point now = Clock::now();
  switch (state_) {
    case State::kStopped:
      return;
    case State::kIdle:
      if (now >= next_start_at_) StartSession();
      return;
    case State::kConnecting:
      if (client_->connect_failed()) {
        Error(&SoakCounts::connect_failures, "connect_failures",
              absl::StrCat("connect: ", strerror(client_->connect_error())));
        EndSession(/*reset=*/false, kRetryAfterErrorS);
      } else if (client_->connected()) {
        PlanSession();
        state_ = State::kLive;
      } else if (now >= state_deadline_) {
        Error(&SoakCounts::connect_failures, "connect_failures",
              absl::StrCat("connect not complete after ", kConnectTimeoutS, " s"));
        EndSession(/*reset=*/true, kRetryAfterErrorS);
      }
      return;
    default:
      break;
  }
  if (client_->refused()) {
    Error(&SoakCounts::refused_full, "refused_full",
          "refused as full, though no other client of this slot's listener was connected");
    EndSession(/*reset=*/false, kRetryAfterErrorS);
    return;
  }
  if (client_->ServerClosed()) {
    OnServerClosed();
    return;
  }
  if (!client_->synced() && state_ == State::kLive && now >= state_deadline_) {
    Error(&SoakCounts::no_telnet_answer, "no_telnet_answer",
          absl::StrCat("no answer to AYT within ", kTelnetAnswerTimeoutS, " s"));
    EndSession(/*reset=*/true, kRetryAfterErrorS);
    return;
  }
  switch (state_) {
    case State::kLive:
      if (resume_reading_at_ && now >= *resume_reading_at_) {
        client_->ResumeReading();
        resume_reading_at_.reset();
      }
      if (end_suspend_at_ && now >= *end_suspend_at_) EndSuspend();
      if (toggle_until_ && now >= *toggle_until_) toggle_until_.reset();
      if (toggle_until_ && now >= next_toggle_at_) {
        next_toggle_at_ = After(kToggleEveryS);
        if (SendCommand(Rfc2217FlowControlSuspend() + Rfc2217FlowControlResume(),
                        "FLOWCONTROL-SUSPEND, -RESUME")) {
          ++env_.counts->suspends;
        }
      }
      if (now >= end_at_ && client_->synced()) {
        BeginEnd();
      } else if (now >= next_action_at_) {
        Act();
      }
      return;
    case State::kHalfClosed:
      if (now >= state_deadline_) {
        ++env_.counts->closed_by_client;
        EndSession(/*reset=*/false, 0);
      }
      return;
    case State::kVanished:
      if (now >= state_deadline_) {
        state_ = State::kVanishCheck;
        state_deadline_ = After(kAdminAnswerS);
        const uint64_t session = session_;
        env_.admin.Request("GET", absl::StrCat("/api/v1/ports/", role_.port_name), "",
                           [this, session](const AdminResponse& r) { VanishChecked(session, r); });
      }
      return;
    case State::kVanishCheck:
      if (now >= state_deadline_) {
        Error(&SoakCounts::admin_failures, "admin_failures",
              "vanish check: no answer from the admin API");
        EndSession(/*reset=*/true, 0);
      }
      return;
    case State::kKicking:
      if (now >= state_deadline_) {
        Error(&SoakCounts::kick_failures, "kick_failures",
              kick_sent_       ? absl::StrCat("still connected ", kKickTimeoutS,
                                              " s after the admin API accepted the kick")
              : kick_unlisted_ ? absl::StrCat("127.0.0.1:", client_->local_port(),
                                              " is not in the admin API's client list, yet "
                                              "still connected ",
                                              kUnlistedCloseS, " s later")
                               : "no answer from the admin API");
        EndSession(/*reset=*/true, kRetryAfterErrorS);
      }
      return;
    default:
      return;
  }
}

}  // namespace ttyhub::bench
