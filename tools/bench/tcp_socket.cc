// See tcp_socket.h.
#include "tools/bench/tcp_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::bench {
namespace {

constexpr uint16_t kFirstPort = 10000;
constexpr uint16_t kEndPort = 32768;  // the default ephemeral range starts here

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Free for a server that binds with SO_REUSEADDR, as ttyhub and ser2net do:
// connections of earlier runs linger in TIME_WAIT on thousands of ports and
// do not keep such a server from listening.
bool PortIsFree(uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  const int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const sockaddr_in a = Loopback(port);
  return bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0;
}

}  // namespace

absl::StatusOr<std::vector<uint16_t>> FindFreeTcpPorts(size_t count) {
  const uint32_t span = kEndPort - kFirstPort;
  std::random_device random;
  const uint32_t start = random() % span;
  std::vector<uint16_t> ports;
  for (uint32_t i = 0; i < span && ports.size() < count; ++i) {
    const uint16_t port = static_cast<uint16_t>(kFirstPort + (start + i) % span);
    if (PortIsFree(port)) ports.push_back(port);
  }
  if (ports.size() < count) {
    return absl::ResourceExhaustedError(absl::StrCat("only ", ports.size(), " free TCP ports in ",
                                                     kFirstPort, "..", kEndPort - 1, ", ", count,
                                                     " needed"));
  }
  return ports;
}

absl::StatusOr<UniqueFd> StartConnect(uint16_t port, int rcvbuf_bytes) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  const int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (rcvbuf_bytes > 0) {
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof(rcvbuf_bytes));
  }
  const sockaddr_in a = Loopback(port);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0 &&
      errno != EINPROGRESS) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect 127.0.0.1:", port));
  }
  return fd;
}

ConnectState ConnectResult(int fd, int* err) {
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
    *err = errno;
    return ConnectState::kFailed;
  }
  if (so_error != 0) {
    *err = so_error;
    return ConnectState::kFailed;
  }
  sockaddr_in peer;
  socklen_t peer_len = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
    return ConnectState::kConnected;
  }
  if (errno == ENOTCONN) return ConnectState::kInProgress;
  *err = errno;
  return ConnectState::kFailed;
}

absl::StatusOr<LoopbackListener> ListenOnLoopback() {
  LoopbackListener l;
  l.fd.Reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!l.fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  const sockaddr_in a = Loopback(0);
  if (bind(l.fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0 ||
      listen(l.fd.get(), 16) != 0) {
    return absl::ErrnoToStatus(errno, "bind/listen 127.0.0.1");
  }
  sockaddr_in bound;
  socklen_t len = sizeof(bound);
  getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  l.port = ntohs(bound.sin_port);
  return l;
}

absl::StatusOr<TcpPair> ConnectedTcpPair(const Deadline& deadline) {
  absl::StatusOr<LoopbackListener> listener = ListenOnLoopback();
  if (!listener.ok()) return listener.status();
  absl::StatusOr<UniqueFd> client = StartConnect(listener->port);
  if (!client.ok()) return client.status();
  TcpPair pair;
  pair.client = *std::move(client);
  while (!pair.server.valid()) {
    pair.server.Reset(accept4(listener->fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (pair.server.valid()) break;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return absl::ErrnoToStatus(errno, "accept");
    }
    if (deadline.Expired()) return absl::DeadlineExceededError("loopback accept");
    pollfd pfd{listener->fd.get(), POLLIN, 0};
    poll(&pfd, 1, deadline.WaitMs(100));
  }
  const int one = 1;
  setsockopt(pair.server.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int err = 0;
  for (;;) {
    const ConnectState state = ConnectResult(pair.client.get(), &err);
    if (state == ConnectState::kConnected) break;
    if (state == ConnectState::kFailed) return absl::ErrnoToStatus(err, "loopback connect");
    if (deadline.Expired()) return absl::DeadlineExceededError("loopback connect");
    pollfd pfd{pair.client.get(), POLLOUT, 0};
    poll(&pfd, 1, deadline.WaitMs(100));
  }
  return pair;
}

}  // namespace ttyhub::bench
