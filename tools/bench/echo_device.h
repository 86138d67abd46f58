// Plays an echo device on a pty master: every byte the server writes to the
// device is verified as the client's pattern stream and written straight
// back. Belongs to the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_ECHO_DEVICE_H_
#define TTYHUB_TOOLS_BENCH_ECHO_DEVICE_H_

#include <string>

#include "tools/bench/event_loop.h"
#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

class EchoDevice : public IoHandler {
 public:
  // Does not own `master_fd`. `seed`: the pattern of the client's stream.
  EchoDevice(EventLoop& loop, int master_fd, uint64_t seed);
  ~EchoDevice() override;

  absl::Status Start();
  const StreamVerifier& verifier() const { return verifier_; }
  int error() const { return error_; }

  bool OnIoEvents(uint32_t events) override;

 private:
  // Writes what is queued; false on a fatal error.
  bool Flush();

  EventLoop& loop_;
  int fd_;
  StreamVerifier verifier_;
  std::string queued_;  // read, not yet written back
  bool registered_ = false;
  int error_ = 0;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ECHO_DEVICE_H_
