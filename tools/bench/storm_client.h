// One slot of the connect storm: connect, wait for the first 16 bytes of
// the device stream, check that they are a piece of it, close, and connect
// again, until told to stop. Records the TCP connect time and the time from
// connect() to the first byte of each session, and counts failures by
// kind. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_STORM_CLIENT_H_
#define TTYHUB_TOOLS_BENCH_STORM_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/bench/event_loop.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class StormClient : public IoHandler {
 public:
  StormClient(EventLoop& loop, uint16_t port, uint64_t seed, Duration attempt_timeout);
  ~StormClient() override;

  // Starts the first session.
  void Start();
  // Starts no new session; the current one finishes (or times out).
  void StopAfterCurrent() { stopping_ = true; }
  bool idle() const { return !fd_.valid(); }
  // Enforces the per-session timeout; call periodically.
  void OnTick(Clock::time_point now);

  uint64_t sessions() const { return sessions_; }
  const std::vector<int64_t>& connect_ns() const { return connect_ns_; }
  const std::vector<int64_t>& first_byte_ns() const { return first_byte_ns_; }
  // Failure kind -> count ("refused", "closed before data", ...).
  const std::map<std::string, uint64_t>& failures() const { return failures_; }
  uint64_t corrupt_sessions() const { return corrupt_; }
  // The first session's bytes that were not a piece of the device stream,
  // in hex (empty if none), for the report.
  const std::string& first_corrupt_hex() const { return first_corrupt_hex_; }

  bool OnIoEvents(uint32_t events) override;

 private:
  void Begin();
  // Closes the session; `failure` (if not empty) names what went wrong.
  void EndSession(const std::string& failure);

  EventLoop& loop_;
  uint16_t port_;
  uint64_t seed_;
  Duration attempt_timeout_;
  UniqueFd fd_;
  bool connected_ = false;
  bool stopping_ = false;
  Clock::time_point started_at_;
  uint8_t head_[64];
  size_t head_len_ = 0;
  uint64_t sessions_ = 0;
  uint64_t corrupt_ = 0;
  std::string first_corrupt_hex_;
  std::vector<int64_t> connect_ns_;
  std::vector<int64_t> first_byte_ns_;
  std::map<std::string, uint64_t> failures_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_STORM_CLIENT_H_
