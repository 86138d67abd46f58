// See soak_client.h.
#include "tools/bench/soak_client.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "tools/bench/tcp_socket.h"

namespace ttyhub::bench {

SoakClient::SoakClient(EventLoop& loop, uint16_t tcp_port, ClientProtocol protocol, uint64_t seed,
                       int rcvbuf_bytes)
    : loop_(loop),
      tcp_port_(tcp_port),
      protocol_(protocol),
      seed_(seed),
      rcvbuf_bytes_(rcvbuf_bytes),
      filter_(protocol) {}

SoakClient::~SoakClient() { Close(/*reset=*/false); }

absl::Status SoakClient::Start() {
  absl::StatusOr<UniqueFd> fd = StartConnect(tcp_port_, rcvbuf_bytes_);
  if (!fd.ok()) return fd.status();
  fd_ = *std::move(fd);
  if (absl::Status s = loop_.Add(fd_.get(), this); !s.ok()) {
    fd_.Reset();
    return s;
  }
  registered_ = true;
  loop_.Kick(this, EPOLLOUT);
  return absl::OkStatus();
}

bool SoakClient::OnIoEvents(uint32_t) {
  if (!registered_ || !fd_.valid()) return false;
  int err = 0;
  const ConnectState state = ConnectResult(fd_.get(), &err);
  if (state == ConnectState::kInProgress) return false;
  loop_.Remove(fd_.get(), this);
  registered_ = false;
  if (state == ConnectState::kFailed) {
    connect_error_ = err != 0 ? err : ECONNREFUSED;
    fd_.Reset();
    return false;
  }
  connected_at_ = Clock::now();
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    local_port_ = ntohs(local.sin_port);
  }
  reader_ = std::make_unique<PatternReader>(loop_, fd_.get(), /*is_socket=*/true, seed_,
                                            StreamVerifier::Start::kAnywhere);
  reader_->SetFilter(&filter_);
  if (absl::Status s = reader_->Start(); !s.ok()) {
    server_closed_ = true;  // cannot read it: treat as gone
    return false;
  }
  if (protocol_ != ClientProtocol::kRaw) {
    // If this fails, the missing AYT answer says so.
    (void)Send(TelnetClientHello(protocol_ == ClientProtocol::kRfc2217));
  }
  return false;
}

bool SoakClient::ServerClosed() {
  if (server_closed_) return true;
  if (reader_ == nullptr || !fd_.valid()) return false;
  if (reader_->closed()) {
    server_closed_ = true;
    return true;
  }
  if (!reader_->paused()) return false;
  pollfd p{fd_.get(), POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
    server_closed_ = true;
  }
  return server_closed_;
}

void SoakClient::PauseReading() {
  if (reader_ == nullptr || reader_->paused()) return;
  reader_->Pause();
  paused_since_ = Clock::now();
}

void SoakClient::ResumeReading() {
  if (reader_ == nullptr || !reader_->paused()) return;
  if (paused_since_) paused_seconds_ += SecondsBetween(*paused_since_, Clock::now());
  paused_since_.reset();
  if (fd_.valid()) reader_->Resume();
}

double SoakClient::SecondsNotReading() const {
  return paused_seconds_ + (paused_since_ ? SecondsBetween(*paused_since_, Clock::now()) : 0);
}

int SoakClient::Send(const std::string& bytes) {
  if (!fd_.valid() || reader_ == nullptr) return ENOTCONN;
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n =
        send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 ? errno : EIO;
  }
  return 0;
}

void SoakClient::HalfClose() {
  if (!fd_.valid() || half_closed_) return;
  shutdown(fd_.get(), SHUT_WR);
  half_closed_ = true;
}

void SoakClient::Close(bool reset) {
  if (!fd_.valid()) return;
  if (paused_since_) {
    paused_seconds_ += SecondsBetween(*paused_since_, Clock::now());
    paused_since_.reset();
  }
  if (registered_) loop_.Remove(fd_.get(), this);
  registered_ = false;
  if (reader_) reader_->Stop();  // the verification stays
  if (reset) {
    const linger abort{1, 0};
    setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  }
  fd_.Reset();
}

}  // namespace ttyhub::bench
