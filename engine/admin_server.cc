// HTTP admin listener on libmicrohttpd. See admin_server.h.
#include "engine/admin_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/engine.h"
#include "engine/json_render.h"
#include "engine/logger.h"
#include "engine/metrics.h"
#include "nlohmann/json.hpp"

namespace ttyhub {
namespace {

constexpr size_t kMaxBody = 16 * 1024;  // bytes; control requests are tiny
constexpr auto kEngineTimeout = std::chrono::seconds(2);

struct RequestState {
  std::string body;
  bool too_large = false;
};

AdminResponse Json(int status, const nlohmann::ordered_json& j) {
  AdminResponse r;
  r.status = status;
  r.body = j.dump(2) + "\n";
  return r;
}

AdminResponse Error(int status, absl::string_view message) {
  return Json(status, {{"error", std::string(message)}});
}

// Maps an engine error to an HTTP status.
AdminResponse FromStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return Error(404, s.message());
    case absl::StatusCode::kInvalidArgument:
      return Error(400, s.message());
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnavailable:
      return Error(503, s.message());
    default:
      return Error(500, s.message());
  }
}

// Constant-time comparison, so the token cannot be guessed byte by byte.
bool SameSecret(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool ValidPortName(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  }
  return true;
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                     void** con_cls) {
  auto* server = static_cast<AdminServer*>(cls);
  auto* state = static_cast<RequestState*>(*con_cls);
  if (state == nullptr) {
    *con_cls = new RequestState;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (state->body.size() + *upload_data_size > kMaxBody) {
      state->too_large = true;
    } else {
      state->body.append(upload_data, *upload_data_size);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  AdminResponse r;
  if (state->too_large) {
    r = Error(413, absl::StrCat("request body larger than ", kMaxBody, " bytes"));
  } else {
    const char* auth =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    r = server->Handle(method, url, state->body, auth ? auth : "");
  }
  MHD_Response* response = MHD_create_response_from_buffer(
      r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  if (!r.allow.empty()) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, r.allow.c_str());
  if (r.status == 401)
    MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  const MHD_Result ret = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  return ret;
}

void OnCompleted(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  delete static_cast<RequestState*>(*con_cls);
  *con_cls = nullptr;
}

// libmicrohttpd's error messages, collected during startup.
void OnLibraryLog(void* cls, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  std::string* out = static_cast<std::string*>(cls);
  if (!out->empty()) out->append("; ");
  out->append(buf);
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
}

}  // namespace

AdminServer::AdminServer(const AdminConfig& config, Engine& engine, Logger& log,
                         std::string version)
    : config_(config), engine_(engine), log_(log), version_(std::move(version)) {}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start() {
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof(ss));
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  std::string address;
  if (config_.host.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(config_.port);
    if (inet_pton(AF_INET6, config_.host.c_str(), &a6->sin6_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_.where, ": bad address"));
    }
    flags |= MHD_USE_IPv6;
    address = absl::StrCat("[", config_.host, "]:", config_.port);
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(config_.port);
    if (inet_pton(AF_INET, config_.host.c_str(), &a4->sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(config_.where, ": bad address"));
    }
    address = absl::StrCat(config_.host, ":", config_.port);
  }
  std::string library_errors;
  daemon_ = MHD_start_daemon(
      flags, config_.port, nullptr, nullptr, &OnRequest, this, MHD_OPTION_SOCK_ADDR, &ss,
      MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT, 64u,
      MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, nullptr,
      MHD_OPTION_EXTERNAL_LOGGER, &OnLibraryLog, &library_errors, MHD_OPTION_END);
  if (daemon_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(config_.where, ": cannot serve the admin API on ", address, ": ",
                     library_errors.empty() ? "unknown error" : library_errors));
  }
  const bool loopback = config_.host == "127.0.0.1" || config_.host == "::1";
  log_.Info(absl::StrCat("admin API listening on http://", address, "/ (metrics at /metrics)",
                         config_.token.empty() ? "" : ", control requires a bearer token"));
  if (!loopback && config_.token.empty()) {
    log_.Warn(absl::StrCat("admin API on ", address,
                           " is reachable beyond this host and has no token: anyone who can "
                           "connect can disconnect clients and change serial settings"));
  }
  return absl::OkStatus();
}

void AdminServer::Stop() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

