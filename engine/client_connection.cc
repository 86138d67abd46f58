// One TCP client: zero-copy sends from the ring, input to the port. See
// client_connection.h.
#include "engine/client_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/event_loop.h"
#include "engine/fanout_ring.h"
#include "engine/listener.h"
#include "engine/logger.h"
#include "engine/port.h"

namespace ttyhub {
namespace {

std::string ErrnoText(int32_t res) { return std::strerror(-res); }

}  // namespace

ClientConnection::ClientConnection(Port& port, Listener& listener, WorkerContext& ctx, int fd,
                                   uint64_t id, std::string peer, uint64_t start_cursor)
    : port_(port),
      listener_(listener),
      ctx_(ctx),
      fd_(fd),
      id_(id),
      peer_(std::move(peer)),
      access_(listener.config().access),
      policy_(listener.config().slow_policy),
      cursor_(start_cursor),
      connected_at_(ctx.now),
      connected_unix_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()),
      last_activity_(ctx.now) {
  const ListenerConfig& lc = listener.config();
  if (lc.protocol != Protocol::kRaw) {
    std::string signature = lc.signature.empty()
                                ? absl::StrCat("ttyhub ", TTYHUB_VERSION, " ", port.name())
                                : lc.signature;
    telnet_ = std::make_unique<TelnetSession>(lc.protocol == Protocol::kRfc2217, *this,
                                              std::move(signature));
  }
}

ClientConnection::~ClientConnection() {
  // Destroyed only when finished(): no operation references us.
  if (fd_ >= 0) close(fd_);
}

std::string ClientConnection::Describe() const {
  return absl::StrCat("#", id_, " ", peer_, " (", AccessName(access_), ")");
}

ClientSnapshot ClientConnection::Snapshot() const {
  ClientSnapshot s;
  s.id = id_;
  s.peer = peer_;
  s.access = access_;
  s.listener = listener_.address();
  s.connected_unix_ms = connected_unix_ms_;
  s.bytes_in = bytes_received_;
  s.bytes_out = bytes_sent_;
  s.bytes_skipped = bytes_skipped_;
  s.lag_bytes = port_.ring().head() - cursor_;
  return s;
}

bool ClientConnection::HasPendingOutput() const {
  return escape_owed_ || !control_sending_.empty() || (telnet_ && !telnet_->output().empty()) ||
         preamble_sent_ < preamble_.size() || port_.ring().Pending(cursor_) > 0;
}

void ClientConnection::Start(std::string preamble) {
  preamble_ = std::move(preamble);
  if (telnet_) telnet_->Start();
  MaybeSend();
  ArmPollIn();
}

