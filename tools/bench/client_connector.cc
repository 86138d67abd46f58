// See client_connector.h.
#include "tools/bench/client_connector.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/tcp_socket.h"
#include "tools/bench/tcp_table_probe.h"

namespace ttyhub::bench {
namespace {

constexpr int kTickMs = 2;

class PendingConnect : public IoHandler {
 public:
  PendingConnect(EventLoop& loop, UniqueFd fd) : loop_(loop), fd_(std::move(fd)) {}
  ~PendingConnect() override { loop_.Remove(fd_.get(), this); }
  bool OnIoEvents(uint32_t) override {
    if (state_ == ConnectState::kInProgress) {
      state_ = ConnectResult(fd_.get(), &error_);
      if (state_ == ConnectState::kConnected) {
        connected_at_ = Clock::now();
        sockaddr_in local;
        socklen_t len = sizeof(local);
        if (getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
          local_port_ = ntohs(local.sin_port);
        }
      }
    }
    return false;
  }
  UniqueFd TakeFd() {
    loop_.Remove(fd_.get(), this);
    return std::move(fd_);
  }
  int fd() const { return fd_.get(); }
  ConnectState state() const { return state_; }
  int error() const { return error_; }
  uint16_t local_port() const { return local_port_; }
  Clock::time_point connected_at() const { return connected_at_; }

 private:
  EventLoop& loop_;
  UniqueFd fd_;
  ConnectState state_ = ConnectState::kInProgress;
  int error_ = 0;
  uint16_t local_port_ = 0;
  Clock::time_point connected_at_;
};

}  // namespace

absl::StatusOr<std::vector<UniqueFd>> ConnectClients(EventLoop& loop,
                                                     const std::vector<uint16_t>& tcp_ports,
                                                     const Deadline& deadline,
                                                     const ConnectOptions& options, int* retries) {
  const std::set<uint16_t> server_ports(tcp_ports.begin(), tcp_ports.end());
  std::vector<UniqueFd> accepted(tcp_ports.size());
  std::vector<std::unique_ptr<PendingConnect>> outstanding(tcp_ports.size());
  std::set<size_t> unaccepted;
  std::map<uint16_t, int> unaccepted_per_port;
  size_t next = 0, done = 0;
  int retry_count = 0;
  absl::Status status;

  auto start = [&](size_t i) {
    absl::StatusOr<UniqueFd> fd = StartConnect(tcp_ports[i]);
    if (!fd.ok()) {
      status = fd.status();
      return;
    }
    if (options.rcvbuf_bytes > 0) {
      setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &options.rcvbuf_bytes,
                 sizeof(options.rcvbuf_bytes));
    }
    outstanding[i] = std::make_unique<PendingConnect>(loop, *std::move(fd));
    if (absl::Status s = loop.Add(outstanding[i]->fd(), outstanding[i].get()); !s.ok()) {
      status = s;
      return;
    }
    unaccepted.insert(i);
    ++unaccepted_per_port[tcp_ports[i]];
  };
  auto settle = [&](size_t i) { --unaccepted_per_port[tcp_ports[i]]; };

  auto tick = [&] {
    if (!status.ok()) return;
    bool any_connected = false;
    for (size_t i : unaccepted) {
      const PendingConnect& p = *outstanding[i];
      if (p.state() == ConnectState::kFailed) {
        status = absl::UnavailableError(absl::StrCat("connect to 127.0.0.1:", tcp_ports[i],
                                                     " failed: ", std::strerror(p.error())));
        return;
      }
      any_connected |= p.state() == ConnectState::kConnected;
    }
    if (any_connected) {
      const std::set<uint16_t> in_server = AcceptedClientPorts(server_ports);
      const Clock::time_point now = Clock::now();
      for (auto it = unaccepted.begin(); it != unaccepted.end();) {
        const size_t i = *it;
        PendingConnect& p = *outstanding[i];
        if (p.state() == ConnectState::kConnected && in_server.contains(p.local_port())) {
          accepted[i] = p.TakeFd();
          outstanding[i].reset();
          ++done;
          settle(i);
          it = unaccepted.erase(it);
        } else if (p.state() == ConnectState::kConnected &&
                   SecondsBetween(p.connected_at(), now) > options.accept_timeout_s) {
          // Connected on our side only: the server never saw it. Again.
          outstanding[i].reset();
          settle(i);
          it = unaccepted.erase(it);
          ++retry_count;
          start(i);
          if (!status.ok()) return;
        } else {
          ++it;
        }
      }
    }
    // In order; stop at a port that has its share outstanding.
    while (status.ok() && next < tcp_ports.size() && unaccepted.size() < options.max_unaccepted &&
           unaccepted_per_port[tcp_ports[next]] < options.max_unaccepted_per_port) {
      start(next++);
    }
  };

  const LoopExit exit = loop.RunUntil([&] { return !status.ok() || done == tcp_ports.size(); },
                                      deadline, tick, kTickMs);
  if (retries != nullptr) *retries = retry_count;
  if (!status.ok()) return status;
  if (exit != LoopExit::kDone) {
    return absl::DeadlineExceededError(
        absl::StrCat("connecting ", tcp_ports.size(), " clients: ", done,
                     " accepted by the server, then ", LoopExitName(exit)));
  }
  return accepted;
}

}  // namespace ttyhub::bench
