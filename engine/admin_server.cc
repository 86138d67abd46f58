// HTTP admin listener on libmicrohttpd. See admin_server.h.
//
// Threads: libmicrohttpd's pool threads run the callbacks below and Handle();
// the janitor thread cuts connections past their deadlines. The connection
// guard and its mutex are shared by both; nothing here touches a worker
// except through Engine calls.
#include "engine/admin_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/admin_log_endpoints.h"
#include "engine/config_reloader.h"
#include "engine/engine.h"
#include "engine/json_render.h"
#include "engine/metrics.h"
#include "nlohmann/json.hpp"

namespace ttyhub {
namespace {

constexpr auto kEngineTimeout = std::chrono::seconds(2);
constexpr auto kJanitorPeriod = std::chrono::milliseconds(100);

// One request's state, from its request line to its completion.
struct RequestState {
  bool headers_seen = false;  // the access handler has been called once
  std::string body;
  bool too_large = false;
};

AdminResponse Json(int status, const nlohmann::ordered_json& j) {
  AdminResponse r;
  r.status = status;
  // Errors echo request data (a URL, a port name, a regex), which may hold
  // invalid UTF-8: it is replaced, as dump() would otherwise throw.
  r.body = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return r;
}

AdminResponse Error(int status, absl::string_view message) {
  return Json(status, {{"error", std::string(message)}});
}

// Maps an engine error to an HTTP status. A 503 always means "not carried
// out" (Engine's contract: a request that timed out was cancelled).
AdminResponse FromStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return Error(404, s.message());
    case absl::StatusCode::kInvalidArgument:
      return Error(400, s.message());
    case absl::StatusCode::kFailedPrecondition:
      return Error(409, s.message());
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

// The host part of a Host header value ("name", "1.2.3.4", "[::1]", each
// with an optional ":port"), lower case, without brackets or a trailing dot;
// nullopt if it is malformed.
std::optional<std::string> HostPart(absl::string_view value) {
  std::string host;
  absl::string_view rest;
  if (absl::StartsWith(value, "[")) {
    const size_t close = value.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    host = std::string(value.substr(1, close - 1));
    rest = value.substr(close + 1);
    in6_addr a6;
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return std::nullopt;
  } else {
    const size_t colon = value.find(':');
    host = std::string(value.substr(0, colon));
    rest = colon == absl::string_view::npos ? absl::string_view() : value.substr(colon);
  }
  if (!rest.empty()) {
    uint32_t port = 0;
    if (rest[0] != ':' || !absl::SimpleAtoi(rest.substr(1), &port) || port > 65535) {
      return std::nullopt;
    }
  }
  absl::AsciiStrToLower(&host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return std::nullopt;
  return host;
}

bool IsIpLiteral(const std::string& host) {
  in_addr a4;
  in6_addr a6;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

bool IsLoopbackLiteral(const std::string& host) {
  in_addr a4;
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return host == "::1";
}

bool IsWildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

// The peer's address without its port, as the guard keys connections.
std::string PeerAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof(text));
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof(text));
  }
  return text;
}

int ConnectionFd(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info == nullptr ? -1 : info->connect_fd;
}

std::string HeaderValue(MHD_Connection* connection, const char* name) {
  const char* v = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  return v == nullptr ? std::string() : std::string(v);
}

// libmicrohttpd's pull of a streamed body (AdminBodyStream), on the
// connection's thread. `cls` holds a reference to the stream.
ssize_t ReadBodyStream(void* cls, uint64_t /*pos*/, char* buf, size_t max) {
  const int64_t n = (*static_cast<std::shared_ptr<AdminBodyStream>*>(cls))->Read(buf, max);
  if (n == AdminBodyStream::kEnd) return MHD_CONTENT_READER_END_OF_STREAM;
  if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
  return static_cast<ssize_t>(n);  // 0: asked again on the thread's next turn
}

void FreeBodyStream(void* cls) { delete static_cast<std::shared_ptr<AdminBodyStream>*>(cls); }