AdminResponse AdminServer::Handle(const std::string& method, const std::string& url,
                                  const std::string& body, const std::string& authorization) {
  std::vector<std::string> parts = absl::StrSplit(url, '/', absl::SkipEmpty());
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";
  auto wrong_method = [](const char* allow) {
    AdminResponse r = Error(405, absl::StrCat("method not allowed; use ", allow));
    r.allow = allow;
    return r;
  };
  if (parts.size() == 1 && parts[0] == "metrics") return get ? Metrics() : wrong_method("GET");
  if (parts.size() == 1 && parts[0] == "healthz") return get ? Health() : wrong_method("GET");
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "ports") {
    return Error(404, absl::StrCat("no such endpoint: ", url));
  }
  if (parts.size() == 3) return get ? ListPorts() : wrong_method("GET");
  if (!ValidPortName(parts[3])) return Error(404, "no such port");
  const bool mutating = (parts.size() == 5 && parts[4] == "serial") ||
                        (parts.size() == 7 && parts[4] == "clients" && parts[6] == "disconnect");
  if (mutating) {
    if (!post) return wrong_method("POST");
    if (!config_.token.empty()) {
      constexpr absl::string_view kBearer = "Bearer ";
      if (authorization.compare(0, kBearer.size(), kBearer.data(), kBearer.size()) != 0 ||
          !SameSecret(absl::string_view(authorization).substr(kBearer.size()), config_.token)) {
        return Error(401, "missing or wrong bearer token");
      }
    }
    return parts.size() == 5 ? SetSerial(parts[3], body) : Disconnect(parts[3], parts[5]);
  }
  if (parts.size() == 4) return get ? ShowPort(parts[3]) : wrong_method("GET");
  return Error(404, absl::StrCat("no such endpoint: ", url));
}

AdminResponse AdminServer::Metrics() {
  auto snap = engine_.Snapshot(kEngineTimeout);
  if (!snap.ok()) return FromStatus(snap.status());
  AdminResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = RenderPrometheus(*snap, version_);
  return r;
}

AdminResponse AdminServer::Health() {
  auto snap = engine_.Ping(kEngineTimeout);
  if (!snap.ok())
    return Json(503, {{"status", "unavailable"}, {"error", std::string(snap.message())}});
  return Json(200, {{"status", "ok"}, {"version", version_}, {"workers", engine_.worker_count()}});
}

AdminResponse AdminServer::ListPorts() {
  auto snap = engine_.Snapshot(kEngineTimeout);
  if (!snap.ok()) return FromStatus(snap.status());
  nlohmann::ordered_json ports = nlohmann::ordered_json::array();
  for (const PortSnapshot& p : snap->ports) ports.push_back(PortToJson(p, false));
  nlohmann::ordered_json workers = nlohmann::ordered_json::array();
  for (const WorkerSnapshot& w : snap->workers) workers.push_back(WorkerToJson(w));
  return Json(200, {{"ports", ports}, {"workers", workers}});
}

AdminResponse AdminServer::ShowPort(const std::string& name) {
  auto snap = engine_.SnapshotPort(name, kEngineTimeout);
  if (!snap.ok()) return FromStatus(snap.status());
  return Json(200, PortToJson(*snap, true));
}

AdminResponse AdminServer::Disconnect(const std::string& port, const std::string& id_text) {
  uint64_t id = 0;
  if (!absl::SimpleAtoi(id_text, &id)) return Error(400, "client id must be a number");
  if (absl::Status s = engine_.DisconnectClient(port, id, kEngineTimeout); !s.ok()) {
    return FromStatus(s);
  }
  log_.Info(absl::StrCat("admin API: disconnected client #", id, " of port ", port));
  return Json(200, {{"port", port}, {"disconnected", id}});
}

AdminResponse AdminServer::SetSerial(const std::string& port, const std::string& body) {
  const nlohmann::ordered_json req =
      nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object()) {
    return Error(400, "body must be a JSON object such as {\"serial\": \"9600e71\"}");
  }
  for (const auto& item : req.items()) {
    if (item.key() != "serial" && item.key() != "flow") {
      return Error(400, absl::StrCat("unknown key '", item.key(), "' (use serial, flow)"));
    }
    if (!item.value().is_string()) {
      return Error(400, absl::StrCat("'", item.key(), "' must be a string"));
    }
  }
  if (!req.contains("serial") && !req.contains("flow")) {
    return Error(400, "give 'serial' (like 9600e71), 'flow' (none, xonxoff, rtscts) or both");
  }
  auto current = engine_.SnapshotPort(port, kEngineTimeout);
  if (!current.ok()) return FromStatus(current.status());
  SerialSettings settings = current->serial;
  if (req.contains("serial")) {
    auto parsed = ParseSerialSettings(req["serial"].get<std::string>());
    if (!parsed.ok()) return Error(400, absl::StrCat("serial: ", parsed.status().message()));
    parsed->flow = settings.flow;
    settings = *parsed;
  }
  if (req.contains("flow")) {
    auto flow = ParseFlowControl(req["flow"].get<std::string>());
    if (!flow.ok()) return Error(400, absl::StrCat("flow: ", flow.status().message()));
    settings.flow = *flow;
  }
  if (absl::Status s = engine_.SetSerial(port, settings, kEngineTimeout); !s.ok()) {
    return FromStatus(s);
  }
  auto after = engine_.SnapshotPort(port, kEngineTimeout);
  if (!after.ok()) return FromStatus(after.status());
  return Json(200, PortToJson(*after, false));
}

}  // namespace ttyhub
