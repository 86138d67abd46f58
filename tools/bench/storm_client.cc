// See storm_client.h.
#include "tools/bench/storm_client.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tools/bench/pattern.h"
#include "tools/bench/tcp_socket.h"

namespace ttyhub::bench {
namespace {

// Printable ASCII, tabs and line ends only: a server's message, not data.
bool IsText(const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = data[i];
    if (!(c >= 0x20 && c < 0x7f) && c != '\r' && c != '\n' && c != '\t') return false;
  }
  return true;
}

int64_t NanosSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

}  // namespace

StormClient::StormClient(EventLoop& loop, uint16_t port, uint64_t seed, Duration attempt_timeout)
    : loop_(loop), port_(port), seed_(seed), attempt_timeout_(attempt_timeout) {}

StormClient::~StormClient() {
  if (fd_.valid()) loop_.Remove(fd_.get(), this);
}

void StormClient::Start() { Begin(); }

void StormClient::Begin() {
  if (stopping_) return;
  started_at_ = Clock::now();
  connected_ = false;
  head_len_ = 0;
  absl::StatusOr<UniqueFd> fd = StartConnect(port_);
  if (!fd.ok()) {
    // EADDRNOTAVAIL (no ephemeral port) or EMFILE: count it and stop this slot.
    ++failures_[std::string("connect: ") + std::string(fd.status().message())];
    stopping_ = true;
    return;
  }
  fd_ = *std::move(fd);
  if (!loop_.Add(fd_.get(), this).ok()) {
    ++failures_["epoll_ctl"];
    fd_.Reset();
    stopping_ = true;
  }
}

void StormClient::EndSession(const std::string& failure) {
  if (!failure.empty()) ++failures_[failure];
  loop_.Remove(fd_.get(), this);
  fd_.Reset();
  Begin();
}

void StormClient::OnTick(Clock::time_point now) {
  if (fd_.valid() && now - started_at_ > attempt_timeout_) {
    EndSession(connected_ ? "no data before timeout" : "connect timeout");
  }
}

bool StormClient::OnIoEvents(uint32_t) {
  if (!fd_.valid()) return false;
  if (!connected_) {
    int err = 0;
    switch (ConnectResult(fd_.get(), &err)) {
      case ConnectState::kInProgress:
        return false;
      case ConnectState::kFailed:
        EndSession(err == ECONNREFUSED ? "connect refused"
                   : err == ECONNRESET ? "connect reset"
                                       : "connect failed");
        return false;
      case ConnectState::kConnected:
        connected_ = true;
        connect_ns_.push_back(NanosSince(started_at_));
        break;
    }
  }
  for (;;) {
    const ssize_t n = read(fd_.get(), head_ + head_len_, sizeof(head_) - head_len_);
    if (n > 0) {
      if (head_len_ == 0) first_byte_ns_.push_back(NanosSince(started_at_));
      head_len_ += static_cast<size_t>(n);
      if (head_len_ >= kPatternLocateBytes) {
        // Any piece of the device stream will do, but it must be one.
        const std::optional<uint64_t> offset = LocatePattern(seed_, head_, head_len_);
        if (!offset || !MatchesPattern(seed_, *offset, head_, head_len_)) {
          if (IsText(head_, head_len_)) {
            // The server's own message (e.g. "port is full"): a refusal.
            std::string text(reinterpret_cast<const char*>(head_), head_len_);
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            EndSession(absl::StrCat("refused by the server: \"", text, "\""));
            return false;
          }
          if (corrupt_++ == 0) {
            for (size_t i = 0; i < head_len_; ++i) {
              absl::StrAppend(&first_corrupt_hex_, absl::Hex(head_[i], absl::kZeroPad2));
            }
          }
        }
        ++sessions_;
        EndSession("");
        return false;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    EndSession(n == 0 ? "closed by server before data" : "reset before data");
    return false;
  }
}

}  // namespace ttyhub::bench
