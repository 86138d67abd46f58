// The set-up most scenarios share: N ptys (the devices), free TCP ports, a
// ServerPlan, the event loop, and the server under test started on them;
// at the end, the server's health check, peak memory and stop. Optionally
// (ttyhub) more listeners per port, the admin listener, and devices
// published as symlinks, so that a device can hang up and come back as a
// new pty at the same path. On ttyhub-log, every port's console log in a
// directory of the run's own, and the admin listener; at the end the logs
// are audited (console_log_audit.h) and removed unless --keep-temp. Owned by
// one scenario run on the tool's single thread; the destructor kills a
// server still running and closes every pty.
#ifndef TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_
#define TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/console_log_audit.h"
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
  // ttyhub only. Listeners added to every port (their tcp_port is chosen
  // here), the port's stall_timeout in ms (0: default), its ring in bytes
  // (0: the plan's default), and the admin listener.
  std::vector<PlannedListener> more_listeners;
  int stall_timeout_ms = 0;
  uint64_t buffer_bytes = 0;
  bool admin = false;
  // The server opens each device through a symlink in the temp dir
  // (HangUpDevice / ReplugDevice need it).
  bool device_links = false;
};

class PortFixture {
 public:
  // ttyhub-log: the directory of a run's console logs, e.g.
  // TEMP/ttyhub-log-dev2net-1-console-logs for `run_label` ttyhub-log-dev2net-1.
  static std::string ConsoleLogDir(const TempDir& temp_dir, absl::string_view run_label);

  // Creates the ptys, picks TCP ports and starts the server.
  static absl::StatusOr<std::unique_ptr<PortFixture>> Start(ScenarioContext& ctx,
                                                            const PortFixtureSpec& spec,
                                                            absl::string_view label);
  ~PortFixture();

  EventLoop& loop() { return *loop_; }
  ServerUnderTest& server() { return *server_; }
  ServerKind kind() const { return server_->kind(); }
  const ServerPlan& plan() const { return plan_; }
  // Not while the port's device is hung up.
  PtyPair& pty(size_t port) { return *ptys_[port]; }
  size_t port_count() const { return ptys_.size(); }
  uint16_t rw_tcp_port(size_t port) const { return plan_.ports[port].rw_tcp_port; }
  uint16_t viewer_tcp_port(size_t port) const {
    return ViewerTcpPort(server_->kind(), plan_.ports[port]);
  }
  uint16_t admin_tcp_port() const { return plan_.ttyhub_admin_tcp_port; }

  // The chain scenario's second server, fed by this fixture's server: while
  // set, its CPU counts with this server's in every measurement window
  // (MeasuredPids). Not owned; null (the default) for none.
  void set_chained_server(ServerUnderTest* server) { chained_server_ = server; }
  // The processes whose CPU a measurement window sums: the server, and the
  // chained server if set.
  std::vector<pid_t> MeasuredPids() const;

  // Hangs up `port`'s device, as an unplugged adapter: its link is pointed
  // at a path that does not exist, then the pty is closed (the server's
  // reads fail). Handlers on the old master must be gone. Needs
  // device_links.
  void HangUpDevice(size_t port);
  // Brings a hung-up device back: a new pty at the same link.
  absl::Status ReplugDevice(size_t port);

  // ttyhub-log: `port`'s device wrote the pattern stream `seed` from its
  // start to `end_offset`; Finish checks the port's console log against it.
  // Ports without one have their log's lines checked only.
  void ExpectConsoleLog(size_t port, uint64_t seed, uint64_t end_offset);

  // If the server died, fails `result` with how. Then records its peak RSS
  // and stops it (SIGTERM, then SIGKILL). How it stopped is a figure
  // (server_stopped_cleanly) and, if not cleanly, a note; the run's
  // measurements stand. On ttyhub-log, reads the log counters before the
  // stop and audits the log files after it.
  void Finish(RunResult* result);

 private:
  PortFixture() = default;
  // Points the symlink `link` at `target`, atomically (a new link renamed over it).
  static absl::Status PointLink(const std::string& link, const std::string& target);

  std::vector<std::unique_ptr<PtyPair>> ptys_;
  std::string absent_device_path_;  // where a hung-up device's link points
  ServerPlan plan_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ServerUnderTest> server_;
  ServerUnderTest* chained_server_ = nullptr;
  // ttyhub-log: what each port's device wrote, by port index; when the
  // server started (ms since the epoch); whether to keep the logs.
  std::map<size_t, DeviceStream> console_streams_;
  int64_t started_unix_ms_ = 0;
  bool keep_console_logs_ = false;
};

// Ends a run whose loop stopped early: fails `result` with the reason
// (interrupt, server exit, deadline) and `what` was being waited for.
void FailOnLoopExit(LoopExit exit, absl::string_view what, PortFixture* fixture, RunResult* result);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PORT_FIXTURE_H_
