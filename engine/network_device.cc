// A device across a TCP connection. See network_device.h.
#include "engine/network_device.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "config/device_url.h"
#include "engine/event_loop.h"
#include "engine/logger.h"

namespace ttyhub {
namespace {

void TuneRemoteSocket(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // A remote that vanished without a FIN is noticed in about two minutes
  // (60 s idle, then 6 probes 10 s apart), as for clients.
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  const int idle = 60, interval = 10, count = 6;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

}  // namespace

NetworkDevice::NetworkDevice(const DeviceSpec& spec, std::string port_name, WorkerContext& ctx,
                             DeviceEvents& events)
    : protocol_(spec.protocol),
      host_(spec.host),
      remote_port_(spec.port),
      url_(spec.original),
      port_name_(std::move(port_name)),
      ctx_(ctx),
      events_(events) {}

NetworkDevice::~NetworkDevice() {
  // The port destroys its device only once Idle(): nothing references us.
  if (port_fd_ >= 0) close(port_fd_);
  port_fd_ = -1;
  CloseDescriptors();
}

void NetworkDevice::CloseDescriptors() {
  if (bridge_fd_ >= 0) close(bridge_fd_);
  if (tcp_fd_ >= 0) close(tcp_fd_);
  bridge_fd_ = tcp_fd_ = -1;
  session_.reset();
  to_port_.clear();
  to_port_offset_ = 0;
  to_remote_.clear();
  to_remote_offset_ = 0;
  state_ = State::kClosed;
}

absl::Status NetworkDevice::Open(const SerialSettings& settings, bool) {
  Close();
  if (!Idle()) {
    return absl::UnavailableError(absl::StrCat(
        "the previous connection to ", FormatHostPort(host_, remote_port_), " is still closing"));
  }
  shutting_down_ = false;
  settings_ = settings;
  failure_reason_.clear();
  connect_timed_out_ = false;
  port_eof_sent_ = false;
  signature_logged_ = false;
  refusal_logged_ = false;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair for a network device");
  }
  port_fd_ = sv[0];
  bridge_fd_ = sv[1];

