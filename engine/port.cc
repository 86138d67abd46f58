// A port's device, listeners and clients. See port.h.
#include "engine/port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "config/banner.h"
#include "config/config_diff.h"
#include "engine/console_log_tail.h"
#include "engine/console_logger.h"
#include "engine/device_claims.h"
#include "engine/event_loop.h"
#include "engine/history.h"
#include "engine/mirrored_buffer.h"
#include "engine/telnet_encoder.h"

namespace ttyhub {
namespace {

// "127.0.0.1:5555" or "[2001:db8::1]:5555" (IPv4-mapped IPv6 shown as IPv4).
struct UnixPeer {
  uint32_t uid;
  int32_t pid;
  std::vector<uint32_t> gids;  // primary and supplementary
};

std::optional<UnixPeer> UnixPeerOf(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  UnixPeer peer{cred.uid, cred.pid, {cred.gid}};
  // Supplementary groups as the kernel recorded them at connect (4.13+).
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t bytes = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &bytes) == 0) {
      for (size_t i = 0; i < bytes / sizeof(gid_t); ++i) peer.gids.push_back(groups[i]);
      break;
    }
    if (errno != ERANGE) break;
    groups.resize(bytes / sizeof(gid_t) + 1);
  }
  return peer;
}

// rw for root and rw_groups members, ro for ro_groups members; else none.
std::optional<Access> UnixAccess(const ListenerConfig& lc, const UnixPeer& peer) {
  if (peer.uid == 0) return Access::kReadWrite;
  auto member = [&](const std::vector<uint32_t>& gids) {
    return std::any_of(peer.gids.begin(), peer.gids.end(), [&](uint32_t g) {
      return std::find(gids.begin(), gids.end(), g) != gids.end();
    });
  };
  if (member(lc.rw_gids)) return Access::kReadWrite;
  if (member(lc.ro_gids)) return Access::kReadOnly;
  return std::nullopt;
}

std::string PeerName(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    return absl::StrCat(host, ":", ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], host, sizeof(host));
      return absl::StrCat(host, ":", ntohs(a->sin6_port));
    }
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    return absl::StrCat("[", host, "]:", ntohs(a->sin6_port));
  }
  return "?";
}

void TuneClientSocket(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  // A dead peer is noticed in about two minutes: 60 s idle, then 6 probes 10 s apart.
  const int idle = 60, interval = 10, count = 6;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
  // At most 16 KiB not yet sent waits in the kernel for a client: a client
  // that stops reading then stops accepting after that much, and its stall
  // clock starts, instead of after the ~3 MB the send buffer autotunes to
  // on loopback (measured: a stalled client at 100 KB/s was cut after
  // 29.3 s without it and 1.28 s with it, stall_timeout 1 s; no throughput
  // or latency cost could be measured. docs/benchmarks.md, "Socket options
  // against hidden backlog"). It does not limit bytes in flight.
  const int notsent_lowat = 16 * 1024;
  setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &notsent_lowat, sizeof(notsent_lowat));
}

std::string DescribeErrno(int err) {
  return err == 0 ? std::string("hang-up (end of file)") : std::string(std::strerror(err));
}

}  // namespace

Port::Port(std::shared_ptr<const PortConfig> config, WorkerContext& ctx)
    : config_(std::move(config)), ctx_(ctx), latency_(config_->latency) {}

Port::~Port() = default;

absl::Status Port::Start() {
  device_ = MakeSerialDevice(*config_, ctx_, *this);
  line_ = std::make_unique<DeviceLine>(*config_, *device_, ctx_);
  auto buffer = MirroredBuffer::Create(config_->buffer_bytes);
  if (!buffer.ok()) {
    return absl::Status(buffer.status().code(),
                        absl::StrCat(config_->where, ": ring buffer: ", buffer.status().message()));
  }
  ring_ = std::make_unique<FanoutRing>(*std::move(buffer));
  if (!config_->alerts.empty()) {
    auto matcher = AlertMatcher::Create(config_->alerts);
    if (!matcher.ok()) {
      return absl::Status(matcher.status().code(),
                          absl::StrCat(config_->where, ": alerts: ", matcher.status().message()));
    }
    alerts_ = *std::move(matcher);
  }
  if (config_->log.enabled) {
    console_log_ = std::make_unique<ConsoleLogger>(
        config_->log, config_->name, config_->device.path,
        config_->listeners.empty() ? uint16_t{0} : config_->listeners[0].port, *ring_, ctx_,
        counters_);
    console_log_->Start();
    SeedRingFromLog();
  }
  if (HasReadWriteListener()) {
    // Created now rather than on the first keystroke: creating it costs five
    // syscalls (memfd, mmaps), which would land on an interactive echo.
    // Untouched pages cost no memory.
    auto input = MirroredBuffer::Create(kInputQueueBytes);
    if (!input.ok()) {
      return absl::Status(
          input.status().code(),
          absl::StrCat(config_->where, ": input queue: ", input.status().message()));
    }
    input_ = std::make_unique<FanoutRing>(*std::move(input));
  }
  for (const ListenerConfig& lc : config_->listeners) {
    // Shares ownership of config_: no copy per listener.
    auto listener = std::make_unique<Listener>(
        *this, std::shared_ptr<const ListenerConfig>(config_, &lc), ctx_);
    if (absl::Status s = listener->Bind(); !s.ok()) return s;
    listeners_.push_back(std::move(listener));
  }
  if (config_->open_on_connect) {
    device_state_ = DeviceState::kIdle;  // opened by the first client
  } else {
    TryOpenDevice();
  }
  for (auto& l : listeners_) {
    l->StartAccepting();
    const ListenerConfig& lc = l->config();
    ctx_.log->Info(absl::StrCat("port ", name(), ": listening on ", l->address(), " (",
                                ProtocolName(lc.protocol), ", ", AccessName(lc.access), ", up to ",
                                lc.max_clients, " clients) for ", config_->device.original));
  }
  return absl::OkStatus();
}

void Port::TryOpenDevice() {
  const absl::Status s = device_->Open(line_->settings(), config_->local);
  if (s.ok() && device_->open_pending()) {
    // A network device connecting: OnDeviceOpenFinished brings the outcome.
    // Until then the port is as while reopening, without further attempts.
    device_state_ = DeviceState::kReopening;
    next_open_attempt_ = TimePoint::max();
    if (rare().last_open_error.empty())
      rare().last_open_error = absl::StrCat("connecting to ", config_->device.path);
    return;
  }
  FinishOpenDevice(s);
}

void Port::OnDeviceOpenFinished(const absl::Status& result) {
  // Given up meanwhile (shutdown, open: on_connect with nobody left): close it again.
  if (device_state_ != DeviceState::kReopening || shutting_down_) {
    device_->Close();
    return;
  }
  FinishOpenDevice(result);
}

void Port::OnDeviceSettingsReported(const SerialSettings& settings) {
  line_->AdoptReportedSettings(settings);
}

