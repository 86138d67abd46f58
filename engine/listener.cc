// Listening sockets and accept. See listener.h.
#include "engine/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/event_loop.h"

namespace ttyhub {
namespace {

constexpr int kBacklog = 4096;  // the kernel caps it at net.core.somaxconn

}  // namespace

Listener::Listener(ListenerHost& host, std::shared_ptr<const ListenerConfig> config,
                   WorkerContext& ctx)
    : enabled(config->enabled), host_(host), config_(std::move(config)), ctx_(ctx) {}

Listener::~Listener() { CloseSocket(); }

void Listener::CloseSocket() {
  // The link goes now; the slave stays open until this listener is
  // destroyed (after its client), so the client is not hung up first.
  if (pty_) pty_->Unpublish();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  // Remove our socket file, if it is still ours (not replaced meanwhile).
  if (unix_inode_ != 0) {
    struct stat st {};
    if (lstat(config_->unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_ino == unix_inode_) {
      unlink(config_->unix_path.c_str());
    }
    unix_inode_ = 0;
  }
}

absl::Status Listener::BindUnix() {
  const std::string& path = config_->unix_path;
  address_ = absl::StrCat("unix:", path);
  // Missing parent directories are created (0755: the socket's own mode
  // and group decide who may connect).
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    mkdir(path.substr(0, slash).c_str(), 0755);
  }
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.data(), path.size());  // shorter than sun_path (config)
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          config_->where, ": ", path, " exists and is not a socket; ttyhub will not replace it"));
    }
    // A socket file: in use if something accepts on it, else left over.
    const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool live =
        probe >= 0 && connect(probe, reinterpret_cast<const sockaddr*>(&sun), len) == 0;
    if (probe >= 0) close(probe);
    if (live) {
      return absl::FailedPreconditionError(
          absl::StrCat(config_->where, ": ", path, " is in use by another process"));
    }
    unlink(path.c_str());
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat(config_->where, ": socket"));
  // Permissions are set between bind and listen: until listen, a connect
  // is refused, so nobody gets in under the umask's mode.
  absl::Status failed;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&sun), len) != 0) {
    failed = absl::ErrnoToStatus(errno, absl::StrCat(config_->where, ": cannot bind ", path,
                                                     " for port '", host_.port_name(), "'"));
  } else if (chmod(path.c_str(), config_->socket_mode) != 0 ||
             (config_->socket_gid >= 0 && chown(path.c_str(), static_cast<uid_t>(-1),
                                                static_cast<gid_t>(config_->socket_gid)) != 0)) {
    failed = absl::ErrnoToStatus(errno, absl::StrCat(config_->where,
                                                     ": cannot set the mode or "
                                                     "group of ",
                                                     path));
    unlink(path.c_str());
  } else if (listen(fd, kBacklog) != 0) {
    failed = absl::ErrnoToStatus(errno, absl::StrCat(config_->where, ": cannot listen on ", path));
    unlink(path.c_str());
  }
  if (!failed.ok()) {
    close(fd);
    return failed;
  }
  if (lstat(path.c_str(), &st) == 0) unix_inode_ = st.st_ino;
  fd_ = fd;
  return absl::OkStatus();
}

absl::Status Listener::MakePty() {
  auto pty = PublishedPty::Create(config_->pty_path, config_->pty_uid, config_->socket_gid,
                                  config_->socket_mode);
  if (!pty.ok()) {
    return absl::Status(
        pty.status().code(),
        absl::StrCat(config_->where, ": pty listener ", config_->pty_path, " of port '",
                     host_.port_name(), "': ", pty.status().message()));
  }
  pty_ = *std::move(pty);
  pty_handed_over_ = false;
  address_ = absl::StrCat("pty:", config_->pty_path, " -> ", pty_->slave_path());
  return absl::OkStatus();
}

void Listener::HandOverPty() {
  if (!pty_ || pty_handed_over_ || stopped_) return;
  pty_handed_over_ = true;
  host_.OnAccepted(*this, pty_->TakeMaster());
}