  sockaddr_storage ss{};
  socklen_t len = 0;
  if (host_.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(remote_port_);
    inet_pton(AF_INET6, host_.c_str(), &a->sin6_addr);  // validated by the config loader
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(remote_port_);
    inet_pton(AF_INET, host_.c_str(), &a->sin_addr);
    len = sizeof(*a);
  }
  tcp_fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (tcp_fd_ < 0) {
    const int err = errno;
    close(port_fd_);
    port_fd_ = -1;
    CloseDescriptors();
    return absl::ErrnoToStatus(err, "socket for a network device");
  }
  TuneRemoteSocket(tcp_fd_);
  // Connected at once or not, the outcome is reported from the poll's
  // completion, so the port always meets one path.
  if (connect(tcp_fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0 || errno == EINPROGRESS) {
    state_ = State::kConnecting;
    io_uring_prep_poll_add(ctx_.loop->Prepare(remote_out_), tcp_fd_, POLLOUT);
  } else {
    const int err = errno;
    close(port_fd_);
    port_fd_ = -1;
    CloseDescriptors();
    return absl::UnavailableError(
        absl::StrCat("connect to ", FormatHostPort(host_, remote_port_), ": ", std::strerror(err)));
  }
  connect_started_ = ctx_.now;
  return absl::OkStatus();
}

void NetworkDevice::OnConnectDone(int32_t res) {
  int err = 0;
  if (connect_timed_out_) {
    err = ETIMEDOUT;
  } else if (res < 0) {
    err = -res;
  } else {
    socklen_t len = sizeof(err);
    if (getsockopt(tcp_fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  }
  if (err != 0) {
    const std::string why = connect_timed_out_
                                ? absl::StrCat("connect to ", FormatHostPort(host_, remote_port_),
                                               ": no answer in ", kConnectTimeout.count(), " s")
                                : absl::StrCat("connect to ", FormatHostPort(host_, remote_port_),
                                               ": ", std::strerror(err));
    if (port_fd_ >= 0) close(port_fd_);
    port_fd_ = -1;
    CloseDescriptors();
    events_.OnDeviceOpenFinished(absl::UnavailableError(why));
    return;
  }
  state_ = State::kConnected;
  if (protocol_ != Protocol::kRaw) {
    session_ = std::make_unique<TelnetClientSession>(protocol_ == Protocol::kRfc2217);
    session_->Start();
    to_remote_.append(session_->output());
    session_->output().clear();
  }
  events_.OnDeviceOpenFinished(absl::OkStatus());
  if (state_ == State::kConnected) Pump();  // the port may have closed us meanwhile
}

void NetworkDevice::Close() {
  if (port_fd_ >= 0) close(port_fd_);
  port_fd_ = -1;
  if (state_ == State::kClosed) return;
  state_ = State::kClosing;
  ctx_.loop->Cancel(remote_in_);
  ctx_.loop->Cancel(remote_out_);
  ctx_.loop->Cancel(port_in_);
  ctx_.loop->Cancel(port_out_);
  FinishClose();
}

void NetworkDevice::FinishClose() {
  if (state_ == State::kClosing && Idle()) CloseDescriptors();
}

void NetworkDevice::Shutdown() {
  shutting_down_ = true;
  Close();
}

void NetworkDevice::OnIoComplete(IoRequest& req, int32_t res, uint32_t) {
  if (state_ == State::kClosing || state_ == State::kClosed || shutting_down_) {
    FinishClose();
    return;
  }
  if (state_ == State::kConnecting) {
    if (req.kind == kRemoteOut) OnConnectDone(res);
    return;
  }
  Pump();
}

void NetworkDevice::Lose(int err) {
  if (state_ != State::kConnected) return;
  state_ = State::kLost;
  failure_reason_ = err == 0 ? absl::StrCat("the remote end ", FormatHostPort(host_, remote_port_),
                                            " closed the connection")
                             : absl::StrCat("connection to ", FormatHostPort(host_, remote_port_),
                                            ": ", std::strerror(err));
  to_remote_.clear();
  to_remote_offset_ = 0;
  ctx_.loop->Cancel(remote_in_);
  ctx_.loop->Cancel(remote_out_);
  ctx_.loop->Cancel(port_in_);
}

void NetworkDevice::Pump() {
  if (state_ != State::kConnected && state_ != State::kLost) return;
  FlushToPort();
  // Remote to port, while the port takes what it is given.
  for (int i = 0; i < kMaxRemoteReads && state_ == State::kConnected && to_port_.empty(); ++i) {
    uint8_t buf[16 * 1024];
    const ssize_t n = recv(tcp_fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      FromRemote(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      Lose(0);
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) Lose(errno);
    break;
  }
  // Port to remote.
  if (state_ == State::kConnected) {
    ReadFromPort(/*all=*/false);
    FlushToRemote();
  }
  if (state_ == State::kLost && to_port_.empty() && !port_eof_sent_) {
    // Everything received is with the port: now it reads a hang-up.
    port_eof_sent_ = true;
    shutdown(bridge_fd_, SHUT_WR);
  }
  Arm();
}

void NetworkDevice::Arm() {
  if (state_ == State::kConnected) {
    if (to_port_.empty() && !remote_in_.in_flight) {
      io_uring_prep_poll_add(ctx_.loop->Prepare(remote_in_), tcp_fd_, POLLIN | POLLRDHUP);
    }
    if (to_remote_offset_ < to_remote_.size() && !remote_out_.in_flight) {
      io_uring_prep_poll_add(ctx_.loop->Prepare(remote_out_), tcp_fd_, POLLOUT);
    }
    if (to_remote_.size() - to_remote_offset_ < kMaxToRemote && !port_in_.in_flight) {
      io_uring_prep_poll_add(ctx_.loop->Prepare(port_in_), bridge_fd_, POLLIN);
    }
  }
  if ((state_ == State::kConnected || state_ == State::kLost) && !to_port_.empty() &&
      !port_out_.in_flight) {
    io_uring_prep_poll_add(ctx_.loop->Prepare(port_out_), bridge_fd_, POLLOUT);
  }
}

void NetworkDevice::FromRemote(uint8_t* buf, size_t n) {
  size_t data = n;
  if (session_) {
    data = session_->Decode(buf, n);
    AfterSession();
  }
  WriteToPort(buf, data);
}

void NetworkDevice::AfterSession() {
  Rfc2217Client& comport = session_->comport();
  if (session_->TakeComPortStarted()) {
    Rfc2217Client::RequestSignature(&session_->output());
    comport.RequestSettings(settings_, /*everything=*/true, &session_->output());
    settings_sent_at_ = ctx_.now;
  }
  if (protocol_ == Protocol::kRfc2217 && session_->comport_refused() && !refusal_logged_) {
    refusal_logged_ = true;
    ctx_.log->Warn(absl::StrCat("port ", port_name_, ": ", url_,
                                " refused COM-PORT-OPTION (RFC 2217): serial settings, break "
                                "and modem lines cannot be forwarded; data flows"));
  }
  to_remote_.append(session_->output());
  session_->output().clear();
  if (!signature_logged_ && !comport.signature().empty()) {
    signature_logged_ = true;
    // The signature is the remote's text: shown escaped, as a log line must be.
    std::string shown;
    for (const char c : comport.signature()) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7f) {
        shown.push_back(c);
      } else {
        absl::StrAppend(&shown, "\\x", absl::Hex(u, absl::kZeroPad2));
      }
    }
    ctx_.log->Info(absl::StrCat("port ", port_name_, ": ", url_, " is '", shown, "'"));
  }
  if (auto reported = comport.TakeReportedSettings()) events_.OnDeviceSettingsReported(*reported);
}

void NetworkDevice::WriteToPort(const uint8_t* data, size_t n) {
  if (n == 0) return;
  if (to_port_.empty()) {
    const ssize_t w = write(bridge_fd_, data, n);
    if (w > 0) {
      data += w;
      n -= static_cast<size_t>(w);
    }
  }
  // What the port's end has no room for waits; remote reads pause meanwhile.
  if (n > 0) to_port_.append(reinterpret_cast<const char*>(data), n);
}

void NetworkDevice::FlushToPort() {
  while (to_port_offset_ < to_port_.size()) {
    const ssize_t w =
        write(bridge_fd_, to_port_.data() + to_port_offset_, to_port_.size() - to_port_offset_);
    if (w > 0) {
      to_port_offset_ += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    to_port_offset_ = to_port_.size();  // the port's end is gone: nobody to give them to
  }
  to_port_.clear();
  to_port_offset_ = 0;
}

void NetworkDevice::ReadFromPort(bool all) {
  while (all || to_remote_.size() - to_remote_offset_ < kMaxToRemote) {
    char buf[16 * 1024];
    const ssize_t n = read(bridge_fd_, buf, sizeof(buf));
    if (n > 0) {
      if (session_) {
        session_->EncodeData(absl::string_view(buf, static_cast<size_t>(n)), &to_remote_);
      } else {
        to_remote_.append(buf, static_cast<size_t>(n));
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN; or 0: the port closed its end, and Close() follows
  }
}

void NetworkDevice::FlushToRemote() {
  while (to_remote_offset_ < to_remote_.size()) {
    const ssize_t n = send(tcp_fd_, to_remote_.data() + to_remote_offset_,
                           to_remote_.size() - to_remote_offset_, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      to_remote_offset_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Lose(n < 0 ? errno : 0);
    return;
  }
  if (to_remote_offset_ == to_remote_.size()) {
    to_remote_.clear();
    to_remote_offset_ = 0;
  } else if (to_remote_offset_ > to_remote_.size() / 2) {
    to_remote_.erase(0, to_remote_offset_);
    to_remote_offset_ = 0;
  }
}

void NetworkDevice::SendCommand(const std::string& frame) {
  // Every byte the port wrote before this command goes first.
  ReadFromPort(/*all=*/true);
  to_remote_.append(frame);
  FlushToRemote();
  Arm();
}

absl::Status NetworkDevice::ApplySettings(const SerialSettings& settings, bool) {
  if (protocol_ != Protocol::kRfc2217) {
    return absl::FailedPreconditionError(
        absl::StrCat(url_,
                     " carries bytes only: there is no serial line to set (an "
                     "rfc2217:// device forwards settings)"));
  }
  settings_ = settings;  // sent when COM-PORT-OPTION starts, if it has not yet
  if (state_ == State::kConnected && session_ && session_->comport_refused()) {
    return absl::FailedPreconditionError(
        absl::StrCat(url_, " refused COM-PORT-OPTION (RFC 2217): settings cannot be forwarded"));
  }
  if (!CommandsReady()) return absl::OkStatus();
  std::string frame;
  session_->comport().RequestSettings(settings, /*everything=*/false, &frame);
  if (!frame.empty()) {
    settings_sent_at_ = ctx_.now;
    SendCommand(frame);
  }
  return absl::OkStatus();
}

absl::Status NetworkDevice::SetModemBits(int bits, bool on) {
  if (protocol_ != Protocol::kRfc2217) {
    return absl::UnimplementedError(absl::StrCat(url_, " has no modem lines"));
  }
  if (!CommandsReady()) {
    return absl::UnavailableError(
        absl::StrCat(url_, ": COM-PORT-OPTION is not agreed (yet): DTR/RTS cannot be set"));
  }
  std::string frame;
  Rfc2217Client::RequestOutputLines(bits, on, &frame);
  SendCommand(frame);
  return absl::OkStatus();
}

absl::Status NetworkDevice::SetBreak(bool on) {
  if (protocol_ == Protocol::kRaw) {
    return absl::UnimplementedError(absl::StrCat(url_, " cannot send a break"));
  }
  if (state_ != State::kConnected || !session_) return absl::UnavailableError("not connected");
  std::string frame;
  if (protocol_ == Protocol::kTelnet) {
    // Telnet has a break but no break state: IAC BRK at the start, nothing at the end.
    if (on) TelnetClientSession::AppendBreak(&frame);
  } else if (CommandsReady()) {
    Rfc2217Client::RequestBreak(on, &frame);
  } else {
    return absl::UnavailableError(
        absl::StrCat(url_, ": COM-PORT-OPTION is not agreed (yet): no break"));
  }
  if (!frame.empty()) SendCommand(frame);
  return absl::OkStatus();
}

absl::Status NetworkDevice::Flush(bool input, bool output) {
  if (state_ != State::kConnected) return absl::OkStatus();
  if (output) {
    // The port's bytes not yet read from the socketpair are the "driver's"
    // output: dropped. Bytes already encoded may hold commands: they go.
    char buf[16 * 1024];
    while (read(bridge_fd_, buf, sizeof(buf)) > 0) {
    }
  }
  if (protocol_ == Protocol::kRfc2217 && CommandsReady()) {
    std::string frame;
    Rfc2217Client::RequestPurge(input, output, &frame);
    to_remote_.append(frame);
    FlushToRemote();
    Arm();
  }
  return absl::OkStatus();
}

void NetworkDevice::OnTick(TimePoint now) {
  if (state_ == State::kConnecting && !connect_timed_out_ &&
      now - connect_started_ >= kConnectTimeout) {
    connect_timed_out_ = true;
    ctx_.loop->Cancel(remote_out_);  // its completion reports the failure
    return;
  }
  if (state_ == State::kConnected && session_ && session_->comport().awaited_answers() > 0 &&
      now - settings_sent_at_ >= kAnswerTimeout) {
    ctx_.log->Debug(absl::StrCat("port ", port_name_, ": ", url_, ": ",
                                 session_->comport().awaited_answers(),
                                 " settings answers never came; reporting what was answered"));
    session_->comport().StopAwaiting();
    if (auto reported = session_->comport().TakeReportedSettings()) {
      events_.OnDeviceSettingsReported(*reported);
    }
  }
}

}  // namespace ttyhub