void Port::FinishOpenDevice(const absl::Status& s) {
  if (s.ok()) {
    device_state_ = DeviceState::kOpen;
    device_opened_at_ = ctx_.now;  // the backoff resets once it has run kStableOpen
    reads_through_ring_ = ctx_.device_reads_through_ring;
    poll_errors_in_a_row_ = 0;
    if (failures_since_open_ > 0 || counters_.device_failures > 0) {
      ++counters_.device_reopens;
      ctx_.log->Info(absl::StrCat("port ", name(), ": device ", config_->device.original,
                                  " reopened after ", failures_since_open_,
                                  " failed attempts; data flows again"));
    } else {
      ctx_.log->Info(absl::StrCat("port ", name(), ": device ", config_->device.original,
                                  " open at ", line_->settings_text(), ", flow ",
                                  FlowControlName(line_->settings().flow),
                                  config_->local ? ", local" : ""));
    }
    failures_since_open_ = 0;
    if (rare_) {
      rare_->last_open_error.clear();
      rare_->device_log.Reset();
    }
    WriteDeviceString(config_->open_string, "open_string");
    line_->OnDeviceOpened(open_clients_);
    PumpDeviceRead();
    PumpDeviceWrite();
    return;
  }
  ++failures_since_open_;
  rare().last_open_error = std::string(s.message());
  device_state_ = DeviceState::kReopening;
  next_open_attempt_ = ctx_.now + backoff_;
  if (ctx_.log->Enabled(LogLevel::kDebug)) {
    ctx_.log->Debug(absl::StrCat("port ", name(), ": open attempt ", failures_since_open_,
                                 " failed: ", s.message()));
  }
  if (auto dropped = rare().device_log.Admit(ctx_.now)) {
    ctx_.log->Warn(absl::StrCat(
        "port ", name(), ": cannot open device ", config_->device.original, ": ", s.message(),
        "; retrying every ", backoff_.count(), " ms up to ", kMaxBackoff.count(), " ms",
        *dropped ? absl::StrCat(" [", *dropped, " similar suppressed]") : ""));
  }
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void Port::DeviceFailed(absl::string_view what, int err) {
  if (device_state_ != DeviceState::kOpen) return;
  ++counters_.device_failures;
  if (auto dropped = rare().device_log.Admit(ctx_.now)) {
    const std::string reason = device_->FailureReason();  // a network device knows better
    ctx_.log->Warn(
        absl::StrCat("port ", name(), ": device ", config_->device.original, " failed (",
                     reason.empty() ? absl::StrCat(what, ": ", DescribeErrno(err)) : reason, "); ",
                     clients_.size(), " clients stay connected; reopening",
                     *dropped ? absl::StrCat(" [", *dropped, " similar suppressed]") : ""));
  }
  device_state_ = DeviceState::kClosing;
  device_read_paused_ = false;
  ctx_.loop->Cancel(poll_in_);
  ctx_.loop->Cancel(poll_out_);
  if (!DeviceOpsInFlight()) FinishDeviceClose();
}

void Port::FinishDeviceClose() {
  line_->OnDeviceClosed();
  device_->Close();
  if (shutting_down_) {
    device_->Shutdown();
    device_state_ = DeviceState::kStopped;
    ReleaseDeviceClaim();
    return;
  }
  if (closing_idle_) {
    closing_idle_ = false;
    device_state_ = DeviceState::kIdle;
    ReleaseDeviceClaim();
    if (open_clients_ > 0) {  // someone came while it closed
      std::string holder;
      if (ctx_.claims == nullptr || ctx_.claims->Claim(config_->device.path, name(), &holder)) {
        TryOpenDevice();
      }
    }
    return;
  }
  device_state_ = DeviceState::kReopening;
  // Opened and failed at once, again and again (a remote whose listener is
  // full accepts and hangs up): back off as failed opens do, or this would
  // cycle ten times a second, logging each time.
  backoff_ = ctx_.now - device_opened_at_ >= kStableOpen ? kMinBackoff
                                                         : std::min(backoff_ * 2, kMaxBackoff);
  next_open_attempt_ = ctx_.now + backoff_;
}

void Port::WriteDeviceString(const std::string& tmpl, absl::string_view what) {
  if (tmpl.empty() || device_state_ != DeviceState::kOpen) return;
  BannerContext bc{config_->name, config_->device.original,
                   config_->listeners.empty() ? uint16_t{0} : config_->listeners[0].port,
                   line_->settings_text()};
  const std::string text = ExpandBanner(tmpl, bc).value_or("");  // validated at load
  // A few bytes into a device just opened (or about to close): the driver
  // takes them at once. Best effort; a short write is said, not retried.
  const ssize_t n = write(device_->fd(), text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size()) && ctx_.log->Enabled(LogLevel::kWarn)) {
    ctx_.log->Warn(absl::StrCat("port ", name(), ": ", what, ": wrote ", n < 0 ? 0 : n, " of ",
                                text.size(), " bytes to the device"));
  }
}

void Port::ReleaseDeviceClaim() {
  if (config_->open_on_connect && ctx_.claims != nullptr) {
    ctx_.claims->Release(config_->device.path, name());
  }
}

void Port::CloseIdleDevice() {
  // open: on_connect and nobody left: once the clients' input is written,
  // say goodbye to the device and close it (a reconnect reopens it).
  if (open_clients_ > 0) return;
  if (device_state_ == DeviceState::kReopening) {
    device_state_ = DeviceState::kIdle;  // nobody is waiting for it
    ReleaseDeviceClaim();
    return;
  }
  if (device_state_ != DeviceState::kOpen) return;
  if (input_ && input_->Pending(input_cursor_) > 0) return;  // the tick comes back
  WriteDeviceString(config_->close_string, "close_string");
  closing_idle_ = true;
  device_state_ = DeviceState::kClosing;
  device_read_paused_ = false;
  ctx_.loop->Cancel(poll_in_);
  ctx_.loop->Cancel(poll_out_);
  if (!DeviceOpsInFlight()) FinishDeviceClose();
}

void Port::ArmDevicePollIn() {
  if (device_state_ != DeviceState::kOpen || poll_in_.in_flight || shutting_down_ ||
      config_->write_only) {
    return;
  }
  if (!reads_through_ring_) {
    device_read_in_ring_ = false;
    io_uring_prep_poll_add(ctx_.loop->Prepare(poll_in_), device_->fd(), POLLIN);
    return;
  }
  // The READ waits in the kernel (an internal poll) and fills the ring's
  // next bytes when the device has some. Those bytes are reserved now: a
  // lossy reader that far behind is lapped at once instead of when the
  // bytes land, since the kernel may write them at any moment.
  const std::span<uint8_t> space = ring_->WritableSpan(RingFloor());
  if (space.empty()) {
    PauseDeviceReads();
    return;
  }
  // On an idle port a READ is always pending, so its reservation is
  // always taken from history: at most a quarter of the ring (a 4 KiB ring
  // keeps 3 KiB of history), and at most kRingReadBytes.
  const size_t n =
      std::min({space.size(), kRingReadBytes, static_cast<size_t>(ring_->capacity() / 4)});
  ring_->Reserve(n);
  device_read_in_ring_ = true;
  io_uring_prep_read(ctx_.loop->Prepare(poll_in_), device_->fd(), space.data(),
                     static_cast<unsigned>(n), static_cast<uint64_t>(-1));
}

void Port::FinishRingRead(int32_t res) {
  device_read_in_ring_ = false;
  if (res <= 0) {
    ring_->Unreserve();
    return;
  }
  ring_->Commit(static_cast<size_t>(res));
  if (alerts_) MatchAlerts(static_cast<size_t>(res));
}

uint64_t Port::RingFloor() const {
  uint64_t floor = ring_->head();
  for (const auto& c : clients_) {
    if (c->HoldsRing()) floor = std::min(floor, c->cursor());
  }
  // Invariant: holders never fall behind oldest(). Clamp so a bug here can
  // only cost data, never write outside the ring.
  return std::max(floor, ring_->oldest());
}

