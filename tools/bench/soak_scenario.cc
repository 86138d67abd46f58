// Scenario `soak`: ttyhub under the chaos mix for --soak-seconds, sampled
// over time.
//
// The mix: --soak-ports ports on ptys, each streaming the verifiable
// pattern at --soak-rate bytes/s (SoakDevice). Each port has six listeners
// (raw, telnet and RFC 2217, each rw with max_clients 1 and ro with 4) and
// stall_timeout 500 ms, and one client slot on each listener (SoakSlot)
// runs sessions back to back: connect, read and verify, stop reading and
// resume, change the baud rate and suspend/resume output over RFC 2217,
// and end by close, reset, half-close, vanishing, or a kick through the
// admin API. Every 15 to 45 s a device hangs up and comes back as a new
// pty at the same path. One stall probe at a time, every 0.5 s, ports in
// turn: a new raw read-only client that must receive device data written
// after it connected within 1 s, or the port counts a stall.
//
// Sampled: the server's VmRSS and open descriptors every second; a row of
// the time series (SoakTimeline) every --soak-sample-seconds with both
// (now and the interval's highest), the clients connected and the interval's
// counts (SoakCounts). Any stall, verification error (corruption,
// duplication, loss on a lossless rw stream) or client error is a finding
// (RunResult::finding: the figures stand, the exit status is 3); every such
// event is listed with its time and place. The run fails only if the soak
// could not run (set-up, or the server died).
//
// ttyhub only: ser2net has no admin API to kick clients through and no
// read-only listeners, so the mix cannot run on it. The tool's single
// thread.
#include "tools/bench/soak_scenario.h"

#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/admin_http_client.h"
#include "tools/bench/pattern.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/proc_stats.h"
#include "tools/bench/soak_device.h"
#include "tools/bench/soak_slot.h"
#include "tools/bench/soak_timeline.h"

