// Test helpers: a daemon's port as `ttyhubctl --json ports` shows it.
//
// For integration tests that chain daemons and watch what a port reports
// (network devices, CUSE listeners). Header-only: the including test
// target defines TTYHUBCTL_BINARY (the built ttyhubctl) and links
// nlohmann_json. Every wait has a deadline.
#ifndef TTYHUB_TESTS_INTEGRATION_CTL_PORT_JSON_H_
#define TTYHUB_TESTS_INTEGRATION_CTL_PORT_JSON_H_

#include <poll.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {

// Runs ttyhubctl against the admin API at `url`; its exit status.
inline int Ctl(const std::string& url, std::vector<std::string> args, std::string* out) {
  args.insert(args.begin(), {"--url", url});
  return RunProgram(TTYHUBCTL_BINARY, args, "", out, Deadline::Seconds(20));
}

// The first port's JSON from the admin API (null if it cannot be had).
inline nlohmann::json PortJson(const std::string& url) {
  std::string out;
  if (Ctl(url, {"--json", "ports"}, &out) != 0) return nlohmann::json();
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("ports") || j["ports"].empty()) return nlohmann::json();
  return j["ports"][0];
}

// Waits until the port's JSON `key` reads `want`; *last gets what it read.
inline bool WaitForPortValue(const std::string& url, const std::string& key,
                             const std::string& want, Deadline deadline, std::string* last) {
  while (!deadline.Expired()) {
    const nlohmann::json p = PortJson(url);
    if (p.is_object() && p.contains(key)) {
      *last = p[key].is_string() ? p[key].get<std::string>() : p[key].dump();
      if (*last == want) return true;
    }
    poll(nullptr, 0, 50);
  }
  return false;
}

}  // namespace ttyhub::testing

#endif  // TTYHUB_TESTS_INTEGRATION_CTL_PORT_JSON_H_