int Port::ReadsPerBurst() const {
  // A fan-out costs one send per client, so with many clients it pays to
  // gather more device bytes first: about one tty read (<= 4095 bytes) per
  // client, up to kMaxReadsPerBurst. With one client, fanning out after each
  // read is faster: the send to the client overlaps the kernel refilling
  // the tty, and sends still batch, because a client with a send in flight
  // takes everything new when it completes. Measured with ttyhub-bench
  // (docs/benchmarks.md, "What moved each figure"): against 16 reads for
  // every port, this rule moved dev2net from 125 to 172 MB/s and many_ports
  // fairness from 0.72 to 0.86 (medians of 3), with fanout_k64 level;
  // 1 read for every port cut fanout_k64 to a quarter. With nobody
  // connected, drain the device in as few wake-ups as possible.
  if (open_clients_ == 0) return kMaxReadsPerBurst;
  return static_cast<int>(std::min<size_t>(open_clients_, kMaxReadsPerBurst));
}

void Port::PumpDeviceRead() {
  if (device_state_ != DeviceState::kOpen || poll_in_.in_flight || shutting_down_ ||
      config_->write_only) {
    return;
  }
  if (ReadDeviceBurst(ReadsPerBurst())) ArmDevicePollIn();
}

bool Port::ReadDeviceBurst(int reads, uint64_t read_before) {
  const int fd = device_->fd();
  // Read until the device is empty (a tty hands out at most one n_tty
  // buffer, 4095 bytes, per read, refilled meanwhile by the kernel), in a
  // bounded burst so one busy port cannot keep the worker from the others;
  // then fan out once, so each client gets one send for the whole burst.
  uint64_t read_now = 0;
  bool paused = false;
  for (int burst = 0; burst < reads; ++burst) {
    const std::span<uint8_t> space = ring_->WritableSpan(RingFloor());
    if (space.empty()) {
      paused = true;
      break;
    }
    const ssize_t n = read(fd, space.data(), space.size());
    if (n > 0) {
      ring_->Commit(static_cast<size_t>(n));
      read_now += static_cast<uint64_t>(n);
      // Per read, not per burst: with no lossless client holding the floor
      // a burst may write more than the ring holds, but one read never does.
      if (alerts_) MatchAlerts(static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      PublishDeviceBytes(read_before + read_now);
      DeviceFailed("read", 0);
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    PublishDeviceBytes(read_before + read_now);
    DeviceFailed("read", errno);
    return false;
  }
  PublishDeviceBytes(read_before + read_now);
  if (paused) {
    PauseDeviceReads();
    return false;
  }
  device_read_paused_ = false;
  return true;
}

void Port::PauseDeviceReads() {
  if (!device_read_paused_) ++counters_.device_read_pauses;
  device_read_paused_ = true;  // OnRingReleased resumes
}

void Port::PublishDeviceBytes(uint64_t n) {
  if (n == 0) return;
  poll_errors_in_a_row_ = 0;
  counters_.device_rx_bytes += n;
  if (!delivery_latency_) delivery_latency_ = std::make_unique<DeliveryLatency>();
  delivery_latency_->stamps.Stamp(ring_->head(), Clock::now());
  for (auto& c : clients_) c->OnRingAdvanced();
  if (console_log_) console_log_->OnDeviceData();
}

void Port::CheckDevicePoll(TimePoint now) {
  // An armed poll on a device with data waiting completes at once, and its
  // completion is dispatched before the next tick. So data that waited from
  // one check to the next (kDevicePollCheckEvery, fifty ticks) with the
  // poll still armed and not one byte read means the wake-up was lost: the soak saw ports go silent
  // for good with reads not paused. Read what waits, cancel the poll (if the kernel still holds it,
  // its ECANCELED completion re-arms a fresh one, see OnIoComplete), and count and say so.
  if (now < next_poll_check_) return;
  if (next_poll_check_ == TimePoint{}) {
    // Ports spread their checks over the period instead of all on one tick.
    const auto period =
        std::chrono::duration_cast<std::chrono::milliseconds>(kDevicePollCheckEvery);
    next_poll_check_ =
        now + std::chrono::milliseconds(std::hash<std::string>{}(name()) % period.count());
    return;
  }
  next_poll_check_ = now + kDevicePollCheckEvery;
  if (device_state_ != DeviceState::kOpen || !poll_in_.in_flight || shutting_down_) {
    readable_since_.reset();
    return;
  }
  pollfd pfd{device_->fd(), POLLIN, 0};
  const bool readable = poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) != 0;
  if (!readable || (readable_since_ && counters_.device_rx_bytes != rx_bytes_when_readable_)) {
    readable_since_.reset();
    if (!readable) return;
  }
  if (!readable_since_) {
    readable_since_ = now;
    rx_bytes_when_readable_ = counters_.device_rx_bytes;
    return;
  }
  // Readable at two checks in a row (kDevicePollCheckEvery apart), armed,
  // and not one byte read in between: the wake-up was lost.
  readable_since_.reset();
  ++counters_.device_poll_rescues;
  if (rare().repump_log.Admit(now)) {
    ctx_.log->Warn(absl::StrCat("port ", name(),
                                ": the device had data for 5 s but its armed poll never fired; "
                                "read it from the tick and re-armed the poll (a lost wake-up)"));
  }
  ctx_.loop->Cancel(poll_in_);
  // A READ may still fill its reserved bytes until its cancel completes;
  // that completion then reads what waits (OnIoComplete, as a poll error).
  if (!device_read_in_ring_) ReadDeviceBurst(ReadsPerBurst());
}

void Port::MatchAlerts(size_t n) {
  // The bytes just read are [head - n, head): one contiguous span (mirrored ring).
  const std::span<const uint8_t> fresh = ring_->ReadableSpan(ring_->head() - n, n);
  const int64_t now_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  alerts_->Feed(fresh, now_unix_ms, [&](const AlertStats& alert) {
    if (ctx_.log->Enabled(LogLevel::kWarn) && rare().alert_log.Admit(ctx_.now)) {
      ctx_.log->Warn(absl::StrCat("port ", name(), ": alert ", alert.name, ": ", alert.last_line));
    }
  });
}

bool Port::HasReadWriteListener() const {
  return std::any_of(config_->listeners.begin(), config_->listeners.end(),
                     [](const ListenerConfig& l) { return l.access == Access::kReadWrite; });
}

Port::InputSpan Port::InputSpace(ClientConnection& client, size_t needed) {
  // Only rw clients ask, and Start() creates the queue for every port with
  // an rw listener (or fails). Guard anyway: a client then waits forever
  // rather than writing through a null queue.
  if (input_) {
    const std::span<uint8_t> space = input_->WritableSpan(input_cursor_);
    if (space.size() >= needed) return {space, input_->head()};
  }
  if (std::find(input_waiters_.begin(), input_waiters_.end(), &client) == input_waiters_.end()) {
    input_waiters_.push_back(&client);
  }
  return {};
}

void Port::CommitInput(size_t data_bytes) {
  input_->Commit(data_bytes);
  counters_.client_rx_bytes += data_bytes;
}

void Port::MarkInputCommand(ClientConnection& client, uint64_t position) {
  input_marks_.push_back({position, &client});
}

void Port::PumpDeviceWrite() {
  if (!input_) return;
  if (pumping_input_) {
    pump_input_again_ = true;
    return;
  }
  pumping_input_ = true;
  bool device_ok = true;
  do {
    pump_input_again_ = false;
    device_ok = PumpDeviceWriteOnce();
  } while (device_ok && pump_input_again_);
  pumping_input_ = false;
  if (device_ok) ResumeInputWaiters();
}

bool Port::PumpDeviceWriteOnce() {
  for (;;) {
    // Commands whose turn came run first: every byte queued before them has
    // been written. They may change the line, purge, or close clients
    // (whose marks then go), so the next mark is looked up each time round.
    if (const InputMark* next = NextMark(); next != nullptr && next->position <= input_cursor_) {
      const InputMark mark = *next;
      if (++marks_first_ == input_marks_.size()) {
        input_marks_.clear();
        marks_first_ = 0;
      }
      mark.client->RunInputCommands(mark.position);
      continue;
    }
    // While a telnet break pulse runs, bytes behind it wait for its end.
    if (device_state_ != DeviceState::kOpen || poll_out_.in_flight || line_->pulse_active()) {
      return true;
    }
    const InputMark* next = NextMark();
    const uint64_t limit = next == nullptr ? input_->head() : next->position;
    const std::span<const uint8_t> data =
        input_->ReadableSpan(input_cursor_, static_cast<size_t>(limit - input_cursor_));
    if (data.empty()) return true;
    const ssize_t n = write(device_->fd(), data.data(), data.size());
    if (n > 0) {
      poll_errors_in_a_row_ = 0;
      if (console_log_) console_log_->OnInput(data.first(static_cast<size_t>(n)));
      input_cursor_ += static_cast<uint64_t>(n);
      counters_.device_tx_bytes += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
      io_uring_prep_poll_add(ctx_.loop->Prepare(poll_out_), device_->fd(), POLLOUT);
      return true;
    }
    DeviceFailed("write", errno);
    return false;
  }
}

void Port::ReleaseIdleInputPages(TimePoint now) {
  if (!input_) return;
  const uint64_t head = input_->head();
  if (head != input_head_seen_) {
    input_head_seen_ = head;
    input_moved_at_ = now;
    return;
  }
  if (head == input_released_head_ || now - input_moved_at_ < kReleaseInputAfter) return;
  // Bytes not yet written to the device (a full or closed device) stay. No
  // client holds a span of the queue between events: they receive into it
  // and commit synchronously, and the writer's write(2)s are synchronous.
  if (input_->Pending(input_cursor_) > 0) return;
  // A refusal leaves the pages resident, which is all it costs; not retried
  // until more input came.
  input_->ReleasePages();
  input_released_head_ = head;
}

void Port::ResumeInputWaiters() {
  if (input_waiters_.empty() || !input_ || input_->WritableSpan(input_cursor_).empty()) return;
  // Resume them all; whoever still finds the queue full queues up again.
  // A local vector, not a member: ResumeInput can reach this function again
  // (it receives, which writes to the device, which resumes waiters).
  std::vector<ClientConnection*> waiting;
  waiting.swap(input_waiters_);
  for (ClientConnection* c : waiting) c->ResumeInput();
}

void Port::OnIoComplete(IoRequest& req, int32_t res, uint32_t) {
  // A READ's bytes were taken from the device: publish them whatever the
  // port's state (closing, shutting down), or they would be lost.
  uint64_t ring_read = 0;
  const bool was_ring_read = req.kind == kDevicePollIn && device_read_in_ring_;
  if (was_ring_read) {
    FinishRingRead(res);
    if (res > 0) {
      ring_read = static_cast<uint64_t>(res);
      if (device_state_ != DeviceState::kOpen || shutting_down_) PublishDeviceBytes(ring_read);
    }
  }
  if (device_state_ == DeviceState::kClosing) {
    if (!DeviceOpsInFlight()) FinishDeviceClose();
    return;
  }
  if (device_state_ != DeviceState::kOpen) return;
  // Only shutdown cancels a device poll while the device is open; any
  // other ECANCELED came from the kernel (the 30-minute soak saw a port stop
  // reading for good, device reads not paused, right after RFC 2217 baud
  // changes), so it is handled like a poll error: probe, then re-arm.
  if (res == -ECANCELED && shutting_down_) return;
  if (ring_read > 0) {
    // More may wait: with several clients, read on before fanning out
    // (ReadsPerBurst), then wait again.
    if (!shutting_down_ && ReadDeviceBurst(ReadsPerBurst() - 1, ring_read)) ArmDevicePollIn();
    return;
  }
  if (was_ring_read && res == 0) {
    DeviceFailed("read", 0);  // end of file, as read(2) returning 0
    return;
  }
  if (was_ring_read && res == -EAGAIN) {
    // This device does not wait inside the kernel: a READ would spin. Poll it.
    reads_through_ring_ = false;
    ctx_.log->Warn(absl::StrCat("port ", name(), ": device ", config_->device.original,
                                " answered an io_uring READ with EAGAIN; polling it instead"));
  }
  if (res < 0) {
    // A pending poll on a tty fails with EINVAL when its termios change
    // (seen on 6.18 after TCSETS2), though the device is fine. Ask the
    // device itself; a poll that keeps failing with no I/O also counts.
    // A READ that failed is named as one: a pty whose far end closed
    // answers it with EIO or with end of file, whichever the hang-up has
    // reached, and both are a failed read.
    const char* what = was_ring_read ? "read" : "poll";
    if (absl::Status probe = device_->Probe(); !probe.ok()) {
      DeviceFailed(what, -res);
      return;
    }
    if (++poll_errors_in_a_row_ > kMaxPollErrorsInARow) {
      DeviceFailed(what, -res);
      return;
    }
  }
  if (req.kind == kDevicePollIn) {
    PumpDeviceRead();
  } else {
    PumpDeviceWrite();
  }
}

void Port::OnRingReleased() {
  if (device_read_paused_) PumpDeviceRead();
}

void Port::OnDelivered(const ClientConnection& client, uint64_t from, uint64_t to) {
  const uint64_t n = to - from;
  counters_.client_tx_bytes += n;
  (client.access() == Access::kReadWrite ? counters_.client_tx_rw_bytes
                                         : counters_.client_tx_ro_bytes) += n;
  if (delivery_latency_) {
    LatencyHistogram& histogram = delivery_latency_->histogram;
    delivery_latency_->stamps.ForEachDelivered(
        from, to, ctx_.now, [&histogram](std::chrono::nanoseconds d) { histogram.Record(d); });
  }
}

void Port::OnLineChangeRequest(bool refused) {
  ++(refused ? counters_.rfc2217_refused_changes : counters_.rfc2217_changes);
}

void Port::PurgeInput(ClientConnection& client) {
  // Runs at the client's turn in the input stream (an input mark), so
  // everything queued before the purge has reached the driver, and nothing
  // queued after it (this client's or another's) is touched.
  const uint64_t dropped = line_->FlushDeviceOutput();
  counters_.input_purged_bytes += dropped;
  if (dropped > 0 && AdmitConnectionLog()) {
    ctx_.log->Info(absl::StrCat("port ", name(), ": client ", client.Describe(),
                                " purged the device's output: ", dropped,
                                " bytes the driver still held were dropped (they may include "
                                "other clients' input)"));
  }
}

void Port::OnAccepted(Listener& listener, int fd) {
  const ListenerConfig& lc = listener.config();
  if (shutting_down_) {
    close(fd);
    return;
  }
  if (!listener.enabled) {
    ++counters_.connections_refused_off;
    if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
      ctx_.log->Info(absl::StrCat("port ", name(), ": refused ", PeerName(fd), " on ",
                                  listener.address(), ": the listener is off"));
    }
    const std::string msg =
        absl::StrCat("ttyhub: port ", name(), " is off on ", listener.address(), "\r\n");
    (void)!send(fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    close(fd);
    return;
  }
  // allow:/deny: decided before anything is sent or counted as a client.
  if (!lc.allow.empty() || !lc.deny.empty()) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    const sockaddr* addr = reinterpret_cast<const sockaddr*>(&peer);
    std::string why;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) {
      why = "its address is unknown";
    } else {
      for (const Cidr& net : lc.deny) {
        if (CidrContains(net, addr)) {
          why = absl::StrCat("denied (deny: ", net.text, ")");
          break;
        }
      }
      if (why.empty() && !lc.allow.empty() &&
          std::none_of(lc.allow.begin(), lc.allow.end(),
                       [&](const Cidr& net) { return CidrContains(net, addr); })) {
        why = "not in allow";
      }
    }
    if (!why.empty()) {
      ++counters_.connections_refused_acl;
      ++listener.refused_acl;
      if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
        ctx_.log->Info(absl::StrCat("port ", name(), ": refused ", PeerName(fd), " on ",
                                    listener.address(), ": ", why));
      }
      close(fd);
      return;
    }
  }
  // A peer that closed and reconnected at once may be accepted before its
  // old connection's FIN was read: look before refusing.
  // A device shared by open: on_connect ports goes to the first port that
  // gets a client; the others refuse theirs until it is given back.
  if (config_->open_on_connect && device_state_ == DeviceState::kIdle && ctx_.claims != nullptr) {
    std::string holder;
    if (!ctx_.claims->Claim(config_->device.path, name(), &holder)) {
      ++counters_.connections_rejected_busy;
      if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
        ctx_.log->Info(absl::StrCat("port ", name(), ": refused ", PeerName(fd), " on ",
                                    listener.address(), ": its device ", config_->device.original,
                                    " is in use by port ", holder));
      }
      const std::string msg =
          absl::StrCat("ttyhub: port ", name(), ": device ", config_->device.original,
                       " is in use by port ", holder, "\r\n");
      (void)!send(fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      close(fd);
      return;
    }
  }
  if (listener.active_clients >= lc.max_clients) ReclaimDepartedSlots(listener);
  if (listener.active_clients >= lc.max_clients && lc.kick_oldest_when_full) {
    KickOldest(listener, PeerName(fd));
  }
  if (listener.active_clients >= lc.max_clients) {
    ++counters_.connections_rejected_full;
    // Log first: once the refusal is sent, the peer may reset, and then its
    // address can no longer be read from the socket.
    if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
      ctx_.log->Info(absl::StrCat("port ", name(), ": refused ", PeerName(fd), " on ",
                                  listener.address(), ": full (", lc.max_clients, " clients)"));
    }
    const std::string msg =
        absl::StrCat("ttyhub: port ", name(), " is full (", lc.max_clients, " clients)\r\n");
    (void)!send(fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    // Unread input would turn close() into a reset that can destroy the
    // message before the client reads it.
    const std::span<uint8_t> scratch = ctx_.DiscardBuffer();
    while (recv(fd, scratch.data(), scratch.size(), MSG_DONTWAIT) > 0) {
    }
    shutdown(fd, SHUT_WR);
    close(fd);
    return;
  }
  Access access = lc.access;
  std::string peer;
  if (lc.is_unix()) {
    // Who the peer is decides what it may do (SO_PEERCRED, SO_PEERGROUPS).
    const std::optional<UnixPeer> who = UnixPeerOf(fd);
    const std::optional<Access> granted = who ? UnixAccess(lc, *who) : std::nullopt;
    peer = who ? absl::StrCat("uid ", who->uid, " pid ", who->pid) : "unknown peer";
    if (!granted) {
      ++counters_.connections_refused_acl;
      ++listener.refused_acl;
      if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
        ctx_.log->Info(absl::StrCat("port ", name(), ": refused ", peer, " on ", listener.address(),
                                    ": not root, and in none of its rw_groups or ro_groups"));
      }
      const std::string msg = absl::StrCat("ttyhub: ", peer, " may not use port ", name(),
                                           " (not in the listener's rw_groups or ro_groups)\r\n");
      (void)!send(fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      close(fd);
      return;
    }
    access = *granted;
  } else if (lc.is_pty()) {
    // The program on the pty; which one, the kernel does not say.
    peer = listener.address().substr(listener.address().rfind(' ') + 1);  // "/dev/pts/5"
  } else if (lc.is_cuse()) {
    peer = listener.address();  // "cuse:/dev/ttyV0": the applications that opened it
  } else {
    TuneClientSocket(fd);
    peer = PeerName(fd);
  }
  ++counters_.connections_accepted;
  ClientConnection::Origin origin{&listener, &lc, &listener.address(), access};
  // history: the client starts that far back in the ring, so history and
  // live data meet with no gap and no duplicate. What the ring no longer
  // holds comes from the console log, ahead of the ring's oldest byte.
  uint64_t start = HistoryStart(*ring_, lc.history);
  const std::string older = OlderHistoryFromLog(lc.history);
  if (!older.empty()) start = ring_->oldest();
  auto client = std::make_unique<ClientConnection>(*this, *line_, origin, ctx_, fd,
                                                   next_client_id_++, peer, start);
  ++listener.active_clients;
  ++open_clients_;
  if (open_clients_ == 1) line_->OnClientCountChanged(1);
  if (config_->open_on_connect && device_state_ == DeviceState::kIdle) TryOpenDevice();
  std::string banner;
  if (!lc.banner.empty()) {
    BannerContext bc{config_->name, config_->device.original, lc.port, line_->settings_text()};
    banner = ExpandBanner(lc.banner, bc).value_or("");  // validated at load
  }
  if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
    ctx_.log->Info(absl::StrCat("port ", name(), ": client ", client->Describe(), " connected on ",
                                listener.address(), " (", listener.active_clients, " of ",
                                lc.max_clients, ")"));
  }
  HistoryMarkers markers;
  if (lc.protocol != Protocol::kRaw) {
    markers = MakeHistoryMarkers(name(), ring_->head() - start + older.size());
  }
  ClientConnection* raw = client.get();
  clients_.push_back(std::move(client));
  // Write roles: after the banner, a newcomer is told if it is a viewer.
  std::string preamble = banner + AssignWriteRoleOnArrival(*raw) + markers.before;
  if (lc.protocol == Protocol::kRaw) {
    preamble += older;
  } else {
    TelnetEncoder::AppendEncoded(reinterpret_cast<const uint8_t*>(older.data()), older.size(),
                                 /*binary=*/false, &preamble);
  }
  raw->Start(std::move(preamble), ring_->head(), std::move(markers.after));
}