MHD_Result QueueResponse(MHD_Connection* connection, const AdminResponse& r, bool close) {
  MHD_Response* response = nullptr;
  if (r.stream != nullptr) {
    auto* holder = new std::shared_ptr<AdminBodyStream>(r.stream);
    response =
        MHD_create_response_from_callback(r.stream->size().value_or(MHD_SIZE_UNKNOWN), 64 * 1024,
                                          &ReadBodyStream, holder, &FreeBodyStream);
    if (response == nullptr) {
      delete holder;
      return MHD_NO;
    }
    // A stream may take a while between pieces (grep reading without a
    // match): MHD's no-progress timeout would cut it. The guard's answer
    // deadline still bounds the whole answer.
    MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
                              AdminServer::kStreamIdleTimeoutSeconds);
  } else {
    response = MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                               MHD_RESPMEM_MUST_COPY);
  }
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  for (const auto& [name, value] : r.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  if (!r.allow.empty()) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, r.allow.c_str());
  if (r.status == 401) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  }
  if (close) MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
  const MHD_Result ret = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  return ret;
}

// MHD's iterator over a request's query arguments (decoded); `cls` is the AdminRequest.
MHD_Result AddQueryArgument(void* cls, MHD_ValueKind /*kind*/, const char* key, const char* value) {
  static_cast<AdminRequest*>(cls)->query.emplace_back(key, value == nullptr ? "" : value);
  return MHD_YES;
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                     void** con_cls) {
  auto* server = static_cast<AdminServer*>(cls);
  auto* state = static_cast<RequestState*>(*con_cls);
  if (state == nullptr) {  // no URI callback ran (not expected): make the state here
    state = new RequestState;
    *con_cls = state;
  }
  if (!state->headers_seen) {
    state->headers_seen = true;
    // Refuse an oversized body now, before reading any of it: an answer
    // queued in this first call makes MHD skip the body and close.
    const std::string length = HeaderValue(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t declared = 0;
    if (!length.empty() && absl::SimpleAtoi(length, &declared) &&
        declared > AdminServer::kMaxBody) {
      server->OnRequestComplete(connection);
      return QueueResponse(
          connection,
          Error(413, absl::StrCat("request body of ", declared,
                                  " bytes is larger than the limit of ", AdminServer::kMaxBody)),
          /*close=*/true);
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (state->body.size() + *upload_data_size > AdminServer::kMaxBody) {
      // A chunked body (no Content-Length) past the limit: MHD cannot answer
      // in the middle of a body, so refuse it by closing the connection.
      return MHD_NO;
    }
    state->body.append(upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  server->OnRequestComplete(connection);
  AdminRequest request;
  request.method = method;
  request.url = url;
  request.body = std::move(state->body);
  request.authorization = HeaderValue(connection, MHD_HTTP_HEADER_AUTHORIZATION);
  request.host = HeaderValue(connection, MHD_HTTP_HEADER_HOST);
  request.origin = HeaderValue(connection, "Origin");
  request.content_type = HeaderValue(connection, MHD_HTTP_HEADER_CONTENT_TYPE);
  request.sec_fetch_site = HeaderValue(connection, "Sec-Fetch-Site");
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &AddQueryArgument, &request);
  return QueueResponse(connection, server->Handle(request), /*close=*/false);
}

// The first thing MHD reports of a request: its URI, before it parses the
// query arguments. libmicrohttpd 0.9.75 never answers a request whose
// arguments overflow its per-connection memory pool (the connection just
// hangs), so a request with more arguments than any endpoint takes is
// refused here. The return value is the request's state (*con_cls).
void* OnUri(void* cls, const char* uri, MHD_Connection* connection) {
  auto* server = static_cast<AdminServer*>(cls);
  const char* query = std::strchr(uri, '?');
  if (query != nullptr) {
    const size_t arguments =
        1 + static_cast<size_t>(std::count(query + 1, query + std::strlen(query), '&'));
    if (arguments > AdminServer::kMaxQueryArguments) server->OnTooManyQueryArguments(connection);
  }
  return new RequestState;
}

void OnCompleted(void* cls, MHD_Connection* connection, void** con_cls,
                 MHD_RequestTerminationCode) {
  delete static_cast<RequestState*>(*con_cls);
  *con_cls = nullptr;
  static_cast<AdminServer*>(cls)->OnAnswerSent(connection);
}

void OnConnection(void* cls, MHD_Connection* connection, void** /*socket_context*/,
                  MHD_ConnectionNotificationCode code) {
  auto* server = static_cast<AdminServer*>(cls);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    server->OnConnectionOpened(connection);
  } else {
    server->OnConnectionClosed(connection);
  }
}

void OnLibraryLog(void* cls, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  static_cast<AdminServer*>(cls)->OnLibraryMessage(buf);
}

}  // namespace

AdminServer::AdminServer(const AdminConfig& config, Engine& engine, Logger& log,
                         std::string version, AdminConnectionLimits limits)
    : config_(config),
      engine_(engine),
      log_(log),
      version_(std::move(version)),
      guard_(limits),
      cut_log_limit_(std::chrono::seconds(10), 5),
      library_log_limit_(std::chrono::seconds(10), 5) {}

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
  {
    std::lock_guard<std::mutex> lock(library_log_mu_);
    starting_ = true;
    startup_messages_.clear();
  }
  daemon_ = MHD_start_daemon(
      flags, config_.port, nullptr, nullptr, &OnRequest, this, MHD_OPTION_SOCK_ADDR, &ss,
      MHD_OPTION_THREAD_POOL_SIZE, kThreads, MHD_OPTION_CONNECTION_LIMIT, kMaxConnections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, kMaxConnectionsPerPeer, MHD_OPTION_CONNECTION_TIMEOUT,
      kIdleTimeoutSeconds, MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, this,
      MHD_OPTION_NOTIFY_CONNECTION, &OnConnection, this, MHD_OPTION_URI_LOG_CALLBACK, &OnUri, this,
      MHD_OPTION_EXTERNAL_LOGGER, &OnLibraryLog, this, MHD_OPTION_END);
  std::string startup_messages;
  {
    std::lock_guard<std::mutex> lock(library_log_mu_);
    starting_ = false;
    startup_messages.swap(startup_messages_);
  }
  if (daemon_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(config_.where, ": cannot serve the admin API on ", address, ": ",
                     startup_messages.empty() ? "unknown error" : startup_messages));
  }
  {
    std::lock_guard<std::mutex> lock(guard_mu_);
    janitor_stop_ = false;
  }
  janitor_ = std::thread([this] { JanitorMain(); });
  const bool loopback = config_.host == "127.0.0.1" || config_.host == "::1";
  log_.Info(absl::StrCat("admin API listening on http://", address, "/ (metrics at /metrics)",
                         config_.token.empty()
                             ? ""
                             : (config_.token_required_for_reads
                                    ? ", every request but /healthz requires a bearer token"
                                    : ", control requires a bearer token")));
  if (!loopback && config_.token.empty()) {
    log_.Warn(absl::StrCat("admin API on ", address,
                           " is reachable beyond this host and has no token: anyone who can "
                           "connect can disconnect clients and change serial settings"));
  }
  return absl::OkStatus();
}

