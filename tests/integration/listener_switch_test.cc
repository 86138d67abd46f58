// ser2net's `off` (issue 11): a listener configured with `enabled: false`
// refuses clients with a message until `ttyhubctl enable` switches it on;
// `ttyhubctl disable` switches it off again. End to end, with ttyhubctl and
// curl.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

TEST(ListenerSwitchTest, OffRefusesUntilEnabledAndDisableSwitchesItOffAgain) {
  TempDir dir;
  Daemon daemon(dir);
  const auto ports = FreeTcpPorts(2);
  const std::string url = absl::StrCat("http://127.0.0.1:", ports[0]);
  ASSERT_TRUE(daemon.Start(absl::StrCat("admin: {listen: \"127.0.0.1:", ports[0],
                                        "\"}\nports:\n  - name: spare\n    device: sim:echo\n",
                                        "    listen: [{port: \"127.0.0.1:", ports[1],
                                        "\", enabled: false}]\n")));
  auto refused = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_TRUE(refused);
  std::string told;
  ASSERT_TRUE(refused->ReadUntilClosed(&told, Deadline::Seconds(10)));
  EXPECT_EQ(told, absl::StrCat("ttyhub: port spare is off on 127.0.0.1:", ports[1], "\r\n"));

  std::string out;
  ASSERT_EQ(RunProgram(TTYHUBCTL_BINARY, {"--url", url, "enable", "spare"}, "", &out,
                       Deadline::Seconds(30)),
            0)
      << out;
  EXPECT_EQ(out, "port spare: every listener switched on\n");
  auto served = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_TRUE(served);
  ASSERT_TRUE(served->SendAll("ping", Deadline::Seconds(5)));
  std::string echo;
  ASSERT_TRUE(served->ReadExactly(&echo, 4, Deadline::Seconds(5)));
  EXPECT_EQ(echo, "ping");

  const std::string listener = absl::StrCat("127.0.0.1:", ports[1]);
  ASSERT_EQ(RunProgram(TTYHUBCTL_BINARY, {"--url", url, "disable", "spare", listener}, "", &out,
                       Deadline::Seconds(30)),
            0)
      << out;
  ASSERT_EQ(RunProgram("curl", {"-s", "-f", url + "/api/v1/ports/spare"}, "", &out,
                       Deadline::Seconds(20)),
            0);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["listeners"][0]["enabled"], false);
  EXPECT_EQ(j["clients_rw"], 1) << "a client already connected stays";
  EXPECT_EQ(j["counters"]["connections_refused_off"], 1);
  auto again = TcpClient::Connect(ports[1], Deadline::Seconds(10));
  ASSERT_TRUE(again);
  told.clear();
  ASSERT_TRUE(again->ReadUntilClosed(&told, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(told, "is off on")) << told;
  EXPECT_NE(RunProgram(TTYHUBCTL_BINARY, {"--url", url, "enable", "spare", "127.0.0.1:1"}, "", &out,
                       Deadline::Seconds(30)),
            0);
  EXPECT_TRUE(absl::StrContains(out, "has no listener 127.0.0.1:1")) << out;
}

}  // namespace
}  // namespace ttyhub::testing