std::string Port::WriterText(const ClientConnection& c) const {
  return absl::StrCat("client #", c.id(), " (", c.peer(), ")");
}

std::string Port::AssignWriteRoleOnArrival(ClientConnection& client) {
  if (client.access() != Access::kReadWrite || client.write_mode() == WriteMode::kShared) {
    return "";
  }
  if (writer_ == nullptr) {
    writer_ = &client;
    return "";
  }
  if (client.write_mode() == WriteMode::kExclusive) {
    client.SetMayWrite(false, "");
    LogRoleChange(absl::StrCat(WriterText(client), " joined as a viewer: ", WriterText(*writer_),
                               " holds the write role"));
    return absl::StrCat("ttyhub: port ", name(), " is being written by ", WriterText(*writer_),
                        "; you are a viewer until it leaves\r\n");
  }
  // Takeover: the newcomer writes; the holder stays, as a viewer.
  ClientConnection& old = *writer_;
  old.SetMayWrite(
      false, absl::StrCat("\r\nttyhub: ", WriterText(client), " took over writing to port ", name(),
                          "; you are a viewer now\r\n"));
  writer_ = &client;
  LogRoleChange(absl::StrCat(WriterText(client), " took the write role from ", WriterText(old)));
  return "";
}

void Port::ReleaseWriteRole(ClientConnection& leaving) {
  if (writer_ != &leaving) return;
  writer_ = nullptr;
  // The longest-connected viewer that may hold the role gets it.
  for (auto& c : clients_) {
    if (c.get() == &leaving || c->closing() || c->access() != Access::kReadWrite ||
        c->write_mode() == WriteMode::kShared) {
      continue;
    }
    writer_ = c.get();
    c->SetMayWrite(
        true, absl::StrCat("\r\nttyhub: you hold the write role on port ", name(), " now\r\n"));
    LogRoleChange(
        absl::StrCat(WriterText(*c), " holds the write role (", WriterText(leaving), " left)"));
    return;
  }
}