void AdminServer::Stop() {
  if (janitor_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(guard_mu_);
      janitor_stop_ = true;
    }
    janitor_wake_.notify_all();
    janitor_.join();
  }
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

void AdminServer::JanitorMain() {
  std::unique_lock<std::mutex> lock(guard_mu_);
  while (!janitor_stop_) {
    janitor_wake_.wait_for(lock, kJanitorPeriod);
    if (janitor_stop_) break;
    for (const AdminConnectionGuard::Cut& cut :
         guard_.Overdue(AdminConnectionGuard::Clock::now())) {
      CutLocked(static_cast<int>(cut.id), cut.reason);
    }
  }
}

void AdminServer::CutLocked(int fd, AdminConnectionGuard::CutReason reason) {
  using Reason = AdminConnectionGuard::CutReason;
  shutdown(fd, SHUT_RDWR);
  if (reason == Reason::kIdleAfterAnswer) return;  // routine keep-alive expiry
  ++cuts_;
  const char* why = "";
  const auto& limits = guard_.limits();
  std::string detail;
  switch (reason) {
    case Reason::kRoom:
      why = "that waited longest for a request, to make room for a new connection";
      break;
    case Reason::kSlowRequest:
      why = "that sent no complete request within";
      detail = absl::StrCat(" ", limits.request_deadline.count(), " ms");
      break;
    case Reason::kSlowAnswer:
      why = "that did not take its answer within";
      detail = absl::StrCat(" ", limits.answer_deadline.count(), " ms");
      break;
    case Reason::kIdleAfterAnswer:
      break;
  }
  if (auto dropped = cut_log_limit_.Admit(AdminConnectionGuard::Clock::now())) {
    log_.Warn(absl::StrCat("admin API: cut a connection ", why, detail, " (", cuts_, " cut so far",
                           *dropped > 0 ? absl::StrCat(", ", *dropped, " not logged") : "",
                           "); see the limits in docs/metrics.md"));
  }
}

