// libcurl-based admin API client. See admin_client.h.
#include "tools/ctl/admin_client.h"

#include <curl/curl.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::ctl {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A streamed GET's state, for libcurl's callbacks.
struct Stream {
  CURL* curl;
  absl::FunctionRef<void(absl::string_view)> sink;
  std::string error_body;  // the body of an error answer, kept for its message
  AdminClient::Headers headers;
};

size_t StreamBody(char* data, size_t size, size_t n, void* cls) {
  auto* s = static_cast<Stream*>(cls);
  long status = 0;
  curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    s->sink(absl::string_view(data, size * n));
  } else if (s->error_body.size() < 64 * 1024) {
    s->error_body.append(data, size * n);
  }
  return size * n;
}

size_t StreamHeader(char* data, size_t size, size_t n, void* cls) {
  auto* s = static_cast<Stream*>(cls);
  const absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) s->headers.clear();  // a new answer (after a 100)
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    s->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

}  // namespace

absl::Status AdminClient::HttpError(long status, const std::string& body) const {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(body, nullptr, false);
  std::string message = j.is_object() && j.contains("error") && j["error"].is_string()
                            ? j["error"].get<std::string>()
                            : body;
  const absl::StatusCode code = status == 404   ? absl::StatusCode::kNotFound
                                : status == 401 ? absl::StatusCode::kUnauthenticated
                                : status == 403 ? absl::StatusCode::kPermissionDenied
                                : status == 400 ? absl::StatusCode::kInvalidArgument
                                : status == 409 ? absl::StatusCode::kFailedPrecondition
                                                : absl::StatusCode::kUnavailable;
  const char* hint = status != 401    ? ""
                     : token_.empty() ? "; give the admin token with --token or $TTYHUB_TOKEN"
                                      : "; check the token given with --token or $TTYHUB_TOKEN";
  return absl::Status(code, absl::StrCat(message, " (HTTP ", status, ")", hint));
}

absl::Status AdminClient::Unreachable(const char* error, int rc) const {
  return absl::UnavailableError(
      absl::StrCat("cannot reach ttyhub at ", base_url_, ": ",
                   error[0] ? error : curl_easy_strerror(static_cast<CURLcode>(rc)),
                   ". Is ttyhub running, with an admin: {listen: ...} block in its configuration? "
                   "(set --url or TTYHUB_URL)"));
}

absl::StatusOr<AdminClient::Headers> AdminClient::GetStream(
    const std::string& path, absl::FunctionRef<void(absl::string_view)> sink) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = base_url_ + path;
  Stream stream{curl, sink, {}, {}};
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  if (!token_.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", token_).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &StreamBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &stream);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &StreamHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &stream);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  // The daemon bounds an answer (16 MiB, 15 s); this only guards against a hang.
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    if (status == 0) return Unreachable(error, rc);
    return absl::UnavailableError(
        absl::StrCat("the answer from ttyhub at ", base_url_,
                     " was cut short: ", error[0] ? error : curl_easy_strerror(rc)));
  }
  if (status < 200 || status >= 300) return HttpError(status, stream.error_body);
  return std::move(stream.headers);
}

AdminClient::AdminClient(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), token_(std::move(token)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

absl::StatusOr<nlohmann::ordered_json> AdminClient::Get(const std::string& path) {
  return Request("GET", path, "");
}

absl::StatusOr<nlohmann::ordered_json> AdminClient::Post(const std::string& path,
                                                         const nlohmann::ordered_json& body) {
  return Request("POST", path, body.dump());
}

absl::StatusOr<nlohmann::ordered_json> AdminClient::Request(const std::string& method,
                                                            const std::string& path,
                                                            const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = base_url_ + path;
  std::string response;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!token_.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", token_).c_str());
  }
  if (method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Unreachable(error, rc);
  if (status >= 400) return HttpError(status, response);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(response, nullptr, false);
  if (j.is_discarded()) {
    return absl::DataLossError(absl::StrCat("ttyhub at ", base_url_, " sent invalid JSON"));
  }
  return j;
}

}  // namespace ttyhub::ctl
