// AdminClient: HTTP calls to a ttyhub admin API, for ttyhubctl.
//
// A thin libcurl wrapper: one blocking request at a time, JSON in and out.
// Errors say what failed in words an operator can act on ("cannot reach
// ttyhub at ...: is it running with an admin: block?"). Single-threaded.
#ifndef TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_
#define TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
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

 private:
  absl::StatusOr<nlohmann::ordered_json> Request(const std::string& method, const std::string& path,
                                                 const std::string& body);
  std::string base_url_;
  std::string token_;
};

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_ADMIN_CLIENT_H_
