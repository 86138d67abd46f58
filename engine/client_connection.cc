// One TCP client: zero-copy sends from the ring, input to the port. See
// client_connection.h.
#include "engine/client_connection.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/event_loop.h"
#include "engine/fanout_ring.h"
#include "engine/logger.h"

namespace ttyhub {
namespace {

std::string ErrnoText(int32_t res) { return std::strerror(-res); }

}  // namespace

ClientConnection::ClientConnection(ClientHost& host, PortLine& line, Origin origin,
                                   WorkerContext& ctx, int fd, uint64_t id, std::string peer,
                                   uint64_t start_cursor)
    : host_(host),
      line_(line),
      origin_(origin),
      ctx_(ctx),
      fd_(fd),
      id_(id),
      peer_(std::move(peer)),
      access_(origin.access),
      policy_(origin.config->slow_policy),
      cursor_(start_cursor),
      pty_(origin.config->is_pty()),
      connected_at_(ctx.now),
      connected_unix_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()),
      last_activity_(ctx.now),
      last_tick_(ctx.now) {
  const ListenerConfig& lc = *origin.config;
  if (pty_) pty_settings_ = std::make_unique<PtySettingsWatch>(*ctx.tty);
  if (lc.protocol != Protocol::kRaw) {
    std::string signature = lc.signature.empty()
                                ? absl::StrCat("ttyhub ", TTYHUB_VERSION, " ", host.port_name())
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
  s.writer = writes();
  s.listener = *origin_.address;
  s.connected_unix_ms = connected_unix_ms_;
  s.bytes_in = bytes_received_;
  s.bytes_out = bytes_sent_;
  s.bytes_skipped = bytes_skipped_;
  s.lag_bytes = host_.output().head() - cursor_;
  return s;
}

bool ClientConnection::HasPendingOutput() const {
  return escape_owed_ || !control_sending_.empty() || (telnet_ && !telnet_->output().empty()) ||
         !notices_.empty() || !notice_sending_.empty() || preamble_sent_ < preamble_.size() ||
         !seam_marker_.empty() || host_.output().Pending(cursor_) > 0;
}

void ClientConnection::Start(std::string preamble, uint64_t seam, std::string seam_marker) {
  preamble_ = std::move(preamble);
  seam_ = seam;
  seam_marker_ = std::move(seam_marker);
  if (telnet_) telnet_->Start();
  if (pty_settings_) {
    if (absl::Status s = pty_settings_->Start(fd_, line_.settings()); !s.ok()) {
      ctx_.log->Warn(absl::StrCat("port ", host_.port_name(), ": client ", Describe(),
                                  ": cannot set up the pty's termios: ", s.message(),
                                  "; termios changes may go unseen"));
    }
  }
  MaybeSend();
  ArmPollIn();
}

void ClientConnection::PrepareSend(const void* data, size_t len) {
  io_uring_sqe* sqe = ctx_.loop->Prepare(send_);
  if (pty_) {
    // A tty has no send(2). The master is non-blocking, so the write
    // returns EAGAIN rather than wait when the pty is full (-1: no offset,
    // a stream).
    io_uring_prep_write(sqe, fd_, data, static_cast<unsigned>(len), static_cast<uint64_t>(-1));
  } else {
    io_uring_prep_send(sqe, fd_, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
}

ssize_t ClientConnection::ReceiveSome(uint8_t* buf, size_t len) {
  if (!pty_) return recv(fd_, buf, len, MSG_DONTWAIT);
  // Packet mode: each read starts with a status byte, TIOCPKT_DATA (0)
  // before data, or alone with status bits set (a termios change, a flush).
  uint8_t status = 0;
  iovec iov[2] = {{&status, 1}, {buf, len}};
  const ssize_t n = readv(fd_, iov, 2);
  if (n <= 0) {
    // No EOF on a pty whose slave ttyhub holds open; EIO means it hung up.
    if (n == 0) errno = EAGAIN;
    return n < 0 ? n : -1;
  }
  if (status != TIOCPKT_DATA) pty_status_ |= status;
  if (n == 1) {
    errno = EAGAIN;
    return -1;
  }
  pty_poll_errors_ = 0;
  return n - 1;
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
  } else if (!notice_sending_.empty() || !notices_.empty()) {
    if (notice_sending_.empty()) notice_sending_.swap(notices_);
    data = notice_sending_.data();
    len = notice_sending_.size();
    sending_ = Sending::kNotice;
  } else if (preamble_sent_ < preamble_.size() || (!seam_marker_.empty() && cursor_ >= seam_)) {
    if (preamble_sent_ == preamble_.size()) {
      // The history has been sent: its closing marker goes out next, once.
      preamble_ = std::move(seam_marker_);
      seam_marker_.clear();
      preamble_sent_ = 0;
    }
    data = preamble_.data() + preamble_sent_;
    len = preamble_.size() - preamble_sent_;
    sending_ = Sending::kPreamble;
  } else {
    if (!preamble_.empty()) std::string().swap(preamble_), preamble_sent_ = 0;
    SendRingData();
    return;
  }
  send_len_ = len;
  PrepareSend(data, len);
}

void ClientConnection::SetMayWrite(bool may_write, std::string notice) {
  may_write_ = may_write;
  if (!notice.empty()) QueueNotice(std::move(notice));
}

void ClientConnection::QueueNotice(std::string text) {
  if (closing_) return;
  // Bounded: a client that reads nothing cannot make this grow for long
  // (role changes are rare), but keep a cap anyway.
  if (notices_.size() + text.size() > 4096) return;
  notices_ += text;
  MaybeSend();
}

void ClientConnection::AccountLapped() {
  if (ring_send_in_flight_ || closing_ || !host_.output().Lapped(cursor_)) return;
  if (policy_ == SlowClientPolicy::kDisconnect) {
    Close(CloseReason::kLapped);
    return;
  }
  if (policy_ != SlowClientPolicy::kSkip && !shedding_) return;
  const uint64_t skipped = host_.output().CatchUp(&cursor_);
  if (skipped == 0) return;
  bytes_skipped_ += skipped;
  host_.OnSkipped(skipped);
}

bool ClientConnection::SendRingData() {
  if (output_suspended_) return false;
  const FanoutRing& ring = host_.output();
  if (ring.Lapped(cursor_)) {
    AccountLapped();  // catches up, or closes a slow_viewer: disconnect client
    if (closing_) return false;
  }
  // History ends at the seam, where its marker goes between it and live data.
  const size_t max = !seam_marker_.empty() && cursor_ < seam_
                         ? static_cast<size_t>(std::min<uint64_t>(seam_ - cursor_, kMaxSend))
                         : kMaxSend;
  const auto span = ring.ReadableSpan(cursor_, max);
  if (span.empty()) return false;
  sending_ = Sending::kRing;
  ring_send_in_flight_ = true;
  if (!telnet_) {
    send_len_ = span.size();
    PrepareSend(span.data(), span.size());
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

void ClientConnection::NoteBlocked() {
  if (blocked_since_ == TimePoint{}) blocked_since_ = ctx_.now;
}

void ClientConnection::OnSendDone(int32_t res) {
  const Sending what = sending_;
  sending_ = Sending::kNothing;
  const bool was_ring = ring_send_in_flight_;
  ring_send_in_flight_ = false;
  // What a send delivered reached the peer, so it is counted even if the
  // client is closing meanwhile.
  if (res > 0) {
    pty_poll_errors_ = 0;
    if (shedding_ && what == Sending::kRing) {
      // The program reads again: hold the ring again, from here (the send
      // pinned the cursor, so it is not lapped).
      shedding_ = false;
      if (host_.AdmitConnectionLog()) {
        ctx_.log->Info(absl::StrCat("port ", host_.port_name(), ": client ", Describe(),
                                    ": the program reads again; lossless again"));
      }
    }
    bytes_sent_ += static_cast<uint64_t>(res);
    if (what == Sending::kRing) {
      size_t consumed = static_cast<size_t>(res);
      if (telnet_) {
        TelnetEncoder::Account(telnet_send_->plan, consumed, &consumed, &escape_owed_, &owed_byte_);
      }
      host_.OnDelivered(*this, cursor_, cursor_ + consumed);
      cursor_ += consumed;
    }
  }
  if (closing_) {
    // The pin is released whether or not the client is still open: the
    // port may have paused device reads on it (a kick, a timeout or an
    // error that closed the client while this send was in flight).
    FinishIfIdle();
    if (was_ring) host_.OnRingReleased();
    return;
  }
  if (res == -EAGAIN || res == -EWOULDBLOCK) {
    NoteBlocked();
    ArmPollOut();
    if (was_ring) host_.OnRingReleased();
    return;
  }
  if (res < 0) {
    Close(CloseReason::kPeerError, absl::StrCat("send failed: ", ErrnoText(res)));
    if (was_ring) host_.OnRingReleased();
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
    case Sending::kNotice:
      notice_sending_.erase(0, n);
      break;
    case Sending::kPreamble:
      preamble_sent_ += n;
      break;
    case Sending::kRing:
      ApplyPendingPurge();
      break;
    case Sending::kNothing:
      break;
  }
  if (n > 0) last_activity_ = ctx_.now;
  // The socket accepted bytes and the client is not holding output back:
  // it is keeping up, whatever it did before. (A suspended client's telnet
  // answers do not count: it still accepts no port data.)
  if (n > 0 && !output_suspended_) blocked_since_ = TimePoint{};
  if (n < send_len_) {
    // Socket buffer full: wait for room, referencing nothing meanwhile.
    NoteBlocked();
    ArmPollOut();
  } else {
    MaybeSend();
  }
  if (was_ring) host_.OnRingReleased();
}

void ClientConnection::ArmPollOut() {
  if (closing_ || poll_out_.in_flight) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(poll_out_), fd_, POLLOUT);
}

void ClientConnection::ArmPollIn() {
  if (closing_ || poll_in_.in_flight || input_paused_ || input_closed_) return;
  io_uring_prep_poll_add(ctx_.loop->Prepare(poll_in_), fd_, POLLIN | POLLRDHUP);
}

ClientConnection::ReadResult ClientConnection::ReadIntoQueue() {
  if (telnet_ && telnet_->pending_events() >= kMaxPendingCommands) {
    input_paused_ = true;  // RunInputCommands resumes us
    return ReadResult::kQueueFull;
  }
  ClientHost::InputSpan in = host_.InputSpace(*this, 1);
  if (!in.space.empty() && in.space.size() < kAtomicInput) {
    // Little room left: take the waiting chunk only if it fits whole, so
    // another client's bytes can never land inside it.
    int waiting = 0;
    if (ioctl(fd_, FIONREAD, &waiting) == 0 && waiting > 0) {
      const size_t needed = std::min<size_t>(static_cast<size_t>(waiting), kAtomicInput);
      if (needed > in.space.size()) in = host_.InputSpace(*this, needed);
    }
  }
  if (in.space.empty()) {
    input_paused_ = true;  // the host resumes us when the queue drains
    return ReadResult::kQueueFull;
  }
  // Telnet input in bites of at most 4 KiB, so one recv cannot bring
  // thousands of commands past the bound on waiting ones (a raw client's
  // bytes are all data and need no such limit).
  const size_t max = telnet_ ? std::min(in.space.size(), kAtomicInput) : in.space.size();
  const ssize_t n = ReceiveSome(in.space.data(), max);
  if (const std::optional<ReadResult> r = NoteReceived(n)) return *r;
  const size_t data =
      telnet_ ? telnet_->DecodeInput(in.space.data(), static_cast<size_t>(n), in.position)
              : static_cast<size_t>(n);
  host_.CommitInput(data);
  input_end_ = in.position + data;
  if (telnet_) {
    telnet_->TakeNewCommandPositions(
        [this](uint64_t position) { host_.MarkInputCommand(*this, position); });
  }
  host_.PumpInput();  // writes to the device; runs commands whose turn came
  AfterCommands();    // answers to negotiation, acted on as it was decoded
  return closing_ ? ReadResult::kClosed : ReadResult::kData;
}

std::optional<ClientConnection::ReadResult> ClientConnection::NoteReceived(ssize_t n) {
  if (n == 0) return ReadResult::kEof;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return ReadResult::kWouldBlock;
    Close(CloseReason::kPeerError, absl::StrCat("receive failed: ", std::strerror(errno)));
    return ReadResult::kClosed;
  }
  bytes_received_ += static_cast<uint64_t>(n);
  last_activity_ = ctx_.now;
  return std::nullopt;
}

ClientConnection::ReadResult ClientConnection::ReadAndDiscard() {
  const std::span<uint8_t> scratch = ctx_.DiscardBuffer();
  const ssize_t n = ReceiveSome(scratch.data(), scratch.size());
  if (const std::optional<ReadResult> r = NoteReceived(n)) return *r;
  // Telnet viewers still negotiate; only their data is discarded. Nothing
  // of theirs reaches the device, so their commands need no ordering.
  size_t data = static_cast<size_t>(n);
  if (telnet_) {
    data = telnet_->DecodeInput(scratch.data(), data, 0);
    telnet_->ProcessEventsThrough(UINT64_MAX);
    AfterCommands();
  }
  host_.OnDiscarded(data);
  return closing_ ? ReadResult::kClosed : ReadResult::kData;
}

ClientConnection::ReadResult ClientConnection::ReadOnce() {
  const ReadResult r = writes() ? ReadIntoQueue() : ReadAndDiscard();
  if (r == ReadResult::kEof) OnPeerFinished();
  if (pty_status_ != 0 && !closing_) OnPtyStatus();
  return r;
}

void ClientConnection::OnPtyStatus() {
  const uint8_t status = pty_status_;
  pty_status_ = 0;
  // Flushes (TIOCPKT_FLUSHREAD/WRITE) and XON/XOFF state (TIOCPKT_STOP,
  // _START, _DOSTOP, _NOSTOP) concern the pty's own buffers: nothing to do.
  if ((status & TIOCPKT_IOCTL) == 0) return;
  const SerialSettings base = pty_wanted_.value_or(line_.settings());
  const std::optional<SerialSettings> wanted = pty_settings_->Check(fd_, base);
  if (!wanted) return;
  if (!MayChange()) {
    CountRefusedChange();
    if (host_.AdmitConnectionLog()) {
      ctx_.log->Info(absl::StrCat("port ", host_.port_name(), ": client ", Describe(),
                                  ": the program asked for ", FormatSerialSettings(*wanted),
                                  ", flow ", FlowControlName(wanted->flow),
                                  "; not applied: read-only"));
    }
    return;
  }
  // The status byte is read ahead of the data written before the change:
  // take that data first, so the change lands after it in the input stream
  // (a program that writes a command, then changes the speed, has the
  // command written at the old speed).
  pty_wanted_ = *wanted;
  while (!closing_ && !input_paused_ && ReadIntoQueue() == ReadResult::kData) {
  }
  if (closing_) return;
  host_.MarkInputCommand(*this, input_end_);
  host_.PumpInput();  // runs the mark at once if the device has taken the rest
  if (pty_status_ != 0 && !closing_) OnPtyStatus();  // another change, read meanwhile
}

void ClientConnection::OnPeerFinished() {
  // Half-close (e.g. `echo cmd | nc -q 2 host port`): no more input, but
  // keep sending output until the peer closes fully or a timeout fires.
  // A FIN looks the same whether the peer half-closed or closed, so do
  // what socat does: keep sending while output flows, and close once the
  // connection has been quiet for kHalfCloseLinger (see OnTick). Either
  // way the peer is leaving: its slot is free for whoever comes next.
  input_closed_ = true;
  last_activity_ = ctx_.now;
  if (!slot_released_) host_.ReleaseSlot(*this);
}

void ClientConnection::ReadAvailable() {
  if (closing_ || input_closed_ || input_paused_) return;
  for (;;) {
    if (ReadOnce() != ReadResult::kData) return;
  }
}

void ClientConnection::ResumeInput() {
  input_paused_ = false;
  ArmPollIn();
}

void ClientConnection::OnReadable(int32_t res) {
  // A pending poll on a tty fails (EINVAL, on 6.18) when its termios change,
  // which is what a pty listener's program does: read and poll again, unless
  // it keeps failing with no I/O in between.
  if (res < 0 && (!pty_ || ++pty_poll_errors_ > 100)) {
    Close(CloseReason::kPeerError, absl::StrCat("poll failed: ", ErrnoText(res)));
    return;
  }
  switch (ReadOnce()) {
    case ReadResult::kData:
    case ReadResult::kWouldBlock:
      ArmPollIn();
      return;
    case ReadResult::kQueueFull:  // resumed by the host
    case ReadResult::kEof:
    case ReadResult::kClosed:
      return;
  }
}

void ClientConnection::RunInputCommands(uint64_t position) {
  if (pty_wanted_ && !closing_) {
    const SerialSettings wanted = *pty_wanted_;
    pty_wanted_.reset();
    ChangeLineSettings(wanted);  // logged by the line; a refusal is logged here
  }
  if (!telnet_ || closing_) return;
  telnet_->ProcessEventsThrough(position);
  AfterCommands();
  if (!closing_ && input_paused_ && telnet_->pending_events() < kMaxPendingCommands / 2) {
    ResumeInput();
  }
}

void ClientConnection::AfterCommands() {
  if (!telnet_ || closing_) return;
  if (telnet_->output().size() + control_sending_.size() > kMaxControlBacklog) {
    Close(CloseReason::kControlBacklog);
    return;
  }
  MaybeSend();
}

void ClientConnection::OnModemState(uint8_t state) {
  if (!telnet_ || closing_) return;
  telnet_->OnModemState(state);
  AfterCommands();
}

void ClientConnection::OnLineState(uint8_t state) {
  if (!telnet_ || closing_) return;
  telnet_->OnLineState(state);
  AfterCommands();
}

void ClientConnection::CountRefusedChange() { host_.OnLineChangeRequest(/*refused=*/true); }

SerialSettings ClientConnection::LineSettings() const { return line_.settings(); }

SerialSettings ClientConnection::ChangeLineSettings(const SerialSettings& wanted) {
  host_.OnLineChangeRequest(/*refused=*/false);
  const absl::Status s = line_.ChangeSettings(wanted);
  if (!s.ok() && host_.AdmitConnectionLog()) {
    ctx_.log->Warn(absl::StrCat("port ", host_.port_name(), ": client ", Describe(),
                                ": cannot apply ", FormatSerialSettings(wanted), ": ",
                                s.message()));
  }
  return line_.settings();
}

bool ClientConnection::BreakState() const { return line_.break_on(); }
void ClientConnection::SetBreakState(bool on) { line_.SetBreak(on); }
void ClientConnection::SendBreakPulse() { line_.SendBreakPulse(); }
bool ClientConnection::OutputLine(int line) const { return line_.OutputLine(line); }
void ClientConnection::SetOutputLine(int line, bool on) { line_.SetOutputLine(line, on); }
uint8_t ClientConnection::ModemState() { return line_.ModemState(); }
uint8_t ClientConnection::LineState() { return line_.LineState(); }

void ClientConnection::Purge(bool rx, bool tx) {
  if (rx) {
    // Drop what we have not sent. A send in flight still owns the cursor;
    // the purge then happens when it completes.
    rx_purge_pending_ = true;
    ApplyPendingPurge();
  }
  if (tx && writes()) host_.PurgeInput(*this);
}

void ClientConnection::ApplyPendingPurge() {
  if (!rx_purge_pending_ || ring_send_in_flight_) return;
  rx_purge_pending_ = false;
  cursor_ = std::max(cursor_, host_.output().head());
  // An owed escape byte stays owed: its data byte is already on the wire,
  // and without the escape the telnet stream would be corrupt.
  host_.OnRingReleased();  // it may have been holding the ring
}

void ClientConnection::SuspendOutput(bool suspended) {
  // A suspended lossless client is a client that accepts nothing: OnTick
  // adds up the time it spends suspended with data waiting, across
  // SUSPEND/RESUME toggles, against stall_timeout.
  output_suspended_ = suspended;
  if (!suspended) MaybeSend();
}

void ClientConnection::OnIoComplete(IoRequest& req, int32_t res, uint32_t) {
  switch (req.kind) {
    case kSend:
      OnSendDone(res);
      return;
    case kPollOut:
      if (closing_) break;
      if (res < 0 && (!pty_ || ++pty_poll_errors_ > 100)) {
        Close(CloseReason::kPeerError, absl::StrCat("poll failed: ", ErrnoText(res)));
        return;
      }
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
  AccountLapped();
  if (closing_) return;
  // After the peer's FIN, output is kept flowing while it can; a client
  // that also suspended its output never will. Commands it sent still wait
  // for their turn (they are part of what it asked for).
  if (input_closed_ && (!HasPendingOutput() || output_suspended_) && !HasPendingCommands() &&
      now - last_activity_ >= kHalfCloseLinger) {
    Close(CloseReason::kPeerClosed);
    return;
  }
  const ListenerConfig& cfg = *origin_.config;
  if (cfg.idle_timeout.count() > 0 && now - last_activity_ >= cfg.idle_timeout) {
    Close(CloseReason::kIdleTimeout, absl::StrCat(cfg.idle_timeout.count() / 1000.0, " s"));
    return;
  }
  // Two clocks against stall_timeout. The socket clock runs while the
  // socket accepts nothing with data waiting. The suspension budget adds up
  // the time spent suspended with data waiting: a RESUME lets the kernel's
  // buffers (MiBs) swallow data and so stops the socket clock, but not this
  // one, which is only reset after stall_timeout without suspension.
  const Clock::duration dt = now - last_tick_;
  last_tick_ = now;
  const bool waiting = HasPendingOutput();
  if (!waiting) blocked_since_ = TimePoint{};
  if (output_suspended_) {
    if (waiting) suspended_hold_ += dt;
    unsuspended_for_ = Clock::duration::zero();
  } else {
    unsuspended_for_ += dt;
    if (unsuspended_for_ >= cfg.stall_timeout) suspended_hold_ = Clock::duration::zero();
  }
  if (cfg.stall_timeout.count() <= 0) return;
  if (blocked_since_ != TimePoint{} && now - blocked_since_ >= cfg.stall_timeout && waiting) {
    if (pty_) {
      ShedOutput();
      return;
    }
    Close(CloseReason::kStalled, absl::StrCat(cfg.stall_timeout.count() / 1000.0, " s"));
  } else if (suspended_hold_ >= cfg.stall_timeout) {
    Close(CloseReason::kStalled, absl::StrCat("suspended with data waiting for ",
                                              cfg.stall_timeout.count() / 1000.0, " s in all"));
  }
}

void ClientConnection::ShedOutput() {
  if (shedding_ || policy_ != SlowClientPolicy::kBackpressure) return;
  shedding_ = true;
  if (host_.AdmitConnectionLog()) {
    ctx_.log->Info(absl::StrCat(
        "port ", host_.port_name(), ": client ", Describe(), ": the pty took nothing for ",
        origin_.config->stall_timeout.count() / 1000.0,
        " s (no program reads it): no longer holding the port; what it misses is counted as "
        "skipped until the program reads again"));
  }
  host_.OnRingReleased();
}

void ClientConnection::Close(CloseReason reason, absl::string_view detail) {
  if (closing_) return;
  closing_ = true;
  if (ctx_.log->Enabled(LogLevel::kInfo) && host_.AdmitConnectionLog()) {
    const double seconds = std::chrono::duration<double>(ctx_.now - connected_at_).count();
    ctx_.log->Info(absl::StrCat(
        "port ", host_.port_name(), ": client ", Describe(),
        " disconnected: ", CloseReasonText(reason), detail.empty() ? "" : " (", detail,
        detail.empty() ? "" : ")", "; sent ", bytes_sent_, " B, received ", bytes_received_,
        " B, skipped ", bytes_skipped_, " B in ", absl::SixDigits(seconds), " s"));
  }
  if (telnet_) telnet_->DropEvents();  // nothing more of its acts on the line
  host_.OnClientClosing(*this, reason);
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
  host_.OnClientFinished();
}

}  // namespace ttyhub
