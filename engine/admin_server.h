// AdminServer: the HTTP admin listener (metrics, JSON API, control).
//
// Runs on libmicrohttpd's own threads (a small pool), never on a data-path
// worker. Every answer comes from Engine calls, which reach the workers
// through their inboxes, so serving a scrape never takes a lock on the data
// path. Binds to loopback unless the config says otherwise.
//
//   GET  /metrics                                  Prometheus text format
//   GET  /healthz                                  {"status":"ok",...} or 503
//   GET  /api/v1/ports                             every port, without clients
//   GET  /api/v1/ports/NAME                        one port, with its clients
//   POST /api/v1/ports/NAME/clients/ID/disconnect  kick a client
//   POST /api/v1/ports/NAME/serial                 {"serial":"9600e71","flow":"rtscts"}
//
// With a token configured, POSTs need "Authorization: Bearer <token>".
// Errors are JSON: {"error": "..."} with a 4xx/5xx status.
#ifndef TTYHUB_ENGINE_ADMIN_SERVER_H_
#define TTYHUB_ENGINE_ADMIN_SERVER_H_

#include <string>

#include "absl/status/status.h"
#include "config/config.h"

struct MHD_Daemon;

namespace ttyhub {

class Engine;
class Logger;

// An HTTP response, independent of the server library (so routing is
// testable without sockets).
struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // for 405
};

class AdminServer {
 public:
  AdminServer(const AdminConfig& config, Engine& engine, Logger& log, std::string version);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. Errors name the config location.
  absl::Status Start();
  // Stops accepting and waits for in-flight requests to finish.
  void Stop();

  // Routes one request (exposed for tests). `authorization` is the raw
  // Authorization header value, or empty.
  AdminResponse Handle(const std::string& method, const std::string& url, const std::string& body,
                       const std::string& authorization);

 private:
  AdminResponse Metrics();
  AdminResponse Health();
  AdminResponse ListPorts();
  AdminResponse ShowPort(const std::string& name);
  AdminResponse Disconnect(const std::string& port, const std::string& id);
  AdminResponse SetSerial(const std::string& port, const std::string& body);

  const AdminConfig& config_;
  Engine& engine_;
  Logger& log_;
  std::string version_;
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ADMIN_SERVER_H_