absl::Status Port::SetWriter(uint64_t client_id) {
  ClientConnection* target = nullptr;
  for (auto& c : clients_) {
    if (c->id() == client_id && !c->closing()) target = c.get();
  }
  if (target == nullptr) {
    return absl::NotFoundError(absl::StrCat("port ", name(), " has no client #", client_id));
  }
  if (target->access() != Access::kReadWrite) {
    return absl::FailedPreconditionError(
        absl::StrCat("client #", client_id, " is read-only: it came in on an ro listener"));
  }
  if (target->write_mode() == WriteMode::kShared) {
    return absl::FailedPreconditionError(absl::StrCat(
        "client #", client_id, " came in on a write: shared listener: it always writes"));
  }
  if (writer_ == target) return absl::OkStatus();
  if (writer_ != nullptr) {
    writer_->SetMayWrite(
        false, absl::StrCat("\r\nttyhub: an operator gave the write role on port ", name(), " to ",
                            WriterText(*target), "; you are a viewer now\r\n"));
  }
  LogRoleChange(absl::StrCat("the write role was given to ", WriterText(*target),
                             writer_ ? absl::StrCat(" (from ", WriterText(*writer_), ")") : ""));
  writer_ = target;
  target->SetMayWrite(
      true, absl::StrCat("\r\nttyhub: you hold the write role on port ", name(), " now\r\n"));
  return absl::OkStatus();
}