absl::Status Listener::Bind() {
  if (config_->is_cuse()) return MakeCuse();
  if (config_->is_pty()) return MakePty();
  if (config_->is_unix()) return BindUnix();
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof(ss));
  socklen_t len = 0;
  int family = AF_INET6;
  const std::string& host = config_->host;
  if (host.empty() || host.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(config_->port);
    a6->sin6_addr = in6addr_any;
    if (!host.empty() && inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_->where, ": bad address ", host));
    }
    len = sizeof(sockaddr_in6);
    address_ = absl::StrCat("[", host.empty() ? "::" : host, "]:", config_->port);
  } else {
    family = AF_INET;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(config_->port);
    if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_->where, ": bad address ", host));
    }
    len = sizeof(sockaddr_in);
    address_ = absl::StrCat(host, ":", config_->port);
  }
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 && family == AF_INET6 && host.empty() && errno == EAFNOSUPPORT) {
    // No IPv6 on this host: fall back to IPv4 for "all interfaces".
    family = AF_INET;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    std::memset(&ss, 0, sizeof(ss));
    a4->sin_family = AF_INET;
    a4->sin_port = htons(config_->port);
    a4->sin_addr.s_addr = htonl(INADDR_ANY);
    len = sizeof(sockaddr_in);
    address_ = absl::StrCat("0.0.0.0:", config_->port);
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(config_->where, ": socket"));
  }
  const int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6 && host.empty()) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));  // IPv4 too
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, kBacklog) != 0) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat(config_->where, ": cannot listen on ", address_,
                                                 " for port '", host_.port_name(), "'"));
  }
  fd_ = fd;
  return absl::OkStatus();
}

void Listener::StartAccepting() {
  stopped_ = false;
  if (config_->is_cuse()) {
    if (cuse_) cuse_->Start();
    HandOverCuse();
    return;
  }
  if (config_->is_pty()) {
    HandOverPty();
    return;
  }
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
  if (cuse_) cuse_->Stop();
  ctx_.loop->Cancel(accept_);
  if (Idle()) CloseSocket();
}

void Listener::OnTick(TimePoint now) {
  if (config_->is_cuse()) {
    CuseTick(now);
    return;
  }
  if (config_->is_pty() && !stopped_ && (!pty_ || pty_handed_over_) && active_clients == 0) {
    // Its client has gone (an error, a kick): the program's pty was hung up
    // with it. A fresh one takes the link, and is served at once.
    if (absl::Status s = MakePty(); !s.ok()) {
      pty_.reset();
      if (auto dropped = error_log_.Admit(ctx_.now)) {
        ctx_.log->Warn(
            absl::StrCat(s.message(), "; retrying",
                         *dropped ? absl::StrCat(" [", *dropped, " similar suppressed]") : ""));
      }
      return;
    }
    if (auto dropped = error_log_.Admit(ctx_.now)) {
      ctx_.log->Info(
          absl::StrCat("port ", host_.port_name(), ": listener ", address_,
                       ": a fresh pty behind the link (the last one's client closed)",
                       *dropped ? absl::StrCat(" [", *dropped, " similar suppressed]") : ""));
    }
    HandOverPty();
    return;
  }
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

// Cuse listeners (issue 13). A device that cannot be made (no CUSE in the
// kernel, its module not loaded, the name taken) does not stop the port:
// its other listeners, its device and its log are worth more than this
// one. The failure is logged once as an error, and the device is tried
// again every 10 s, so loading the module later brings it up.
absl::Status Listener::MakeCuse() {
  address_ = absl::StrCat("cuse:/dev/", config_->cuse_name);
  auto tty = CuseTty::Create(config_->cuse_name, config_->access == Access::kReadWrite,
                             host_.port_name(), ctx_);
  const bool first_attempt = cuse_retry_at_ == TimePoint{};
  cuse_retry_at_ = ctx_.now + std::chrono::seconds(10);
  if (!tty.ok()) {
    const std::string text = absl::StrCat("port ", host_.port_name(), ": listener ", address_, " (",
                                          config_->where, "): ", tty.status().message(),
                                          "; the port serves without it, trying again every 10 s");
    address_ = absl::StrCat("cuse:/dev/", config_->cuse_name, " (unavailable)");
    if (first_attempt) {
      ctx_.log->Error(text);
    } else {
      ctx_.log->Debug(text);
    }
    return absl::OkStatus();
  }
  cuse_ = *std::move(tty);
  return absl::OkStatus();
}

void Listener::HandOverCuse() {
  if (!cuse_ || stopped_ || active_clients > 0 || !cuse_->CanConnect()) return;
  absl::StatusOr<int> fd = cuse_->Connect();
  if (!fd.ok()) {
    if (auto dropped = error_log_.Admit(ctx_.now)) {
      ctx_.log->Warn(absl::StrCat("port ", host_.port_name(), ": listener ", address_, ": ",
                                  fd.status().message(), "; retrying"));
    }
    return;
  }
  host_.OnAccepted(*this, *fd);
}

void Listener::CuseTick(TimePoint now) {
  if (stopped_) return;
  if (!cuse_) {
    if (now < cuse_retry_at_) return;
    if (absl::Status s = MakeCuse(); !s.ok() || !cuse_) return;
    ctx_.log->Info(absl::StrCat("port ", host_.port_name(), ": listener ", address_,
                                ": the CUSE device is up"));
    cuse_->Start();
  }
  cuse_->OnTick(now);
  // Its connection to the port closed (a kick, an error): a fresh one.
  HandOverCuse();
}

}  // namespace ttyhub
