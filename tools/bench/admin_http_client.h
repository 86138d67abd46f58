// Requests to ttyhub's admin HTTP API from inside the tool's event loop,
// one at a time in the order asked: connect to 127.0.0.1, send one
// HTTP/1.0 request (POSTs as application/json, with the Host the admin
// listener expects), read the answer until the server closes. Nothing
// blocks the loop; a request that has no complete answer within its
// timeout fails. One at a time, so the tool never holds more than one admin
// connection (ttyhub limits connections per peer). Owned by one scenario
// run on the tool's single thread; callbacks run on it too.
#ifndef TTYHUB_TOOLS_BENCH_ADMIN_HTTP_CLIENT_H_
#define TTYHUB_TOOLS_BENCH_ADMIN_HTTP_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "tools/bench/deadline.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

struct AdminResponse {
  int status = 0;     // HTTP status; 0 when there was no answer
  std::string body;   // the answer's body
  std::string error;  // why there was no answer (connect failed, timeout...)
};

class AdminHttpClient : public IoHandler {
 public:
  using Callback = std::function<void(const AdminResponse&)>;

  // `timeout_s`: per request, from when it is sent.
  AdminHttpClient(EventLoop& loop, uint16_t tcp_port, double timeout_s);
  ~AdminHttpClient() override;

  // Queues `method path`; `done` runs once with the answer (it may queue
  // further requests).
  void Request(const std::string& method, const std::string& path, const std::string& body,
               Callback done);
  // Fails the request in flight if its time is up. Call from the loop's tick.
  void Poll();
  // Requests queued or in flight.
  size_t pending() const { return queue_.size(); }

  bool OnIoEvents(uint32_t events) override;

 private:
  struct Pending {
    std::string request;  // the bytes to send
    Callback done;
  };
  // Starts the request at the head of the queue, if any and none is in flight.
  void StartNext();
  // Ends the request in flight with `response` and starts the next.
  void Finish(AdminResponse response);
  // Parses the status line and body of what was read.
  AdminResponse Parse() const;

  EventLoop& loop_;
  uint16_t tcp_port_;
  double timeout_s_;
  std::deque<Pending> queue_;  // the head is in flight while fd_ is valid
  UniqueFd fd_;
  bool connected_ = false;
  size_t sent_ = 0;  // bytes of the head's request sent
  std::string received_;
  Deadline deadline_ = Deadline::AfterSeconds(0);
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ADMIN_HTTP_CLIENT_H_