void Port::LogRoleChange(const std::string& what) {
  if (ctx_.log->Enabled(LogLevel::kInfo) && AdmitConnectionLog()) {
    ctx_.log->Info(absl::StrCat("port ", name(), ": ", what));
  }
}

void Port::KickOldest(Listener& listener, const std::string& newcomer) {
  // Clients are kept in arrival order: the first open one of this listener
  // has been connected longest.
  for (auto& c : clients_) {
    if (c->listener() != &listener || c->closing() || c->slot_released()) continue;
    const std::string msg = absl::StrCat("\r\nttyhub: ", newcomer, " took port ", name(),
                                         " (when_full: kick_oldest); disconnecting\r\n");
    // Best effort, as the port-full message: the client is closed now.
    (void)!send(c->fd(), msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    c->Close(CloseReason::kTakenOver, absl::StrCat("by ", newcomer));
    return;
  }
}

void Port::ReclaimDepartedSlots(Listener& listener) {
  std::vector<pollfd> fds;
  std::vector<ClientConnection*> who;
  for (auto& c : clients_) {
    if (c->listener() != &listener || c->closing() || c->slot_released()) continue;
    fds.push_back({c->fd(), POLLRDHUP, 0});
    who.push_back(c.get());
  }
  if (fds.empty() || poll(fds.data(), fds.size(), 0) <= 0) return;
  for (size_t i = 0; i < fds.size(); ++i) {
    const short ev = fds[i].revents;
    if ((ev & (POLLRDHUP | POLLHUP | POLLERR)) == 0) continue;
    ClientConnection& c = *who[i];
    if (!c.input_paused()) {
      // Reads what it sent before leaving (rw: into the input queue), then
      // its FIN or error, which gives the slot back.
      c.ReadAvailable();
    } else if (ev & (POLLHUP | POLLERR)) {
      // Reset while its input waited for room: nothing of it can be read.
      c.Close(CloseReason::kPeerError, "connection reset while its input waited for the device");
    } else {
      // It finished sending while its input waits for room in the queue:
      // the rest is read when room comes, but the slot is free now.
      ReleaseSlot(c);
    }
  }
}

void Port::ReleaseSlot(ClientConnection& client) {
  if (client.slot_released()) return;
  client.set_slot_released();
  --client.listener()->active_clients;
}

void Port::OnClientClosing(ClientConnection& client, CloseReason reason) {
  ReleaseWriteRole(client);
  switch (reason) {
#define TTYHUB_COUNT_CLOSE(name, counter, text) \
  case CloseReason::name:                       \
    ++counters_.counter;                        \
    break;
    TTYHUB_CLOSE_REASONS(TTYHUB_COUNT_CLOSE)
#undef TTYHUB_COUNT_CLOSE
  }
  counters_.telnet_protocol_errors += client.telnet_protocol_errors();
  ReleaseSlot(client);
  --open_clients_;
  input_waiters_.erase(std::remove(input_waiters_.begin(), input_waiters_.end(), &client),
                       input_waiters_.end());
  // Its commands die with it; the writer no longer stops for them.
  input_marks_.erase(input_marks_.begin(),
                     input_marks_.begin() + static_cast<ptrdiff_t>(marks_first_));
  marks_first_ = 0;
  std::erase_if(input_marks_, [&](const InputMark& m) { return m.client == &client; });
  if (open_clients_ == 0) line_->OnClientCountChanged(0);
  // It may have been the lossless client holding the device back. (If its
  // send is still in flight, that send's completion re-pumps.)
  OnRingReleased();
  if (input_) PumpDeviceWrite();  // its marks may have been holding the writer
}

void Port::ScheduleReap() {
  if (reap_scheduled_) return;
  reap_scheduled_ = true;
  ctx_.ports_to_reap.push_back(this);
}

void Port::ReapClosed() {
  reap_scheduled_ = false;
  std::erase_if(clients_, [](const std::unique_ptr<ClientConnection>& c) { return c->finished(); });
  DropIdleRetiredListeners();
}

void Port::DropIdleRetiredListeners() {
  // A retired listener goes once idle and no client refers to it.
  std::erase_if(retired_listeners_, [this](const std::unique_ptr<Listener>& l) {
    return l->Idle() && std::none_of(clients_.begin(), clients_.end(),
                                     [&](const auto& c) { return c->listener() == l.get(); });
  });
}

PortSnapshot Port::Snapshot() {
  PortSnapshot s;
  s.name = config_->name;
  s.device = config_->device.original;
  s.worker = ctx_.worker_index;
  s.device_state = device_state_;
  s.serial = line_ ? line_->settings() : config_->serial;
  s.local = config_->local;
  s.remote = config_->device.kind == DeviceKind::kNetwork;
  s.serial_applies = !device_ || device_->has_line_settings();
  s.counters = counters_;
  if (delivery_latency_) s.latency = delivery_latency_->histogram;
  s.device_rx_rate = device_rx_rate_;
  s.device_tx_rate = device_tx_rate_;
  s.client_tx_rate = client_tx_rate_;
  if (ring_) {
    s.ring_capacity = ring_->capacity();
    s.ring_head = ring_->head();
  }
  if (line_) s.uart = line_->Counters();
  if (alerts_) s.alerts = alerts_->alerts();
  s.write_roles = std::any_of(listeners_.begin(), listeners_.end(), [](const auto& l) {
    return l->config().access == Access::kReadWrite && l->config().write != WriteMode::kShared;
  });
  s.writer_client = writer_ != nullptr ? writer_->id() : 0;
  if (device_state_ != DeviceState::kOpen && rare_) s.device_error = rare_->last_open_error;
  if (console_log_) {
    s.log_enabled = true;
    s.log_path = console_log_->path();
    s.log_timestamps = config_->log.timestamps;
    s.log_input = config_->log.input;
    s.log_keep = config_->log.keep;
  }
  for (const auto& l : listeners_) {
    const ListenerConfig& lc = l->config();
    s.listeners.push_back({l->address(), lc.protocol, lc.access, l->active_clients, lc.max_clients,
                           l->refused_acl, l->enabled});
  }
  for (const auto& c : clients_) {
    // A viewer lapped while waiting for its socket counts its loss now (or
    // is closed, under slow_viewer: disconnect), so lag_bytes never exceeds
    // the ring without bytes_skipped saying why.
    c->AccountLapped();
    if (c->closing()) continue;
    (c->access() == Access::kReadWrite ? s.clients_rw : s.clients_ro)++;
    s.clients.push_back(c->Snapshot());
  }
  s.counters = counters_;  // after the catch-ups above
  return s;
}

absl::Status Port::DisconnectClient(uint64_t id) {
  for (auto& c : clients_) {
    if (c->id() == id && !c->closing()) {
      c->Close(CloseReason::kKicked);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("port ", name(), " has no client ", id));
}

absl::Status Port::SetSerial(const SerialSettings& settings) {
  if (absl::Status s = line_->ChangeSettings(settings); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("port ", name(), ": ", s.message()));
  }
  return absl::OkStatus();
}

void Port::PollModemLines() {
  bool any = false;
  for (const auto& c : clients_) any |= !c->closing() && c->comport_active();
  if (!any) return;
  if (const auto state = line_->PollModemState()) {
    for (auto& c : clients_) c->OnModemState(*state);
  }
}

void Port::OnTick(TimePoint now) {
  // Safety net: device reads paused although the ring has room means some
  // path released the floor without re-pumping. Resume, and say so (the
  // 30-minute soak once saw a port stop reading for good; cause unknown).
  if (device_read_paused_ && device_state_ == DeviceState::kOpen && !poll_in_.in_flight &&
      !ring_->WritableSpan(RingFloor()).empty()) {
    if (rare().repump_log.Admit(now)) {
      ctx_.log->Warn(absl::StrCat("port ", name(),
                                  ": device reads were paused with room in the ring; resumed "
                                  "by the tick (a release path missed its re-pump: a bug)"));
    }
    PumpDeviceRead();
  }
  CheckDevicePoll(now);
  ReleaseIdleInputPages(now);
  if (config_->open_on_connect && open_clients_ == 0 && !shutting_down_) CloseIdleDevice();
  if (console_log_) console_log_->OnTick(now);
  if (!retired_listeners_.empty()) DropIdleRetiredListeners();
  const DeviceLine::TickEvents line = line_->OnTick(now);
  if (line.pulse_ended) PumpDeviceWrite();  // bytes behind the break may go now
  if (line.line_state != 0) {
    for (auto& c : clients_) c->OnLineState(line.line_state);
  }
  PollModemLines();
  if (const auto held = connection_log_.TakeSuppressed(now)) {
    ctx_.log->Info(absl::StrCat(
        "port ", name(), ": ", *held, " client connect/disconnect messages not logged (more than ",
        connection_log_.per_window(), " in ",
        std::chrono::duration_cast<std::chrono::seconds>(connection_log_.window()).count(),
        " s); the counters have them all"));
  }
  if (const auto held = rare_ ? rare_->alert_log.TakeSuppressed(now) : std::nullopt) {
    const LogBudget& budget = rare_->alert_log;
    ctx_.log->Warn(absl::StrCat(
        "port ", name(), ": ", *held, " alert messages not logged (more than ", budget.per_window(),
        " in ", std::chrono::duration_cast<std::chrono::seconds>(budget.window()).count(),
        " s); ttyhub_port_alerts_total has them all"));
  }
  if (now - rate_sampled_at_ >= std::chrono::seconds(1)) {
    if (rate_sampled_at_ != TimePoint{}) {
      const double dt = std::chrono::duration<double>(now - rate_sampled_at_).count();
      device_rx_rate_ =
          static_cast<double>(counters_.device_rx_bytes - rate_base_.device_rx_bytes) / dt;
      device_tx_rate_ =
          static_cast<double>(counters_.device_tx_bytes - rate_base_.device_tx_bytes) / dt;
      client_tx_rate_ =
          static_cast<double>(counters_.client_tx_bytes - rate_base_.client_tx_bytes) / dt;
    }
    rate_sampled_at_ = now;
    rate_base_ = {counters_.device_rx_bytes, counters_.device_tx_bytes, counters_.client_tx_bytes};
  }
  if (device_state_ == DeviceState::kReopening && !shutting_down_ && now >= next_open_attempt_) {
    TryOpenDevice();
  }
  if (device_) device_->OnTick(now);
  for (auto& l : listeners_) l->OnTick(now);
  for (auto& c : clients_) c->OnTick(now);
}

void Port::BeginShutdown(TimePoint deadline) {
  shutting_down_ = true;
  shutdown_deadline_ = deadline;
  for (auto& l : listeners_) l->Stop();
  ctx_.loop->Cancel(poll_in_);  // no more device reads; writes continue to flush
  // Input that reached our sockets before the signal is accepted and flushed.
  for (auto& c : clients_) c->ReadAvailable();
  ShutdownStep(ctx_.now);
}

bool Port::ShutdownStep(TimePoint now) {
  const bool out_of_time = now >= shutdown_deadline_;
  const std::string no_farewell;
  const std::string& farewell = rare_ ? rare_->farewell : no_farewell;
  for (auto& c : clients_) {
    // Drained: nothing left to send, and no command still waiting for the
    // input written before it (the writer keeps flushing meanwhile).
    if (!c->closing() && (out_of_time || (!c->HasPendingOutput() && !c->HasPendingCommands()))) {
      if (farewell.empty()) {
        c->Close(CloseReason::kShutdown, out_of_time ? "flush time exhausted" : "");
      } else {
        // Best effort: a full socket loses it; the log says it anyway.
        (void)!send(c->fd(), farewell.data(), farewell.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        c->Close(CloseReason::kReload, out_of_time ? "flush time exhausted" : "");
      }
    }
  }
  if (device_state_ == DeviceState::kOpen) {
    const bool input_pending = input_ && input_->Pending(input_cursor_) > 0;
    if (out_of_time || !input_pending) {
      WriteDeviceString(config_->close_string, "close_string");
      device_state_ = DeviceState::kClosing;
      ctx_.loop->Cancel(poll_in_);
      ctx_.loop->Cancel(poll_out_);
      if (!DeviceOpsInFlight()) FinishDeviceClose();
    }
  } else if (device_state_ == DeviceState::kReopening || device_state_ == DeviceState::kIdle) {
    device_->Shutdown();
    device_state_ = DeviceState::kStopped;
    ReleaseDeviceClaim();
  }
  // The log takes every byte read before the device stopped, then flushes.
  bool log_idle = true;
  if (console_log_ && device_state_ == DeviceState::kStopped) {
    if (!log_flushing_) {
      log_flushing_ = true;
      console_log_->BeginShutdown();
    }
    if (out_of_time && !console_log_->Idle()) console_log_->Abort();
    log_idle = console_log_->Idle();
  }
  const bool listeners_idle =
      std::all_of(listeners_.begin(), listeners_.end(), [](const auto& l) { return l->Idle(); }) &&
      RetiredListenersIdle();
  const bool clients_done =
      std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->finished(); });
  return listeners_idle && clients_done && device_state_ == DeviceState::kStopped &&
         !DeviceOpsInFlight() && device_->Idle() && log_idle;
}

