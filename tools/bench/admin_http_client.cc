// See admin_http_client.h.
#include "tools/bench/admin_http_client.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/tcp_socket.h"

namespace ttyhub::bench {
namespace {

// The most of an answer kept, in bytes; the rest is read and dropped.
constexpr size_t kMaxAnswerBytes = 4 << 20;
constexpr int kReadsPerCall = 8;

}  // namespace

AdminHttpClient::AdminHttpClient(EventLoop& loop, uint16_t tcp_port, double timeout_s)
    : loop_(loop), tcp_port_(tcp_port), timeout_s_(timeout_s) {}

AdminHttpClient::~AdminHttpClient() {
  if (fd_.valid()) loop_.Remove(fd_.get(), this);
}

void AdminHttpClient::Request(const std::string& method, const std::string& path,
                              const std::string& body, Callback done) {
  std::string request = absl::StrCat(method, " ", path, " HTTP/1.0\r\nHost: 127.0.0.1:", tcp_port_,
                                     "\r\nConnection: close\r\nAccept: application/json\r\n");
  if (method != "GET") {
    absl::StrAppend(&request, "Content-Type: application/json\r\nContent-Length: ", body.size(),
                    "\r\n");
  }
  absl::StrAppend(&request, "\r\n", body);
  queue_.push_back(Pending{std::move(request), std::move(done)});
  StartNext();
}

void AdminHttpClient::StartNext() {
  while (!fd_.valid() && !queue_.empty()) {
    absl::StatusOr<UniqueFd> fd = StartConnect(tcp_port_);
    if (!fd.ok()) {
      Pending head = std::move(queue_.front());
      queue_.pop_front();
      head.done(AdminResponse{0, "", std::string(fd.status().message())});
      continue;
    }
    fd_ = *std::move(fd);
    connected_ = false;
    sent_ = 0;
    received_.clear();
    deadline_ = Deadline::AfterSeconds(timeout_s_);
    if (absl::Status s = loop_.Add(fd_.get(), this); !s.ok()) {
      fd_.Reset();
      Pending head = std::move(queue_.front());
      queue_.pop_front();
      head.done(AdminResponse{0, "", std::string(s.message())});
      continue;
    }
    loop_.Kick(this, EPOLLOUT);
  }
}

void AdminHttpClient::Finish(AdminResponse response) {
  loop_.Remove(fd_.get(), this);
  fd_.Reset();
  Pending head = std::move(queue_.front());
  queue_.pop_front();
  head.done(response);
  StartNext();
}

void AdminHttpClient::Poll() {
  if (fd_.valid() && deadline_.Expired()) {
    Finish(AdminResponse{0, "",
                         absl::StrCat("no complete answer within ", timeout_s_, " s (",
                                      connected_ ? "connected" : "not connected", ", ",
                                      received_.size(), " bytes received)")});
  }
}

AdminResponse AdminHttpClient::Parse() const {
  AdminResponse r;
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  const size_t space = received_.find(' ');
  int status = 0;
  if (received_.rfind("HTTP/", 0) != 0 || space == std::string::npos ||
      !absl::SimpleAtoi(received_.substr(space + 1, 3), &status)) {
    r.error = absl::StrCat("not an HTTP answer (", received_.size(), " bytes)");
    return r;
  }
  r.status = status;
  const size_t body = received_.find("\r\n\r\n");
  if (body != std::string::npos) r.body = received_.substr(body + 4);
  return r;
}

bool AdminHttpClient::OnIoEvents(uint32_t) {
  if (!fd_.valid()) return false;
  if (!connected_) {
    int err = 0;
    switch (ConnectResult(fd_.get(), &err)) {
      case ConnectState::kInProgress:
        return false;
      case ConnectState::kFailed:
        Finish(AdminResponse{0, "", absl::StrCat("connect: ", std::strerror(err))});
        return false;
      case ConnectState::kConnected:
        connected_ = true;
        break;
    }
  }
  const std::string& request = queue_.front().request;
  while (sent_ < request.size()) {
    const ssize_t n = send(fd_.get(), request.data() + sent_, request.size() - sent_,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    Finish(AdminResponse{0, "", absl::StrCat("send: ", std::strerror(errno))});
    return false;
  }
  char buffer[16384];
  for (int i = 0; i < kReadsPerCall; ++i) {
    const ssize_t n = recv(fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      if (received_.size() < kMaxAnswerBytes) received_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    // EOF ends an HTTP/1.0 answer; so does a reset after it was sent.
    AdminResponse r = Parse();
    if (r.status == 0 && n < 0) r.error = absl::StrCat("recv: ", std::strerror(errno));
    Finish(std::move(r));
    return false;
  }
  return true;
}

}  // namespace ttyhub::bench
