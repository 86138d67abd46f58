// Allow- and deny-lists (issue 12, section 1), end to end: loopback clients
// from different source addresses (127.0.0.1, 127.0.0.2, ::1), the daemon's
// JSON API (curl) and its log.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

// Connects from `source` to `dest`:`port` and returns what the server sends
// within `ms` (or until it closes), and whether it closed the connection.
struct Outcome {
  bool connected = false;
  bool closed = false;
  std::string received;
};
Outcome Try(const char* source, const char* dest, uint16_t port, int ms) {
  Outcome out;
  const bool v6 = std::string(dest).find(':') != std::string::npos;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return out;
  sockaddr_storage src{}, dst{};
  socklen_t len = 0;
  if (v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&src);
    auto* d6 = reinterpret_cast<sockaddr_in6*>(&dst);
    s6->sin6_family = d6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, source, &s6->sin6_addr);
    inet_pton(AF_INET6, dest, &d6->sin6_addr);
    d6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&src);
    auto* d4 = reinterpret_cast<sockaddr_in*>(&dst);
    s4->sin_family = d4->sin_family = AF_INET;
    inet_pton(AF_INET, source, &s4->sin_addr);
    inet_pton(AF_INET, dest, &d4->sin_addr);
    d4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), len) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&dst), len) != 0) {
    close(fd);
    return out;
  }
  out.connected = true;
  const Deadline deadline(std::chrono::milliseconds{ms});
  while (!deadline.Expired()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, deadline.PollMs(ms)) <= 0) break;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.received.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

TEST(AccessListTest, DenyWinsAllowIsRequiredAndRefusalsAreCounted) {
  TempDir dir;
  Daemon daemon(dir);
  const auto ports = FreeTcpPorts(4);
  ASSERT_TRUE(daemon.Start(absl::StrCat(
      "admin: {listen: \"127.0.0.1:", ports[0], "\"}\n",
      "ports:\n  - name: e\n    device: sim:echo\n    banner: 'hello\\r\\n'\n"
      "    listen:\n"
      "      - {port: \"127.0.0.1:",
      ports[1], "\", allow: [127.0.0.2/32]}\n", "      - {port: \"127.0.0.1:", ports[2],
      "\", deny: [127.0.0.0/8], allow: [127.0.0.0/8]}\n", "      - {port: \"[::1]:", ports[3],
      "\", allow: \"::1\"}\n")));

  const Outcome stranger = Try("127.0.0.1", "127.0.0.1", ports[1], 2000);
  ASSERT_TRUE(stranger.connected);
  EXPECT_TRUE(stranger.closed) << "refused at accept";
  EXPECT_EQ(stranger.received, "") << "not one byte, not even the banner";
  const Outcome friend_ = Try("127.0.0.2", "127.0.0.1", ports[1], 500);
  EXPECT_FALSE(friend_.closed);
  EXPECT_EQ(friend_.received, "hello\r\n");
  const Outcome denied = Try("127.0.0.2", "127.0.0.1", ports[2], 2000);
  EXPECT_TRUE(denied.closed) << "deny wins over allow";
  EXPECT_EQ(denied.received, "");
  const Outcome v6 = Try("::1", "::1", ports[3], 500);
  EXPECT_FALSE(v6.closed);
  EXPECT_EQ(v6.received, "hello\r\n");

  std::string out;
  ASSERT_EQ(RunProgram("curl",
                       {"-s", "-f", "--max-time", "10",
                        absl::StrCat("http://127.0.0.1:", ports[0], "/api/v1/ports/e")},
                       "", &out, Deadline::Seconds(20)),
            0);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["counters"]["connections_refused_acl"], 2);
  EXPECT_EQ(j["listeners"][0]["refused_acl"], 1);
  EXPECT_EQ(j["listeners"][1]["refused_acl"], 1);
  EXPECT_EQ(j["listeners"][2]["refused_acl"], 0);
  EXPECT_TRUE(daemon.WaitForLog(absl::StrCat("port e: refused 127.0.0.1:"), Deadline::Seconds(5)));
  EXPECT_TRUE(daemon.WaitForLog(": not in allow", Deadline::Seconds(5)));
  EXPECT_TRUE(daemon.WaitForLog(": denied (deny: 127.0.0.0/8)", Deadline::Seconds(5)));
}

}  // namespace
}  // namespace ttyhub::testing