std::string Port::OlderHistoryFromLog(const HistorySpec& spec) {
  if (!console_log_ || RingHoldsHistory(*ring_, spec)) return "";
  // Log text per device byte: timestamps and input lines take more. A line
  // count is read as up to 512 text bytes a line. Bounded, as the start's
  // seeding is: this read blocks the worker (page-cache speed, as a rule).
  constexpr uint64_t kMaxTextBytes = 16 * 1024 * 1024;
  const uint64_t want_text =
      spec.kind == HistorySpec::Kind::kLines ? spec.amount * 512 : spec.amount * 4;
  absl::StatusOr<std::string> older = console_log_->DeviceBytesBefore(
      ring_->oldest(), static_cast<size_t>(std::min(want_text, kMaxTextBytes)));
  if (!older.ok()) {
    if (rare().history_log.Admit(ctx_.now)) {
      ctx_.log->Warn(absl::StrCat("port ", name(), ": history: cannot read the console log: ",
                                  older.status().message(), "; clients get what the ring holds"));
    }
    return "";
  }
  const size_t n = OlderBytesToReplay(*older, *ring_, spec);
  older->erase(0, older->size() - n);
  return *std::move(older);
}

void Port::SeedRingFromLog() {
  // As much as the largest history asks for (a line count: half the ring),
  // at most half the ring, so the first device bytes do not lap a client
  // replaying it.
  uint64_t want = 0;
  for (const ListenerConfig& lc : config_->listeners) {
    if (lc.history.kind == HistorySpec::Kind::kBytes) want = std::max(want, lc.history.amount);
    if (lc.history.kind == HistorySpec::Kind::kLines) want = ring_->capacity() / 2;
  }
  want = std::min(want, ring_->capacity() / 2);
  if (want == 0 || console_log_->path().empty()) return;
  // Timestamps, input and marker lines take file bytes too: read more.
  constexpr uint64_t kMaxTailBytes = 16 * 1024 * 1024;
  auto tail = ReadFileTail(console_log_->path(), std::min(want * 4, kMaxTailBytes));
  if (!tail.ok()) {
    ctx_.log->Warn(absl::StrCat(
        "port ", name(), ": history: cannot read the console log: ", tail.status().message()));
    return;
  }
  std::string bytes = DeviceBytesFromLogText(tail->text, tail->from_file_start,
                                             config_->log.timestamps, config_->log.input);
  if (bytes.size() > want) bytes.erase(0, bytes.size() - want);
  if (bytes.empty()) return;
  const std::span<uint8_t> space = ring_->WritableSpan(RingFloor());
  const size_t n = std::min(space.size(), bytes.size());
  std::memcpy(space.data(), bytes.data() + (bytes.size() - n), n);
  ring_->Commit(n);
  console_log_->SkipTo(ring_->head());  // already in the file
  ctx_.log->Info(absl::StrCat("port ", name(), ": history: ", n,
                              " bytes from the end of its console log ", console_log_->path()));
}

