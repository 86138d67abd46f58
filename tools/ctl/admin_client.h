// AdminClient: HTTP calls to a ttyhub admin API, for ttyhubctl.
//
// A thin libcurl wrapper: one blocking request at a time, JSON in and out
// (or, for console logs and grep, a body streamed to a callback).
// Errors say what failed in words an operator can act on ("cannot reach
// ttyhub at ...: is it running with an admin: block?"). Single-threaded.
#ifndef TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_
#define TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_

#include <map>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace ttyhub::ctl {

class AdminClient {
 public:
  // `base_url` like "http://127.0.0.1:8420"; `token` may be empty. The token
  // goes with every request (reads need it when the daemon sets
  // token_required_for_reads); POSTs are sent as application/json, which the
  // daemon requires.
  AdminClient(std::string base_url, std::string token);

  absl::StatusOr<nlohmann::ordered_json> Get(const std::string& path);
  absl::StatusOr<nlohmann::ordered_json> Post(const std::string& path,
                                              const nlohmann::ordered_json& body);

  // A GET whose body is not JSON, or too large to hold (console logs, grep's
  // NDJSON): a successful answer's body goes to `sink` piece by piece as it
  // arrives. Returns the answer's headers, names in lower case. Errors as
  // Get's; an answer cut short (the connection closed mid-body) is one too.
  using Headers = std::map<std::string, std::string>;
  absl::StatusOr<Headers> GetStream(const std::string& path,
                                    absl::FunctionRef<void(absl::string_view)> sink);

 private:
  absl::StatusOr<nlohmann::ordered_json> Request(const std::string& method, const std::string& path,
                                                 const std::string& body);
  // An error answer (status >= 400) as a Status with its message.
  absl::Status HttpError(long status, const std::string& body) const;
  // libcurl could not complete the exchange (`rc`, a CURLcode).
  absl::Status Unreachable(const char* error, int rc) const;
  std::string base_url_;
  std::string token_;
};

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_