void AdminServer::OnConnectionOpened(MHD_Connection* connection) {
  const int fd = ConnectionFd(connection);
  if (fd < 0) return;
  std::string peer = PeerAddress(connection);
  std::lock_guard<std::mutex> lock(guard_mu_);
  for (const AdminConnectionGuard::Cut& cut :
       guard_.Opened(fd, std::move(peer), AdminConnectionGuard::Clock::now())) {
    CutLocked(static_cast<int>(cut.id), cut.reason);
  }
}

void AdminServer::OnConnectionClosed(MHD_Connection* connection) {
  const int fd = ConnectionFd(connection);
  std::lock_guard<std::mutex> lock(guard_mu_);
  guard_.Closed(fd);
}

void AdminServer::OnRequestComplete(MHD_Connection* connection) {
  const int fd = ConnectionFd(connection);
  std::lock_guard<std::mutex> lock(guard_mu_);
  guard_.RequestComplete(fd, AdminConnectionGuard::Clock::now());
}

void AdminServer::OnAnswerSent(MHD_Connection* connection) {
  const int fd = ConnectionFd(connection);
  std::lock_guard<std::mutex> lock(guard_mu_);
  guard_.AnswerSent(fd, AdminConnectionGuard::Clock::now());
}

void AdminServer::OnTooManyQueryArguments(MHD_Connection* connection) {
  const int fd = ConnectionFd(connection);
  if (fd < 0) return;
  // MHD would hang on this request (see OnUri), so answer it here, on the
  // socket, and close: nothing else has been sent for this request yet, and
  // this runs on the MHD thread that owns the connection.
  const std::string body = Error(414, absl::StrCat("more than ", kMaxQueryArguments,
                                                   " query arguments; no endpoint takes that many"))
                               .body;
  const std::string raw = absl::StrCat(
      "HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\nConnection: close\r\n\r\n", body);
  std::lock_guard<std::mutex> lock(guard_mu_);
  (void)!send(fd, raw.data(), raw.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(fd, SHUT_RDWR);
}

void AdminServer::OnLibraryMessage(const char* text) {
  std::string message(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
    message.pop_back();
  }
  std::lock_guard<std::mutex> lock(library_log_mu_);
  if (starting_) {
    if (!startup_messages_.empty()) startup_messages_.append("; ");
    startup_messages_.append(message);
    return;
  }
  // After startup: an fd limit or a flood of bad requests can make MHD say
  // the same thing thousands of times a second.
  if (auto dropped = library_log_limit_.Admit(std::chrono::steady_clock::now())) {
    log_.Warn(
        absl::StrCat("admin API (libmicrohttpd): ", message,
                     *dropped > 0 ? absl::StrCat(" (", *dropped, " similar not logged)") : ""));
  }
}

std::optional<AdminResponse> AdminServer::CheckHost(const AdminRequest& request) const {
  // HTTP/1.0 clients may omit Host (MHD refuses HTTP/1.1 without one).
  // Browsers always send it, so its absence is no DNS-rebinding risk.
  if (request.host.empty()) return std::nullopt;
  const std::optional<std::string> host = HostPart(request.host);
  if (!host) return Error(400, absl::StrCat("malformed Host header '", request.host, "'"));
  if (*host == "localhost" || *host == config_.host || IsLoopbackLiteral(*host)) {
    return std::nullopt;
  }
  // Listening on every address: any of this machine's addresses may be used,
  // and an address literal cannot be made to point here by DNS rebinding.
  if (IsWildcard(config_.host) && IsIpLiteral(*host)) return std::nullopt;
  if (std::find(config_.allowed_hosts.begin(), config_.allowed_hosts.end(), *host) !=
      config_.allowed_hosts.end()) {
    return std::nullopt;
  }
  return Error(403, absl::StrCat("Host '", request.host,
                                 "' is not a name of this admin API; if it is, add it to "
                                 "admin.allowed_hosts in the configuration"));
}

std::optional<AdminResponse> AdminServer::CheckCrossSite(const AdminRequest& request) const {
  // A browser marks what a page on another site makes it send.
  const std::string site = absl::AsciiStrToLower(request.sec_fetch_site);
  if (!site.empty() && site != "same-origin" && site != "none") {
    return Error(
        403,
        absl::StrCat("cross-site request refused (Sec-Fetch-Site: ", request.sec_fetch_site, ")"));
  }
  // Browsers send Origin with every cross-origin POST; tools like curl and
  // ttyhubctl send none. When present it must be this server's own origin.
  if (!request.origin.empty()) {
    const std::string own = absl::StrCat("http://", absl::AsciiStrToLower(request.host));
    if (request.host.empty() || absl::AsciiStrToLower(request.origin) != own) {
      return Error(403, absl::StrCat("cross-origin request refused: Origin '", request.origin,
                                     "' is not this admin API's own (", own, ")"));
    }
  }
  // Only a "simple" content type can be sent cross-site without a CORS
  // preflight (which this server never grants); application/json cannot.
  const absl::string_view type = absl::StripAsciiWhitespace(
      absl::string_view(request.content_type).substr(0, request.content_type.find(';')));
  if (!absl::EqualsIgnoreCase(type, "application/json")) {
    AdminResponse r =
        Error(415, absl::StrCat("POST bodies must be sent as Content-Type: application/json, got '",
                                request.content_type, "'"));
    return r;
  }
  return std::nullopt;
}

std::optional<AdminResponse> AdminServer::CheckToken(const AdminRequest& request) const {
  if (config_.token.empty()) return std::nullopt;
  constexpr absl::string_view kBearer = "Bearer ";
  const absl::string_view auth = request.authorization;
  if (!absl::StartsWith(auth, kBearer) || !SameSecret(auth.substr(kBearer.size()), config_.token)) {
    return Error(401, "missing or wrong bearer token");
  }
  return std::nullopt;
}

AdminResponse AdminServer::Handle(const AdminRequest& request) {
  if (auto refused = CheckHost(request)) return *refused;
  const std::string& url = request.url;
  std::vector<std::string> parts = absl::StrSplit(url, '/', absl::SkipEmpty());
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  auto wrong_method = [](const char* allow) {
    AdminResponse r = Error(405, absl::StrCat("method not allowed; use ", allow));
    r.allow = allow;
    return r;
  };
  if (parts.size() == 1 && parts[0] == "healthz") return get ? Health() : wrong_method("GET");
  // Everything else may need the token, even to read.
  auto guarded_read = [&](auto answer) -> AdminResponse {
    if (!get) return wrong_method("GET");
    if (config_.token_required_for_reads) {
      if (auto refused = CheckToken(request)) return *refused;
    }
    return answer();
  };
  if (parts.size() == 1 && parts[0] == "metrics") return guarded_read([&] { return Metrics(); });
  const bool api = parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1";
  if (api && parts.size() == 3 && parts[2] == "grep") {
    return guarded_read([&] { return Grep(request); });
  }
  if (api && parts.size() == 4 && parts[2] == "logs" && parts[3] == "reopen") {
    if (!post) return wrong_method("POST");
    if (auto refused = CheckCrossSite(request)) return *refused;
    if (auto refused = CheckToken(request)) return *refused;
    return ReopenLogs();
  }
  if (api && parts.size() == 3 && parts[2] == "reload") {
    if (!post) return wrong_method("POST");
    if (auto refused = CheckCrossSite(request)) return *refused;
    if (auto refused = CheckToken(request)) return *refused;
    return Reload();
  }
  if (!api || parts[2] != "ports") {
    return Error(404, absl::StrCat("no such endpoint: ", url));
  }
  if (parts.size() == 3) return guarded_read([&] { return ListPorts(); });
  if (!ValidPortName(parts[3])) return Error(404, "no such port");
  const bool mutating = (parts.size() == 5 && (parts[4] == "serial" || parts[4] == "writer" ||
                                               parts[4] == "enable" || parts[4] == "disable")) ||
                        (parts.size() == 7 && parts[4] == "clients" && parts[6] == "disconnect");
  if (mutating) {
    if (!post) return wrong_method("POST");
    if (auto refused = CheckCrossSite(request)) return *refused;
    if (auto refused = CheckToken(request)) return *refused;
    if (parts.size() == 7) return Disconnect(parts[3], parts[5]);
    if (parts[4] == "enable" || parts[4] == "disable") {
      return SetEnabled(parts[3], request.body, parts[4] == "enable");
    }
    return parts[4] == "serial" ? SetSerial(parts[3], request.body)
                                : SetWriter(parts[3], request.body);
  }
  if (parts.size() == 4) return guarded_read([&] { return ShowPort(parts[3]); });
  if (parts.size() == 5 && parts[4] == "log") {
    return guarded_read([&] { return PortLog(parts[3], request); });
  }
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

AdminResponse AdminServer::PortLog(const std::string& port, const AdminRequest& request) {
  // The port must be configured: its snapshot names its log files.
  auto snap = engine_.SnapshotPort(port, kEngineTimeout);
  if (!snap.ok()) return FromStatus(snap.status());
  absl::StatusOr<AdminResponse> r =
      PortLogResponse(*snap, request.query, std::chrono::system_clock::now());
  if (!r.ok()) return FromStatus(r.status());
  return *std::move(r);
}

AdminResponse AdminServer::Grep(const AdminRequest& request) {
  auto snap = engine_.Snapshot(kEngineTimeout);
  if (!snap.ok()) return FromStatus(snap.status());
  absl::StatusOr<AdminResponse> r =
      GrepResponse(snap->ports, request.query, std::chrono::system_clock::now());
  if (!r.ok()) return FromStatus(r.status());
  return *std::move(r);
}

AdminResponse AdminServer::Reload() {
  if (reloader_ == nullptr) return Error(503, "reload is not available in this process");
  auto report = reloader_->Reload("admin API");
  if (!report.ok()) return FromStatus(report.status());
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const std::string& line : *report) changes.push_back(line);
  return Json(200, {{"changes", changes}});
}

AdminResponse AdminServer::SetWriter(const std::string& port, const std::string& body) {
  const nlohmann::ordered_json req =
      nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!req.is_object() || !req.contains("client") || !req["client"].is_number_unsigned()) {
    return Error(400, "the body must be a JSON object such as {\"client\": 3}");
  }
  const uint64_t id = req["client"].get<uint64_t>();
  if (absl::Status s = engine_.SetWriter(port, id, kEngineTimeout); !s.ok()) {
    return FromStatus(s);
  }
  log_.Info(absl::StrCat("admin API: gave the write role on port ", port, " to client #", id));
  return Json(200, {{"port", port}, {"writer", id}});
}