void Port::BeginRetire(TimePoint deadline, std::string farewell) {
  rare().farewell = std::move(farewell);
  BeginShutdown(deadline);
}

void Port::RetireListeners(const std::vector<std::string>& keys, const std::string& farewell) {
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    Listener* l = it->get();
    if (std::find(keys.begin(), keys.end(), ListenerKey(l->config())) == keys.end()) {
      ++it;
      continue;
    }
    l->Stop();
    for (auto& c : clients_) {
      if (c->listener() != l || c->closing()) continue;
      (void)!send(c->fd(), farewell.data(), farewell.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      c->Close(CloseReason::kReload, "its listener was changed or removed by a reload");
    }
    retired_listeners_.push_back(std::move(*it));
    it = listeners_.erase(it);
  }
}

std::vector<ListenerConfig> Port::RunningListenerConfigs() const {
  std::vector<ListenerConfig> running;
  running.reserve(listeners_.size());
  for (const auto& l : listeners_) running.push_back(l->config());
  return running;
}

void Port::AdoptConfig(std::shared_ptr<const PortConfig> config) { config_ = std::move(config); }

Port::RareState& Port::rare() {
  if (!rare_) rare_ = std::make_unique<RareState>();
  return *rare_;
}

bool Port::RetiredListenersIdle() const {
  return std::all_of(retired_listeners_.begin(), retired_listeners_.end(),
                     [](const auto& l) { return l->Idle(); });
}

absl::Status Port::AddListeners(const std::vector<std::shared_ptr<const ListenerConfig>>& configs) {
  for (const auto& shared : configs) {
    const ListenerConfig& lc = *shared;
    auto listener = std::make_unique<Listener>(*this, shared, ctx_);
    if (absl::Status s = listener->Bind(); !s.ok()) return s;
    listener->StartAccepting();
    ctx_.log->Info(absl::StrCat("port ", name(), ": listening on ", listener->address(), " (",
                                ProtocolName(lc.protocol), ", ", AccessName(lc.access), ", up to ",
                                lc.max_clients, " clients) after a reload"));
    listeners_.push_back(std::move(listener));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> Port::SetListenersEnabled(absl::string_view address, bool on) {
  size_t changed = 0;
  bool found = address.empty();
  for (auto& l : listeners_) {
    if (!address.empty() && l->address() != address) continue;
    if (l->config().is_pty() || l->config().is_cuse()) {
      // Its client is the program on the pty, or ttyhub's own for a cuse
      // device: there is nobody to refuse.
      if (address.empty()) continue;
      return absl::FailedPreconditionError(absl::StrCat("port ", name(), ": ", address, " is a ",
                                                        l->config().is_pty() ? "pty" : "cuse",
                                                        " listener: it is always on"));
    }
    found = true;
    if (l->enabled == on) continue;
    l->enabled = on;
    ++changed;
    ctx_.log->Info(absl::StrCat("port ", name(), ": listener ", l->address(), " switched ",
                                on ? "on" : "off"));
  }
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("port ", name(), " has no listener ", address, " (see ttyhubctl show)"));
  }
  return changed;
}

bool Port::ReopenLog() { return console_log_ && console_log_->Reopen(); }

}  // namespace ttyhub
