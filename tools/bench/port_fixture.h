// The set-up most scenarios share: N ptys (the devices), free TCP ports, a
// ServerPlan, the event loop, and the server under test started on them;
// at the end, the server's health check, peak memory and stop. Owned by
// one scenario run on the tool's single thread; the destructor kills a
// server still running and closes every pty.
#ifndef TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_
#define TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/pty_pair.h"
#include "tools/bench/run_result.h"
#include "tools/bench/scenario.h"
#include "tools/bench/server_plan.h"
#include "tools/bench/server_under_test.h"

namespace ttyhub::bench {

struct PortFixtureSpec {
  int ports = 1;
  int rw_clients = 1;  // rw clients allowed per port
  int ro_clients = 0;  // viewers allowed per port (0: no ro listener)
};

class PortFixture {
 public:
  // Creates the ptys, picks TCP ports and starts the server.
  static absl::StatusOr<std::unique_ptr<PortFixture>> Start(ScenarioContext& ctx,
                                                            const PortFixtureSpec& spec,
                                                            absl::string_view label);
  ~PortFixture();

  EventLoop& loop() { return *loop_; }
  ServerUnderTest& server() { return *server_; }
  ServerKind kind() const { return server_->kind(); }
  const ServerPlan& plan() const { return plan_; }
  PtyPair& pty(size_t port) { return *ptys_[port]; }
  size_t port_count() const { return ptys_.size(); }
  uint16_t rw_tcp_port(size_t port) const { return plan_.ports[port].rw_tcp_port; }
  uint16_t viewer_tcp_port(size_t port) const {
    return ViewerTcpPort(server_->kind(), plan_.ports[port]);
  }

  // If the server died, fails `result` with how. Then records its peak RSS
  // and stops it (SIGTERM, then SIGKILL). How it stopped is a figure
  // (server_stopped_cleanly) and, if not cleanly, a note; the run's
  // measurements stand.
  void Finish(RunResult* result);

 private:
  PortFixture() = default;
  std::vector<std::unique_ptr<PtyPair>> ptys_;
  ServerPlan plan_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ServerUnderTest> server_;
};

// Ends a run whose loop stopped early: fails `result` with the reason
// (interrupt, server exit, deadline) and `what` was being waited for.
void FailOnLoopExit(LoopExit exit, absl::string_view what, PortFixture* fixture, RunResult* result);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_
