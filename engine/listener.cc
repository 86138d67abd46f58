// Listening sockets and accept. See listener.h.
#include "engine/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/event_loop.h"

namespace ttyhub {
namespace {

constexpr int kBacklog = 4096;  // the kernel caps it at net.core.somaxconn

}  // namespace

Listener::Listener(ListenerHost& host, const ListenerConfig& config, WorkerContext& ctx)
    : host_(host), config_(config), ctx_(ctx) {}

Listener::~Listener() { CloseSocket(); }

void Listener::CloseSocket() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::Status Listener::Bind() {
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof(ss));
  socklen_t len = 0;
  int family = AF_INET6;
  const std::string& host = config_.host;
  if (host.empty() || host.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(config_.port);
    a6->sin6_addr = in6addr_any;
    if (!host.empty() && inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_.where, ": bad address ", host));
    }
    len = sizeof(sockaddr_in6);
    address_ = absl::StrCat("[", host.empty() ? "::" : host, "]:", config_.port);
  } else {
    family = AF_INET;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(config_.port);
    if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_.where, ": bad address ", host));
    }
    len = sizeof(sockaddr_in);
    address_ = absl::StrCat(host, ":", config_.port);
  }
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 && family == AF_INET6 && host.empty() && errno == EAFNOSUPPORT) {
    // No IPv6 on this host: fall back to IPv4 for "all interfaces".
    family = AF_INET;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    std::memset(&ss, 0, sizeof(ss));
    a4->sin_family = AF_INET;
    a4->sin_port = htons(config_.port);
    a4->sin_addr.s_addr = htonl(INADDR_ANY);
    len = sizeof(sockaddr_in);
    address_ = absl::StrCat("0.0.0.0:", config_.port);
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(config_.where, ": socket"));
  }
  const int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6 && host.empty()) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));  // IPv4 too
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, kBacklog) != 0) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat(config_.where, ": cannot listen on ", address_,
                                                 " for port '", host_.port_name(), "'"));
  }
  fd_ = fd;
  return absl::OkStatus();
}

void Listener::StartAccepting() {
  stopped_ = false;
  Arm();
}

void Listener::Arm() {
  if (fd_ < 0 || stopped_ || paused_ || accept_.in_flight) return;
  io_uring_sqe* sqe = ctx_.loop->Prepare(accept_);
  if (multishot_) {
    io_uring_prep_multishot_accept(sqe, fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } else {
    io_uring_prep_accept(sqe, fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  }
}

void Listener::Stop() {
  stopped_ = true;
  ctx_.loop->Cancel(accept_);
  if (Idle()) CloseSocket();
}

void Listener::OnTick(TimePoint) {
  if (paused_) {
    paused_ = false;
    Arm();
  }
}

void Listener::OnIoComplete(IoRequest&, int32_t res, uint32_t) {
  if (stopped_) {
    if (res >= 0) close(res);
    if (Idle()) CloseSocket();
    return;
  }
  if (res >= 0) {
    host_.OnAccepted(*this, res);
  } else if (res == -EINVAL && multishot_) {
    multishot_ = false;  // kernel without multishot accept (< 5.19)
  } else if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
    paused_ = true;
    if (auto dropped = error_log_.Admit(ctx_.now)) {
      ctx_.log->Warn(absl::StrCat(
          "port ", host_.port_name(), ": listener ", address_, ": accept failed: ",
          std::strerror(-res), "; pausing accepts briefly (raise LimitNOFILE / ulimit -n)",
          *dropped ? absl::StrCat(" [", *dropped, " similar suppressed]") : ""));
    }
  } else if (res != -ECANCELED && res != -EAGAIN && res != -ECONNABORTED && res != -EINTR) {
    if (auto dropped = error_log_.Admit(ctx_.now)) {
      ctx_.log->Warn(absl::StrCat("port ", host_.port_name(), ": listener ", address_,
                                  ": accept failed: ", std::strerror(-res)));
    }
  }
  Arm();  // no-op while the multishot accept is still armed
}

}  // namespace ttyhub
