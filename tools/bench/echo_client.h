// A TCP client that sends fixed-size messages one at a time and times each
// round trip until the whole message has come back (echoed by EchoDevice on
// the device side). Messages are consecutive pieces of a pattern stream, so
// the echoes are verified byte for byte. Works on a socket or a pty (plain
// read/write; the tool ignores SIGPIPE). Belongs to the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_ECHO_CLIENT_H_
#define TTYHUB_TOOLS_BENCH_ECHO_CLIENT_H_

#include <cstdint>
#include <vector>

#include "tools/bench/event_loop.h"
#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

class EchoClient : public IoHandler {
 public:
  // Does not own `fd`. `message_bytes`: e.g. 16.
  EchoClient(EventLoop& loop, int fd, uint64_t seed, size_t message_bytes);
  ~EchoClient() override;

  absl::Status Start();
  // Sends `count` more messages, each after the previous one's echo.
  void SendMessages(uint64_t count);
  // Sends nothing after the message in flight.
  void StopAfterInFlight() { requested_ = completed_ + (in_flight_ ? 1 : 0); }

  uint64_t completed() const { return completed_; }
  bool idle() const { return completed_ == requested_; }
  // Round-trip times of completed messages, in nanoseconds.
  const std::vector<int64_t>& rtt_ns() const { return rtt_ns_; }
  const StreamVerifier& verifier() const { return verifier_; }
  bool closed() const { return closed_; }
  int error() const { return error_; }

  bool OnIoEvents(uint32_t events) override;

 private:
  void SendNext();
  bool FlushSend();

  EventLoop& loop_;
  int fd_;
  uint64_t seed_;
  size_t message_bytes_;
  StreamVerifier verifier_;
  bool registered_ = false;
  uint64_t requested_ = 0;
  uint64_t completed_ = 0;
  bool in_flight_ = false;
  Clock::time_point sent_at_;
  std::vector<uint8_t> outgoing_;
  size_t outgoing_done_ = 0;
  std::vector<int64_t> rtt_ns_;
  bool closed_ = false;
  int error_ = 0;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ECHO_CLIENT_H_
