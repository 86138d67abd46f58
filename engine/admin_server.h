// AdminServer: the HTTP admin listener (metrics, JSON API, control).
//
// Runs on libmicrohttpd's own threads (a small pool), never on a data-path
// worker, plus one janitor thread of its own that enforces the connection
// deadlines. Every answer comes from Engine calls, which reach the workers
// through their inboxes, so serving a scrape never takes a lock on the data
// path. Binds to loopback unless the config says otherwise.
//
//   GET  /metrics                                  Prometheus text format
//   GET  /healthz                                  {"status":"ok",...} or 503
//   GET  /api/v1/ports                             every port, without clients
//   GET  /api/v1/ports/NAME                        one port, with its clients
//   POST /api/v1/ports/NAME/clients/ID/disconnect  kick a client
//   POST /api/v1/ports/NAME/serial                 {"serial":"9600e71","flow":"rtscts"}
//   GET  /api/v1/ports/NAME/log?lines=&since=&after=   the port's console log (streamed)
//   GET  /api/v1/grep?re=&since=&ports=            matching log lines, NDJSON (streamed)
//   POST /api/v1/logs/reopen                       reopen every console log file
//   (the log endpoints are in admin_log_endpoints.h)
//
// Every request's Host must name this server (the DNS-rebinding guard).
// POSTs must be application/json and, if they carry an Origin, come from this
// server's own origin (the cross-site guard). With a token configured, POSTs
// need "Authorization: Bearer <token>", and so do reads other than /healthz if
// token_required_for_reads is set. Errors are JSON: {"error": "..."} with a
// 4xx/5xx status. docs/metrics.md has the threat model and the limits.
#ifndef TTYHUB_ENGINE_ADMIN_SERVER_H_
#define TTYHUB_ENGINE_ADMIN_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "engine/admin_body_stream.h"
#include "engine/admin_connection_guard.h"
#include "engine/logger.h"

struct MHD_Connection;
struct MHD_Daemon;

namespace ttyhub {

class ConfigReloader;
class Engine;

// An HTTP request, independent of the server library (so the checks and the
// routing are testable without sockets). Header fields hold the raw header
// value, or "" if the header is absent.
struct AdminRequest {
  std::string method;
  std::string url;  // path only, as the server library decoded it
  std::string body;
  std::string authorization;
  std::string host;
  std::string origin;
  std::string content_type;
  std::string sec_fetch_site;  // browsers send it; "cross-site" is refused for POSTs
  // The query's arguments, decoded, in order ("?a" gives {"a", ""}).
  std::vector<std::pair<std::string, std::string>> query;
};

// An HTTP response, independent of the server library.
struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;                                         // for 405
  std::vector<std::pair<std::string, std::string>> headers;  // more response headers
  // When set, the body comes from here while it is sent, and `body` is unused.
  std::shared_ptr<AdminBodyStream> stream;
};

class AdminServer {
 public:
  // Bounds on what one request may cost; see docs/metrics.md, "Limits".
  static constexpr size_t kMaxBody = 16 * 1024;     // bytes; control requests are tiny
  static constexpr size_t kMaxQueryArguments = 32;  // no endpoint takes nearly as many
  static constexpr unsigned kThreads = 4;           // MHD pool threads
  static constexpr unsigned kMaxConnections = 256;  // hard total; MHD stops accepting beyond
  // Hard, per address; refused beyond. Far above the guard's soft per-peer
  // limit, whose cuts take an MHD loop turn to close: it only stops one
  // address from taking most of kMaxConnections.
  static constexpr unsigned kMaxConnectionsPerPeer = 128;
  static constexpr unsigned kIdleTimeoutSeconds = 3;  // MHD's no-progress timeout
  // The same for a streamed answer (a log, grep), which may pause between
  // pieces; the guard's answer deadline still bounds it.
  static constexpr unsigned kStreamIdleTimeoutSeconds = 15;

  AdminServer(const AdminConfig& config, Engine& engine, Logger& log, std::string version,
              AdminConnectionLimits limits = AdminConnectionLimits());
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. Errors name the config location.
  absl::Status Start();
  // Stops accepting and waits for in-flight requests to finish.
  void Stop();

  // POST /api/v1/reload goes to `reloader` (set before Start; without one
  // the endpoint answers 503).
  void set_reloader(ConfigReloader* reloader) { reloader_ = reloader; }

  // Checks and routes one complete request. Called by the server for each
  // request, and directly by unit tests.
  AdminResponse Handle(const AdminRequest& request);

  // Hooks for libmicrohttpd's callbacks (admin_server.cc); not for other use.
  void OnConnectionOpened(MHD_Connection* connection);
  void OnConnectionClosed(MHD_Connection* connection);
  void OnRequestComplete(MHD_Connection* connection);
  void OnAnswerSent(MHD_Connection* connection);
  void OnLibraryMessage(const char* text);
  void OnTooManyQueryArguments(MHD_Connection* connection);

 private:
  // Why a request is refused before routing, or nullopt to go on.
  std::optional<AdminResponse> CheckHost(const AdminRequest& request) const;
  std::optional<AdminResponse> CheckCrossSite(const AdminRequest& request) const;
  std::optional<AdminResponse> CheckToken(const AdminRequest& request) const;

  AdminResponse Metrics();
  AdminResponse Health();
  AdminResponse ListPorts();
  AdminResponse ShowPort(const std::string& name);
  AdminResponse Disconnect(const std::string& port, const std::string& id);
  AdminResponse SetSerial(const std::string& port, const std::string& body);
  AdminResponse PortLog(const std::string& port, const AdminRequest& request);
  AdminResponse Grep(const AdminRequest& request);
  AdminResponse ReopenLogs();
  AdminResponse Reload();
  AdminResponse SetWriter(const std::string& port, const std::string& body);
  AdminResponse SetEnabled(const std::string& port, const std::string& body, bool on);

  // Shuts `fd` down (both ways), so that its MHD thread closes it. Requires
  // guard_mu_ held: the fd is then still open (closing it takes guard_mu_ in
  // OnConnectionClosed first), so it cannot be a reused number.
  void CutLocked(int fd, AdminConnectionGuard::CutReason reason);
  void JanitorMain();

  const AdminConfig& config_;
  Engine& engine_;
  ConfigReloader* reloader_ = nullptr;
  Logger& log_;
  std::string version_;
  MHD_Daemon* daemon_ = nullptr;

  std::mutex guard_mu_;
  AdminConnectionGuard guard_;            // guarded by guard_mu_
  LogRateLimiter cut_log_limit_;          // guarded by guard_mu_
  uint64_t cuts_ = 0;                     // guarded by guard_mu_; connections cut so far
  std::condition_variable janitor_wake_;  // with guard_mu_
  bool janitor_stop_ = false;             // guarded by guard_mu_
  std::thread janitor_;

  // libmicrohttpd's messages: collected while Start() runs (for its error),
  // then logged, rate-limited. MHD calls its logger from any of its threads.
  std::mutex library_log_mu_;
  bool starting_ = false;             // guarded by library_log_mu_
  std::string startup_messages_;      // guarded by library_log_mu_
  LogRateLimiter library_log_limit_;  // guarded by library_log_mu_
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ADMIN_SERVER_H_
