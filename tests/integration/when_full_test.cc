// when_full: kick_oldest (issue 11: ser2net's kickolduser), end to end: the
// newcomer on a full listener takes the place of the longest-connected
// client, which is told why.
#include <poll.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

TEST(WhenFullTest, KickOldestGivesTheSlotToTheNewcomer) {
  TempDir dir;
  Daemon daemon(dir);
  const auto ports = FreeTcpPorts(1);
  ASSERT_TRUE(daemon.Start(absl::StrCat(
      "ports:\n  - name: e\n    device: sim:echo\n    listen: [{port: \"127.0.0.1:", ports[0],
      "\", max_clients: 1, when_full: kick_oldest}]\n")));
  auto first = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->SendAll("one", Deadline::Seconds(5)));
  std::string echo;
  ASSERT_TRUE(first->ReadExactly(&echo, 3, Deadline::Seconds(5)));
  auto second = TcpClient::Connect(ports[0], Deadline::Seconds(10));
  ASSERT_TRUE(second);
  std::string bye;
  ASSERT_TRUE(first->ReadUntilClosed(&bye, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(bye, "took port e (when_full: kick_oldest); disconnecting")) << bye;
  ASSERT_TRUE(second->SendAll("two", Deadline::Seconds(5)));
  echo.clear();
  ASSERT_TRUE(second->ReadExactly(&echo, 3, Deadline::Seconds(5)));
  EXPECT_EQ(echo, "two");
  EXPECT_TRUE(daemon.WaitForLog("a newcomer took its place (when_full: kick_oldest)",
                                Deadline::Seconds(5)));
}

}  // namespace
}  // namespace ttyhub::testing