namespace ttyhub::bench {
namespace {

constexpr int kStallTimeoutMs = 500;
constexpr int kRwMaxClients = 1;
constexpr int kRoMaxClients = 4;           // the slot's viewer, and the raw ro probes
constexpr double kProbeWindowS = 1;        // fresh data within this, or a stall
constexpr double kProbeEveryS = 0.5;       // one probe at a time, ports in turn
constexpr double kSettleAfterReplugS = 6;  // the server's reopen backoff tops out at 5 s
constexpr double kResourceSampleS = 1;     // VmRSS and fds
constexpr int kTickMs = 20;                // the mix's clock
constexpr int kReceiveBufferBytes = 32 * 1024;
constexpr double kAdminTimeoutS = 3;
constexpr double kFirstHangupMinS = 3, kFirstHangupMaxS = 8;
constexpr double kHangupEveryMinS = 15, kHangupEveryMaxS = 45;
constexpr double kAbsentMinS = 0.2, kAbsentMaxS = 1.5;
constexpr size_t kMaxEventsPerKind = 25;
constexpr size_t kMaxTableLines = 200;
constexpr double kBaselineWaitS = 5;  // for the server's fds to come back after the clients close

// The listeners every port gets beside the fixture's raw rw and raw ro.
std::vector<PlannedListener> MoreListeners() {
  return {{0, "telnet", false, kRwMaxClients},
          {0, "rfc2217", false, kRwMaxClients},
          {0, "telnet", true, kRoMaxClients},
          {0, "rfc2217", true, kRoMaxClients}};
}

ClientProtocol ProtocolNamed(const std::string& name) {
  if (name == "telnet") return ClientProtocol::kTelnet;
  if (name == "rfc2217") return ClientProtocol::kRfc2217;
  return ClientProtocol::kRaw;
}

double MiB(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// Seconds of a stream at `rate` bytes/s that fill a client's path when it
// stops reading: the port's ring, the server's socket send buffer at its
// largest (the kernel autotunes it up to tcp_wmem's maximum) and the
// client's receive buffer; then 10 stall_timeouts for the server to act.
double FillSeconds(uint64_t ring_bytes, double rate) {
  uint64_t wmem_max = 4 << 20;  // Linux's default
  std::ifstream in("/proc/sys/net/ipv4/tcp_wmem");
  uint64_t min = 0, initial = 0, max = 0;
  if (in >> min >> initial >> max) wmem_max = max;
  return static_cast<double>(ring_bytes + wmem_max + kReceiveBufferBytes) / rate +
         10 * kStallTimeoutMs / 1000.0;
}

// A stall probe in flight.
struct Probe {
  std::unique_ptr<SoakClient> client;
  size_t port = 0;
  Clock::time_point started;
  uint64_t device_offset = 0;  // the device stream's offset when it connected
};

class SoakMix {
 public:
  SoakMix(ScenarioContext& ctx, PortFixture& f)
      : ctx_(ctx),
        f_(f),
        o_(ctx.options),
        events_(Clock::now(), kMaxEventsPerKind),
        admin_(f.loop(), f.admin_tcp_port(), kAdminTimeoutS),
        env_{f.loop(),
             admin_,
             events_,
             &interval_,
             kStallTimeoutMs / 1000.0,
             kReceiveBufferBytes,
             f.plan().ttyhub_buffer_bytes,
             FillSeconds(f.plan().ttyhub_buffer_bytes, ctx.options.soak_rate)},
        rng_(static_cast<uint64_t>(o_.soak_seed)) {}

  void Run(RunResult* result) {
    const pid_t pid = f_.server().pid();
    if (const std::optional<ProcessMemory> m = ReadProcessMemory(pid)) {
      result->Add("rss_start_MiB", MiB(m->rss_bytes), "MiB");
    }
    if (const std::optional<int> fds = ProcessOpenFdCount(pid)) {
      fds_start_ = *fds;
      result->Add("fds_start", *fds, "");
    }
    for (size_t i = 0; i < f_.port_count(); ++i) {
      devices_.push_back(std::make_unique<SoakDevice>(
          f_, i, PatternSeed(static_cast<uint32_t>(100 + i)), o_.soak_rate, events_));
      if (absl::Status s = devices_.back()->Start(); !s.ok()) {
        return result->Fail(absl::StrCat("port ", i, ": ", s.message()));
      }
      AddSlots(i);
    }

    start_ = Clock::now();
    const Clock::time_point end = start_ + SecondsToDuration(o_.soak_s);
    next_row_ = start_ + SecondsToDuration(o_.soak_sample_s);
    next_resources_ = start_;
    next_probe_ = start_ + SecondsToDuration(1);
    next_hangup_ = start_ + SecondsToDuration(Uniform(kFirstHangupMinS, kFirstHangupMaxS));
    ctx_.progress.Log(absl::StrFormat(
        "soak: %d ports x %d client slots, %.0f s, a row every %.0f s", f_.port_count(),
        slots_.size() / f_.port_count(), o_.soak_s, o_.soak_sample_s));

    const LoopExit exit =
        f_.loop().RunUntil([&] { return Clock::now() >= end; },
                           Deadline::At(end + SecondsToDuration(5)), [&] { Tick(); }, kTickMs);
    const double ran_s = SecondsBetween(start_, Clock::now());
    SampleResources();
    if (SecondsBetween(last_row_at_, Clock::now()) > 0.5 || timeline_.rows().empty()) EmitRow();
    for (const std::unique_ptr<SoakSlot>& slot : slots_) slot->Shutdown();
    if (probe_.client) probe_.client.reset();
    total_.Add(interval_);  // what the last sessions verified after the last row
    if (exit == LoopExit::kDone) MeasureReturnToBaseline();
    if (exit == LoopExit::kInterrupted) {
      result->notes.push_back(
          absl::StrFormat("interrupted after %.0f s of %.0f", ran_s, o_.soak_s));
    }
    if (exit != LoopExit::kDone && exit != LoopExit::kInterrupted) {
      FailOnLoopExit(exit, absl::StrFormat("the soak, after %.0f s", ran_s), &f_, result);
    }
    Report(ran_s, result);
  }

 private:
  double Uniform(double lo, double hi) { return std::uniform_real_distribution<>(lo, hi)(rng_); }

  // Once every client is closed, the server's descriptors must come back to
  // what it had before the first client (within kBaselineWaitS) and its
  // memory should not keep what the clients used.
  void MeasureReturnToBaseline() {
    const pid_t pid = f_.server().pid();
    const Clock::time_point closed = Clock::now();
    int fds = -1;
    f_.loop().RunUntil(
        [&] {
          fds = ProcessOpenFdCount(pid).value_or(-1);
          return fds >= 0 && fds <= fds_start_;
        },
        Deadline::AfterSeconds(kBaselineWaitS), nullptr, 50);
    after_close_.fds = fds;
    after_close_.seconds = SecondsBetween(closed, Clock::now());
    if (const std::optional<ProcessMemory> m = ReadProcessMemory(pid)) {
      after_close_.rss_bytes = m->rss_bytes;
    }
    if (fds > fds_start_) {
      ++total_.fds_not_released;
      events_.Add("fds_not_released", "server",
                  absl::StrFormat("%d descriptors open %.0f s after every client closed, %d "
                                  "before the first connected",
                                  fds, kBaselineWaitS, fds_start_));
    }
  }

  void AddSlots(size_t port) {
    const PlannedPort& planned = f_.plan().ports[port];
    std::vector<SoakSlotRole> roles = {
        {port, planned.name, ClientProtocol::kRaw, false, f_.rw_tcp_port(port), 0},
        {port, planned.name, ClientProtocol::kRaw, true, f_.viewer_tcp_port(port), 0}};
    for (const PlannedListener& l : planned.more_listeners) {
      roles.push_back({port, planned.name, ProtocolNamed(l.protocol), l.read_only, l.tcp_port, 0});
    }
    for (SoakSlotRole& role : roles) {
      role.stream_seed = devices_[port]->seed();
      const uint64_t seed = static_cast<uint64_t>(o_.soak_seed) * 1000003 + slots_.size();
      slots_.push_back(std::make_unique<SoakSlot>(env_, std::move(role), seed));
    }
  }

  void Tick() {
    const Clock::time_point now = Clock::now();
    for (const std::unique_ptr<SoakDevice>& d : devices_) d->Tick(&interval_);
    for (const std::unique_ptr<SoakSlot>& slot : slots_) slot->Tick();
    admin_.Poll();
    TickProbe(now);
    if (now >= next_hangup_) {
      next_hangup_ = now + SecondsToDuration(Uniform(kHangupEveryMinS, kHangupEveryMaxS));
      const size_t port = std::uniform_int_distribution<size_t>(0, devices_.size() - 1)(rng_);
      if (devices_[port]->streaming()) {
        const double absent = Uniform(kAbsentMinS, kAbsentMaxS);
        devices_[port]->BeginHangUp(absent);
        events_.Add("hangups", absl::StrCat("p", port, " device"),
                    absl::StrFormat("hangs up (stream stopped; away %.1f s once hung up)", absent));
      }
    }
    if (now >= next_resources_) {
      next_resources_ = now + SecondsToDuration(kResourceSampleS);
      SampleResources();
    }
    if (now >= next_row_) {
      next_row_ += SecondsToDuration(o_.soak_sample_s);
      EmitRow();
    }
  }

  void EndProbe() {
    probe_.client.reset();
    next_probe_ = Clock::now() + SecondsToDuration(kProbeEveryS);
  }

  void TickProbe(Clock::time_point now) {
    if (probe_.client) {
      SoakClient& c = *probe_.client;
      const std::string where = absl::StrCat("p", probe_.port, " stall probe");
      if (!devices_[probe_.port]->streaming()) {
        EndProbe();  // the device hung up meanwhile: no verdict
      } else if (c.connect_failed()) {
        ++interval_.connect_failures;
        events_.Add("connect_failures", where,
                    absl::StrCat("connect failed: ", strerror(c.connect_error())));
        EndProbe();
      } else if (c.refused()) {
        ++interval_.refused_full;
        events_.Add("refused_full", where, "refused as full (4 viewers allowed, at most 2 used)");
        EndProbe();
      } else if (c.verifier() != nullptr && c.verifier()->joined() &&
                 c.position() > probe_.device_offset) {
        ++interval_.probes;
        EndProbe();
      } else if (SecondsBetween(probe_.started, now) >= kProbeWindowS) {
        ++interval_.probes;
        ++interval_.stalls;
        events_.Add(
            "stalls", where,
            absl::StrFormat("STALL: no fresh device data within %.0f s (%s, %d B received; "
                            "the device wrote %d B meanwhile)",
                            kProbeWindowS, c.connected() ? "connected" : "not even connected",
                            c.verifier() ? c.verifier()->counts().received_bytes : 0,
                            devices_[probe_.port]->written() - probe_.device_offset));
        EndProbe();
      } else if (c.ServerClosed()) {
        ++interval_.unexpected_closes;
        events_.Add("unexpected_closes", where, "closed by the server before any fresh data");
        EndProbe();
      }
      return;
    }
    if (now < next_probe_) return;
    for (size_t tried = 0; tried < devices_.size(); ++tried) {
      const size_t port = next_probe_port_;
      next_probe_port_ = (next_probe_port_ + 1) % devices_.size();
      if (!devices_[port]->SettledFor(kSettleAfterReplugS)) continue;
      probe_.client =
          std::make_unique<SoakClient>(f_.loop(), f_.viewer_tcp_port(port), ClientProtocol::kRaw,
                                       devices_[port]->seed(), kReceiveBufferBytes);
      probe_.port = port;
      probe_.started = now;
      probe_.device_offset = devices_[port]->written();
      if (absl::Status s = probe_.client->Start(); !s.ok()) {
        ++interval_.connect_failures;
        events_.Add("connect_failures", absl::StrCat("p", port, " stall probe"),
                    absl::StrCat("connect: ", s.message()));
        EndProbe();
      }
      return;
    }
  }

  void SampleResources() {
    const pid_t pid = f_.server().pid();
    if (const std::optional<ProcessMemory> m = ReadProcessMemory(pid)) {
      rss_now_ = m->rss_bytes;
      rss_row_max_ = std::max(rss_row_max_, rss_now_);
    }
    if (const std::optional<int> fds = ProcessOpenFdCount(pid)) {
      fds_now_ = *fds;
      fds_row_max_ = std::max(fds_row_max_, fds_now_);
    }
  }

  void EmitRow() {
    for (const std::unique_ptr<SoakSlot>& slot : slots_) slot->Harvest();
    SoakRow row;
    row.t_s = SecondsBetween(start_, Clock::now());
    row.rss_bytes = rss_now_;
    row.rss_max_bytes = std::max(rss_row_max_, rss_now_);
    row.fds = fds_now_;
    row.fds_max = std::max(fds_row_max_, fds_now_);
    for (const std::unique_ptr<SoakSlot>& slot : slots_) row.clients += slot->connected();
    row.load_1m = LoadAverage1m();
    row.counts = interval_;
    interval_ = SoakCounts{};
    rss_row_max_ = 0;
    fds_row_max_ = 0;
    last_row_at_ = Clock::now();
    timeline_.Add(row);
    total_.Add(row.counts);
    ctx_.progress.Log(absl::StrFormat(
        "soak t=%.0fs: rss %.1f MiB, %d fds, %d clients; so far %d sessions, %d probes, %d "
        "stalls, %d integrity errors, %d client errors",
        row.t_s, MiB(row.rss_bytes), row.fds, row.clients, total_.sessions_completed, total_.probes,
        total_.stalls, total_.corrupt_bytes + total_.duplicate_jumps + total_.rw_gaps,
        total_.client_errors()));
  }

  void Report(double ran_s, RunResult* result) {
    const SoakCounts& t = total_;
    uint64_t rss_max = 0, rss_first = 0;
    int fds_max = 0, fds_first = 0;
    for (const SoakRow& r : timeline_.rows()) {
      rss_max = std::max(rss_max, r.rss_max_bytes);
      fds_max = std::max(fds_max, r.fds_max);
    }
    if (!timeline_.rows().empty()) {
      rss_first = timeline_.rows().front().rss_bytes;
      fds_first = timeline_.rows().front().fds;
    }
    result->Add("soak_s", ran_s, "s");
    result->Add("ports", static_cast<double>(f_.port_count()), "");
    result->Add("client_slots", static_cast<double>(slots_.size()), "");
    result->Add("rss_first_row_MiB", MiB(rss_first), "MiB");
    result->Add("rss_max_MiB", MiB(rss_max), "MiB");
    result->Add("rss_end_MiB", MiB(rss_now_), "MiB");
    result->Add("fds_first_row", fds_first, "");
    result->Add("fds_max", fds_max, "");
    result->Add("fds_end", fds_now_, "");
    if (after_close_.fds >= 0) {
      result->Add("fds_after_close", after_close_.fds, "");
      result->Add("fds_back_to_start_s", after_close_.seconds, "s");
      result->Add("rss_after_close_MiB", MiB(after_close_.rss_bytes), "MiB");
    }
#define TTYHUB_SOAK_METRIC(name, is_error, description) \
  result->Add(#name, static_cast<double>(t.name), "");
    TTYHUB_SOAK_COUNTS(TTYHUB_SOAK_METRIC)
#undef TTYHUB_SOAK_METRIC
    result->Add("client_errors", static_cast<double>(t.client_errors()), "");

    // The verification sections of the reports: rw streams must be exact,
    // viewers may have been lapped.
    result->streams = t.sessions_completed;
    result->verify.verified_bytes = t.verified_bytes;
    result->verify.received_bytes = t.verified_bytes + t.corrupt_bytes;
    result->verify.corrupt_bytes = t.corrupt_bytes;
    result->verify.backward_jumps = t.duplicate_jumps;
    result->verify.gaps = t.rw_gaps;
    result->verify.gap_bytes = t.rw_gap_bytes;
    result->lossy_verify.gap_bytes = t.ro_gap_bytes;

    result->series = timeline_.AsSeries();
    std::string detail = absl::StrFormat(
        "  ttyhub only: ser2net has no admin API to kick through and no read-only listeners.\n"
        "  %d ports streaming %.0f B/s each; %d client slots (raw, telnet, rfc2217 x rw, ro per "
        "port); stall_timeout %d ms; a stall probe every %.1f s, ports in turn (fresh data "
        "within %.0f s, or a stall); device hang-ups every %.0f-%.0f s; long rw stalls and "
        "vanished clients are checked after %.0f s without reading (ring + largest socket "
        "buffers at this rate, + 10 stall_timeouts).\n"
        "  Per row: the server's VmRSS and open fds at the row's end and their highest sample "
        "in the interval (sampled every %.0f s); counts are for the interval; load: the "
        "machine's 1-minute load average.\n",
        f_.port_count(), o_.soak_rate, slots_.size(), kStallTimeoutMs, kProbeEveryS, kProbeWindowS,
        kHangupEveryMinS, kHangupEveryMaxS, env_.fill_s, kResourceSampleS);
    absl::StrAppend(&detail, timeline_.Table(kMaxTableLines), "  Totals:\n");
#define TTYHUB_SOAK_LINE(name, is_error, description)                              \
  absl::StrAppend(&detail, absl::StrFormat("    %-22s %12d %s%s\n", #name, t.name, \
                                           is_error&& t.name > 0 ? "ERROR: " : "", description));
    TTYHUB_SOAK_COUNTS(TTYHUB_SOAK_LINE)
#undef TTYHUB_SOAK_LINE
    result->text_detail = detail;

    for (const std::string& e : events_.events()) result->notes.push_back(e);
    for (const std::string& d : events_.Dropped()) result->notes.push_back(d);
    if (t.stalls > 0 || !t.integrity_clean() || t.client_errors() > 0) {
      result->finding =
          absl::StrCat("the soak found ", t.stalls, " stalls, ", t.corrupt_bytes,
                       " corrupt bytes, ", t.duplicate_jumps, " backward jumps, ", t.rw_gaps,
                       " rw gaps and ", t.client_errors(), " client errors (see the events)");
      ctx_.progress.Log(absl::StrCat("soak FOUND: ", result->finding));
    }
  }

  ScenarioContext& ctx_;
  PortFixture& f_;
  const BenchOptions& o_;
  SoakEventLog events_;
  SoakCounts interval_;  // counted since the last row
  SoakCounts total_;     // of every row so far
  // The admin client before the slots: slots are destroyed first, so no
  // answer can reach a slot that is gone (answers only arrive inside the
  // loop, which no longer runs then).
  AdminHttpClient admin_;
  SoakEnvironment env_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<SoakDevice>> devices_;
  std::vector<std::unique_ptr<SoakSlot>> slots_;
  Probe probe_;
  size_t next_probe_port_ = 0;
  SoakTimeline timeline_;
  Clock::time_point start_;
  Clock::time_point next_row_;
  Clock::time_point last_row_at_;
  Clock::time_point next_resources_;
  Clock::time_point next_probe_;
  Clock::time_point next_hangup_;
  int fds_start_ = 0;  // the server's, before any client
  // Once every client had closed (MeasureReturnToBaseline); fds -1: not measured.
  struct {
    int fds = -1;
    double seconds = 0;  // until fds were back to fds_start_, or the wait's end
    uint64_t rss_bytes = 0;
  } after_close_;
  uint64_t rss_now_ = 0;
  uint64_t rss_row_max_ = 0;
  int fds_now_ = 0;
  int fds_row_max_ = 0;
};

class SoakScenario : public Scenario {
 public:
  std::string name() const override { return "soak"; }
  std::string description() const override {
    return "the chaos mix for --soak-seconds: server RSS, fds, stalls and errors over time "
           "(ttyhub only)";
  }
  std::string WhyNotOn(ServerKind kind) const override {
    if (kind == ServerKind::kTtyhub) return "";
    if (IsTtyhub(kind)) return "the soak runs on ttyhub without console logs";
    return "ser2net has no admin API to kick clients through and no read-only listeners";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "soak";
    PortFixtureSpec spec{.ports = ctx.options.soak_ports,
                         .rw_clients = kRwMaxClients,
                         .ro_clients = kRoMaxClients,
                         .more_listeners = MoreListeners(),
                         .stall_timeout_ms = kStallTimeoutMs,
                         .admin = true,
                         .device_links = true};
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture = PortFixture::Start(ctx, spec, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    {
      SoakMix mix(ctx, **fixture);
      mix.Run(&result);
    }
    (*fixture)->Finish(&result);
    return {result};
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeSoakScenario() { return std::make_unique<SoakScenario>(); }

}  // namespace ttyhub::bench