AdminResponse AdminServer::SetEnabled(const std::string& port, const std::string& body, bool on) {
  // Body: {} for every listener of the port, or {"listener": "ADDRESS"}.
  std::string listener;
  if (!body.empty()) {
    const nlohmann::ordered_json req =
        nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!req.is_object() || (req.contains("listener") && !req["listener"].is_string())) {
      return Error(400, "the body must be {} or {\"listener\": \"127.0.0.1:2000\"}");
    }
    if (req.contains("listener")) listener = req["listener"].get<std::string>();
  }
  auto changed = engine_.SetListenersEnabled(port, listener, on, kEngineTimeout);
  if (!changed.ok()) return FromStatus(changed.status());
  log_.Info(absl::StrCat("admin API: port ", port, ": ",
                         listener.empty() ? "every listener" : listener, " switched ",
                         on ? "on" : "off"));
  return Json(200, {{"port", port}, {"enabled", on}, {"changed", *changed}});
}

AdminResponse AdminServer::ReopenLogs() {
  absl::StatusOr<size_t> reopened = engine_.ReopenLogs(kEngineTimeout);
  if (!reopened.ok()) return FromStatus(reopened.status());
  log_.Info(absl::StrCat("admin API: reopened ", *reopened, " console log file",
                         *reopened == 1 ? "" : "s"));
  return Json(200, {{"reopened", *reopened}});
}

}  // namespace ttyhub
