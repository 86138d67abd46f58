// See echo_after_idle.h.
#include "tools/bench/echo_after_idle.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxMessage = 256;
constexpr auto kEchoDeadline = std::chrono::seconds(5);

// Echoes everything `fd` receives until `stop_fd` is signalled. Sleeps in
// poll(2) with no timeout, as an idle server does, so the gap is real idle.
void EchoUntilStopped(int fd, int stop_fd) {
  char buf[kMaxMessage];
  for (;;) {
    pollfd pfds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (poll(pfds, 2, -1) < 0 && errno != EINTR) return;
    if (pfds[1].revents != 0) return;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
    for (ssize_t done = 0; n > 0 && done < n;) {
      const ssize_t w = write(fd, buf + done, static_cast<size_t>(n - done));
      if (w > 0) {
        done += w;
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        return;
      } else {
        pollfd out{fd, POLLOUT, 0};
        poll(&out, 1, 100);
      }
    }
  }
}

// Waits until `fd` is ready for `events` or `until` passes.
bool WaitFor(int fd, short events, Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  if (left.count() < 0) return false;
  pollfd pfd{fd, events, 0};
  return poll(&pfd, 1, static_cast<int>(left.count()) + 1) >= 0;
}

// One round trip in microseconds, or an error naming what went wrong.
absl::StatusOr<double> EchoOnce(int fd, const char* message, size_t bytes) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point until = start + kEchoDeadline;
  for (size_t sent = 0; sent < bytes;) {
    const ssize_t w = write(fd, message + sent, bytes - sent);
    if (w > 0) {
      sent += static_cast<size_t>(w);
    } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
      return absl::ErrnoToStatus(errno, "echo after idle: write");
    } else if (!WaitFor(fd, POLLOUT, until)) {
      return absl::DeadlineExceededError("echo after idle: could not send within 5 s");
    }
  }
  char got[kMaxMessage];
  size_t received = 0;
  while (received < bytes) {
    const ssize_t n = read(fd, got + received, bytes - received);
    if (n > 0) {
      received += static_cast<size_t>(n);
    } else if (n == 0) {
      return absl::UnavailableError("echo after idle: the echo end closed");
    } else if (errno != EAGAIN && errno != EINTR) {
      return absl::ErrnoToStatus(errno, "echo after idle: read");
    } else if (!WaitFor(fd, POLLIN, until)) {
      return absl::DeadlineExceededError(
          absl::StrCat("echo after idle: ", received, " of ", bytes, " B back within 5 s"));
    }
  }
  if (std::memcmp(got, message, bytes) != 0) {
    return absl::DataLossError("echo after idle: the echo differs from the message");
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

}  // namespace

absl::StatusOr<EchoAfterIdle> MeasureEchoAfterIdle(int client_fd, int echo_fd,
                                                   const EchoAfterIdleSpec& spec) {
  if (spec.message_bytes == 0 || spec.message_bytes > kMaxMessage || spec.cold_echoes < 1 ||
      spec.warm_echoes <= spec.warm_skipped) {
    return absl::InvalidArgumentError("echo after idle: bad spec");
  }
  UniqueFd stop(eventfd(0, EFD_CLOEXEC));
  if (stop.get() < 0) return absl::ErrnoToStatus(errno, "eventfd");
  std::thread echo(EchoUntilStopped, echo_fd, stop.get());
  std::vector<char> message(spec.message_bytes);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>('a' + i % 26);

  absl::Status failure;
  std::vector<double> primed, cold, warm;
  auto run = [&](int count, std::vector<double>* into) {
    for (int i = 0; i < count && failure.ok(); ++i) {
      absl::StatusOr<double> us = EchoOnce(client_fd, message.data(), message.size());
      if (!us.ok()) {
        failure = us.status();
      } else {
        into->push_back(*us);
      }
    }
  };
  run(1, &primed);  // both ends have run once before the gap
  if (failure.ok()) {
    std::this_thread::sleep_for(std::chrono::duration<double>(spec.idle_seconds));
    run(spec.cold_echoes, &cold);
    run(spec.warm_echoes, &warm);
  }
  const uint64_t one = 1;
  (void)!write(stop.get(), &one, sizeof(one));
  echo.join();
  if (!failure.ok()) return failure;
  warm.erase(warm.begin(), warm.begin() + spec.warm_skipped);
  return EchoAfterIdle{Median(cold), Median(warm)};
}

}  // namespace ttyhub::bench
