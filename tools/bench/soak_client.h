// One client connection of the soak scenario, as a mechanism: it connects
// (non-blocking, in the event loop), says its telnet hello on telnet and
// RFC 2217 listeners, then reads and verifies the port's stream (a
// PatternReader joining anywhere, behind a ClientStreamFilter), and does
// what it is told: stop and resume reading, send RFC 2217 commands,
// half-close, close or reset. What to do when is decided by its SoakSlot
// (soak_slot.h); this class only does it and reports what happened.
// Owned by its slot on the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_CLIENT_H_
#define TTYHUB_TOOLS_BENCH_SOAK_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "tools/bench/deadline.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/pattern_reader.h"
#include "tools/bench/telnet_client_stream.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class SoakClient : public IoHandler {
 public:
  // `seed`: the pattern seed of the port's device stream. `rcvbuf_bytes`:
  // the socket's receive buffer (> 0), which bounds how much the server can
  // push to a client that stops reading.
  SoakClient(EventLoop& loop, uint16_t tcp_port, ClientProtocol protocol, uint64_t seed,
             int rcvbuf_bytes);
  ~SoakClient() override;
  SoakClient(const SoakClient&) = delete;
  SoakClient& operator=(const SoakClient&) = delete;

  // Starts connecting. An error: no connection attempt was made.
  absl::Status Start();

  ClientProtocol protocol() const { return protocol_; }
  bool connected() const { return reader_ != nullptr; }
  // The connect failed (errno in connect_error()).
  bool connect_failed() const { return connect_error_ != 0; }
  int connect_error() const { return connect_error_; }
  std::optional<Clock::time_point> connected_at() const { return connected_at_; }
  // The client's own TCP port: how the admin API's client list names it.
  uint16_t local_port() const { return local_port_; }
  // The server turned the connection away ("port is full").
  bool refused() const { return filter_.refused(); }
  // Device data is being verified (telnet: after the AYT answer).
  bool synced() const { return filter_.synced(); }
  const ClientStreamFilter& filter() const { return filter_; }

  // The server closed or reset the connection. While the client is not
  // reading, this looks at the socket (POLLRDHUP/POLLHUP/POLLERR) instead.
  bool ServerClosed();
  // errno of a reset or failed read after the server closed, 0 for EOF.
  int close_error() const { return reader_ ? reader_->error() : 0; }
  // Device bytes verified so far, and how the stream verified.
  const StreamVerifier* verifier() const { return reader_ ? &reader_->verifier() : nullptr; }
  uint64_t position() const { return reader_ ? reader_->position() : 0; }

  void PauseReading();
  void ResumeReading();
  bool reading() const { return reader_ != nullptr && !reader_->paused(); }
  // Seconds spent not reading since connected, up to now.
  double SecondsNotReading() const;

  // Sends `bytes` now. Returns 0, or the errno that stopped it (EAGAIN:
  // the server does not read its input; EPIPE, ECONNRESET: it has closed).
  int Send(const std::string& bytes);
  // shutdown(SHUT_WR): the client says it is done but goes on reading.
  void HalfClose();
  bool half_closed() const { return half_closed_; }
  // Closes the socket; `reset`: abortively (SO_LINGER 0, the peer sees RST).
  // The verification stays readable.
  void Close(bool reset);
  bool closed() const { return !fd_.valid(); }

  // Connect completion.
  bool OnIoEvents(uint32_t events) override;

 private:
  EventLoop& loop_;
  uint16_t tcp_port_;
  ClientProtocol protocol_;
  uint64_t seed_;
  int rcvbuf_bytes_;
  UniqueFd fd_;
  bool registered_ = false;  // this handler, during the connect
  int connect_error_ = 0;
  std::optional<Clock::time_point> connected_at_;
  uint16_t local_port_ = 0;
  ClientStreamFilter filter_;
  std::unique_ptr<PatternReader> reader_;
  bool half_closed_ = false;
  bool server_closed_ = false;
  std::optional<Clock::time_point> paused_since_;
  double paused_seconds_ = 0;  // completed pauses
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_CLIENT_H_
