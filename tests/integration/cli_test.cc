// The command line: --version, --check, usage errors, startup failures.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

using ::testing::HasSubstr;

TEST(CliTest, Version) {
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({"--version"}, &out, Deadline::Seconds(10)), 0);
  EXPECT_THAT(out, ::testing::MatchesRegex("ttyhub [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST(CliTest, CheckAcceptsAValidFile) {
  TempDir dir;
  const std::string path = dir.File("good.yaml");
  std::ofstream(path) << "ports:\n  - {name: a, device: sim:echo, listen: [{port: 7000}]}\n";
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({"--check", "-c", path}, &out, Deadline::Seconds(10)), 0);
  EXPECT_THAT(out, HasSubstr("good.yaml: OK: 1 ports, 1 listeners"));
}

TEST(CliTest, CheckRejectsAnInvalidFileWithPositions) {
  TempDir dir;
  const std::string path = dir.File("bad.yaml");
  std::ofstream(path) << "ports:\n  - name: a\n    serial: 9600x81\n    device: sim:echo\n"
                         "    listen: [{port: 7000}]\n";
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({"--check", "-c", path}, &out, Deadline::Seconds(10)), 1);
  EXPECT_THAT(out, HasSubstr(absl::StrCat(path,
                                          ":3:13: ports[0].serial: unknown parity 'x' in "
                                          "'9600x81'")));
  EXPECT_THAT(out, HasSubstr("invalid"));
}

TEST(CliTest, UsageErrors) {
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({}, &out, Deadline::Seconds(10)), 2);
  EXPECT_THAT(out, HasSubstr("no configuration: use -c FILE"));
  EXPECT_EQ(Daemon::RunToCompletion({"--frobnicate"}, &out, Deadline::Seconds(10)), 2);
  EXPECT_THAT(out, HasSubstr("unknown argument '--frobnicate'"));
  EXPECT_EQ(Daemon::RunToCompletion({"-c", "/nonexistent.yaml"}, &out, Deadline::Seconds(10)), 1);
  EXPECT_THAT(out, HasSubstr("/nonexistent.yaml: cannot open configuration file"));
}

TEST(CliTest, PortInUseFailsStartupNamingTheListener) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  // Occupy the port.
  const int blocker = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  const std::string path = dir.File("ttyhub.yaml");
  std::ofstream(path) << "ports:\n  - name: a\n    device: sim:echo\n    listen:\n"
                      << "      - {port: \"127.0.0.1:" << port << "\"}\n";
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({"-c", path}, &out, Deadline::Seconds(20)), 1);
  EXPECT_THAT(out, HasSubstr(absl::StrCat(
                       path, ":5:9: ports[0].listen[0]: cannot listen on 127.0.0.1:", port,
                       " for port 'a': Address already in use")));
  close(blocker);
}

TEST(CliTest, DemoRunsAndStops) {
  // The built-in demo binds fixed ports 7001-7003 and 7011; skip if taken.
  for (uint16_t p : {7001, 7002, 7003, 7004, 7011, 8420}) {
    const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(p);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    close(fd);
    if (!free) GTEST_SKIP() << "port " << p << " is in use here";
  }
  TempDir dir;
  Daemon daemon(dir);
  // Start() passes -c; the demo needs --demo alone, so write the demo file.
  std::ifstream in(std::string(TTYHUB_SOURCE_DIR) + "/config/examples/demo.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(daemon.Start(yaml));
  auto echo = TcpClient::Connect(7002, Deadline::Seconds(10));
  ASSERT_NE(echo, nullptr);
  ASSERT_TRUE(echo->SendAll("ping\n", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(echo->ReadUntil(&got, "ping\n", Deadline::Seconds(10)));
  EXPECT_EQ(daemon.Stop(SIGINT, Deadline::Seconds(20)), 0);
}

}  // namespace
}  // namespace ttyhub::testing