// Order on the wire: an owed escape byte (it completes a sequence already
// partly sent), then telnet answers, then the banner, then port data.
void ClientConnection::MaybeSend() {
  if (closing_ || send_.in_flight || poll_out_.in_flight) return;
  const void* data = nullptr;
  size_t len = 0;
  if (escape_owed_) {
    data = &owed_byte_;
    len = 1;
    sending_ = Sending::kOwedEscape;
  } else if (telnet_ && (!control_sending_.empty() || !telnet_->output().empty())) {
    // Copy the answers out of the session: it may append more while this
    // send is queued, and must not move memory the send points at.
    if (control_sending_.empty()) control_sending_.swap(telnet_->output());
    data = control_sending_.data();
    len = control_sending_.size();
    sending_ = Sending::kControl;
  } else if (preamble_sent_ < preamble_.size()) {
    data = preamble_.data() + preamble_sent_;
    len = preamble_.size() - preamble_sent_;
    sending_ = Sending::kPreamble;
  } else {
    if (!preamble_.empty()) std::string().swap(preamble_), preamble_sent_ = 0;
    SendRingData();
    return;
  }
  send_len_ = len;
  io_uring_prep_send(ctx_.loop->Prepare(send_), fd_, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

bool ClientConnection::SendRingData() {
  if (output_suspended_) return false;
  FanoutRing& ring = port_.ring();
  if (ring.Lapped(cursor_)) {
    if (policy_ == SlowClientPolicy::kDisconnect) {
      ++port_.counters().disconnects_lapped;
      Close("lapped by the device stream (slow_viewer: disconnect)");
      return false;
    }
    const uint64_t skipped = ring.CatchUp(&cursor_);
    bytes_skipped_ += skipped;
    port_.counters().skipped_bytes += skipped;
  }
  const auto span = ring.ReadableSpan(cursor_, kMaxSend);
  if (span.empty()) return false;
  sending_ = Sending::kRing;
  ring_send_in_flight_ = true;
  if (!telnet_) {
    send_len_ = span.size();
    io_uring_prep_send(ctx_.loop->Prepare(send_), fd_, span.data(), span.size(),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    return true;
  }
  if (!telnet_send_) telnet_send_ = std::make_unique<TelnetSend>();
  TelnetSendPlan& plan = telnet_send_->plan;
  TelnetEncoder::Plan(span.data(), span.size(), telnet_->binary_to_client(), &plan);
  send_len_ = plan.wire_bytes;
  if (plan.iovcnt == 1) {
    io_uring_prep_send(ctx_.loop->Prepare(send_), fd_, plan.iov[0].iov_base, plan.iov[0].iov_len,
                       MSG_DONTWAIT | MSG_NOSIGNAL);
  } else {
    msghdr& msg = telnet_send_->msg;
    msg = {};
    msg.msg_iov = plan.iov;
    msg.msg_iovlen = static_cast<size_t>(plan.iovcnt);
    io_uring_prep_sendmsg(ctx_.loop->Prepare(send_), fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  return true;
}

void ClientConnection::OnSendDone(int32_t res) {
  const Sending what = sending_;
  sending_ = Sending::kNothing;
  const bool was_ring = ring_send_in_flight_;
  ring_send_in_flight_ = false;
  if (closing_) {
    FinishIfIdle();
    return;
  }
  if (res == -EAGAIN || res == -EWOULDBLOCK) {
    if (blocked_since_ == TimePoint{}) blocked_since_ = ctx_.now;
    ArmPollOut();
    if (was_ring) port_.OnClientProgress();  // the pin is released
    return;
  }
  if (res < 0) {
    Close(absl::StrCat("send failed: ", ErrnoText(res)));
    return;
  }
  const size_t n = static_cast<size_t>(res);
  switch (what) {
    case Sending::kOwedEscape:
      escape_owed_ = n == 0;
      break;
    case Sending::kControl:
      control_sending_.erase(0, n);
      break;
    case Sending::kPreamble:
      preamble_sent_ += n;
      break;
    case Sending::kRing: {
      size_t consumed = n;
      if (telnet_) {
        TelnetEncoder::Account(telnet_send_->plan, n, &consumed, &escape_owed_, &owed_byte_);
      }
      port_.RecordDelivered(cursor_, cursor_ + consumed);
      cursor_ += consumed;
      PortCounters& c = port_.counters();
      c.client_tx_bytes += consumed;
      (access_ == Access::kReadWrite ? c.client_tx_rw_bytes : c.client_tx_ro_bytes) += consumed;
      ApplyPendingPurge();
      break;
    }
    case Sending::kNothing:
      break;
  }
  bytes_sent_ += n;
  if (n > 0) last_activity_ = ctx_.now;
  if (n < send_len_) {
    // Socket buffer full: wait for room, referencing nothing meanwhile.
    blocked_since_ = ctx_.now;
    ArmPollOut();
  } else {
    if (!output_suspended_) blocked_since_ = TimePoint{};
    MaybeSend();
  }
  if (was_ring) port_.OnClientProgress();
}

void ClientConnection::ArmPollOut() {
  if (closing_ || poll_out_.in_flight) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(poll_out_), fd_, POLLOUT);
}

void ClientConnection::ArmPollIn() {
  if (closing_ || poll_in_.in_flight || input_paused_ || input_closed_) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(poll_in_), fd_, POLLIN | POLLRDHUP);
}

void ClientConnection::DrainInput() {
  if (closing_ || input_closed_ || input_paused_ || access_ != Access::kReadWrite) return;
  for (;;) {
    const ssize_t n = port_.ReceiveInput(*this, fd_);
    if (n == Port::kInputQueueFull) {
      input_paused_ = true;
      return;
    }
    if (n <= 0) return;
    bytes_received_ += static_cast<uint64_t>(n);
  }
}

void ClientConnection::ResumeInput() {
  input_paused_ = false;
  ArmPollIn();
}

void ClientConnection::OnReadable(int32_t res) {
  if (res < 0) {
    Close(absl::StrCat("poll failed: ", ErrnoText(res)));
    return;
  }
  ssize_t n;
  if (access_ == Access::kReadOnly) {
    n = recv(fd_, ctx_.discard_buffer.data(), ctx_.discard_buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      bytes_received_ += static_cast<uint64_t>(n);
      // Telnet viewers still negotiate; only their data is discarded.
      port_.counters().discarded_ro_bytes +=
          DecodeInput(ctx_.discard_buffer.data(), static_cast<size_t>(n));
    }
  } else {
    n = port_.ReceiveInput(*this, fd_);
    if (n == Port::kInputQueueFull) {
      input_paused_ = true;  // the port resumes us when the queue drains
      return;
    }
    if (n > 0) bytes_received_ += static_cast<uint64_t>(n);
  }
  if (n == 0) {
    // Half-close (e.g. `echo cmd | nc -q 2 host port`): no more input, but
    // keep sending output until the peer closes fully or a timeout fires.
    // A FIN looks the same whether the peer half-closed or closed, so do
    // what socat does: keep sending while output flows, and close once the
    // connection has been quiet for kHalfCloseLinger (see OnTick).
    input_closed_ = true;
    last_activity_ = ctx_.now;
    return;
  }
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    Close(absl::StrCat("receive failed: ", std::strerror(errno)));
    return;
  }
  if (n > 0) last_activity_ = ctx_.now;
  AfterInput();
  ArmPollIn();
}

size_t ClientConnection::DecodeInput(uint8_t* buf, size_t n) {
  return telnet_ ? telnet_->DecodeInput(buf, n) : n;
}

void ClientConnection::AfterInput() {
  if (!telnet_ || closing_) return;
  telnet_->ProcessEvents();
  if (telnet_->output().size() + control_sending_.size() > kMaxControlBacklog) {
    Close("telnet answers piling up unread (a client flooding requests)");
    return;
  }
  MaybeSend();
}

void ClientConnection::OnModemState(uint8_t state) {
  if (!telnet_ || closing_) return;
  telnet_->OnModemState(state);
  MaybeSend();
}

void ClientConnection::OnLineState(uint8_t state) {
  if (!telnet_ || closing_) return;
  telnet_->OnLineState(state);
  MaybeSend();
}

void ClientConnection::CountRefusedChange() { ++port_.counters().rfc2217_refused_changes; }

SerialSettings ClientConnection::LineSettings() const { return port_.config().serial; }

SerialSettings ClientConnection::ChangeLineSettings(const SerialSettings& wanted) {
  ++port_.counters().rfc2217_changes;
  const absl::Status s = port_.SetSerial(wanted);
  if (!s.ok()) {
    ctx_.log->Warn(absl::StrCat("port ", port_.name(), ": client ", Describe(), ": cannot apply ",
                                FormatSerialSettings(wanted), ": ", s.message()));
  }
  return port_.config().serial;
}

bool ClientConnection::BreakState() const { return port_.break_on(); }
void ClientConnection::SetBreakState(bool on) { port_.SetBreak(on); }
void ClientConnection::SendBreakPulse() { port_.SendBreakPulse(); }
bool ClientConnection::OutputLine(int line) const { return port_.OutputLine(line); }
void ClientConnection::SetOutputLine(int line, bool on) { port_.SetOutputLine(line, on); }
uint8_t ClientConnection::ModemState() { return port_.ModemState(); }
uint8_t ClientConnection::LineState() { return port_.line_state(); }

void ClientConnection::Purge(bool rx, bool tx) {
  if (rx) {
    // Drop what we have not sent. A send in flight still owns the cursor;
    // the purge then happens when it completes.
    rx_purge_pending_ = true;
    ApplyPendingPurge();
  }
  if (tx) port_.PurgeInput();
}

void ClientConnection::ApplyPendingPurge() {
  if (!rx_purge_pending_ || ring_send_in_flight_) return;
  rx_purge_pending_ = false;
  cursor_ = std::max(cursor_, port_.ring().head());
  escape_owed_ = false;
  port_.OnClientProgress();  // it may have been holding the ring
}

void ClientConnection::SuspendOutput(bool suspended) {
  output_suspended_ = suspended;
  if (suspended) {
    // A suspended lossless client is a client that accepts nothing:
    // stall_timeout bounds how long it may hold the port.
    if (blocked_since_ == TimePoint{}) blocked_since_ = ctx_.now;
  } else {
    blocked_since_ = TimePoint{};
    MaybeSend();
  }
}

void ClientConnection::OnIoComplete(IoRequest& req, int32_t res, uint32_t) {
  switch (req.kind) {
    case kSend:
      OnSendDone(res);
      return;
    case kPollOut:
      if (closing_) break;
      if (res < 0) {
        Close(absl::StrCat("poll failed: ", ErrnoText(res)));
        return;
      }
      if (!output_suspended_) blocked_since_ = TimePoint{};  // writable again
      MaybeSend();
      return;
    case kPollIn:
      if (closing_) break;
      OnReadable(res);
      return;
  }
  FinishIfIdle();
}

void ClientConnection::OnTick(TimePoint now) {
  if (closing_) return;
  if (input_closed_ && !HasPendingOutput() && now - last_activity_ >= kHalfCloseLinger) {
    Close("closed by peer");
    return;
  }
  const ListenerConfig& cfg = listener_.config();
  if (cfg.idle_timeout.count() > 0 && now - last_activity_ >= cfg.idle_timeout) {
    ++port_.counters().disconnects_idle_timeout;
    Close(absl::StrCat("inactivity timeout (", cfg.idle_timeout.count() / 1000.0, " s)"));
    return;
  }
  if (policy_ == SlowClientPolicy::kBackpressure && cfg.stall_timeout.count() > 0 &&
      blocked_since_ != TimePoint{} && now - blocked_since_ >= cfg.stall_timeout) {
    ++port_.counters().disconnects_stalled;
    Close(absl::StrCat("stalled: accepted no data for ", cfg.stall_timeout.count() / 1000.0,
                       " s (stall_timeout)"));
    return;
  }
  if (policy_ == SlowClientPolicy::kDisconnect && !ring_send_in_flight_ &&
      port_.ring().Lapped(cursor_)) {
    ++port_.counters().disconnects_lapped;
    Close("lapped by the device stream (slow_viewer: disconnect)");
  }
}

void ClientConnection::Close(absl::string_view reason) {
  if (closing_) return;
  closing_ = true;
  if (ctx_.log->Enabled(LogLevel::kInfo) && port_.AdmitConnectionLog()) {
    const double seconds = std::chrono::duration<double>(ctx_.now - connected_at_).count();
    ctx_.log->Info(absl::StrCat("port ", port_.name(), ": client ", Describe(),
                                " disconnected: ", reason, "; sent ", bytes_sent_, " B, received ",
                                bytes_received_, " B, skipped ", bytes_skipped_, " B in ",
                                absl::SixDigits(seconds), " s"));
  }
  if (telnet_) port_.counters().telnet_protocol_errors += telnet_->protocol_errors();
  port_.OnClientClosing(*this);
  ctx_.loop->Cancel(send_);
  ctx_.loop->Cancel(poll_out_);
  ctx_.loop->Cancel(poll_in_);
  FinishIfIdle();
}

void ClientConnection::FinishIfIdle() {
  if (!closing_ || finished_ || AnyInFlight()) return;
  close(fd_);
  fd_ = -1;
  finished_ = true;
  port_.OnClientFinished();
}

}  // namespace ttyhub
