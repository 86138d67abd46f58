// ttyhub run on ser2net's own configuration files: `ttyhub -c ser2net.conf`
// and `-c ser2net.yaml` serve their ports, `--check` takes both, and `ttyhub
// convert` prints YAML that checks to the same thing. Where ser2net itself is
// installed, its banner bytes are compared with ttyhub's for one file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTestData = std::string(TTYHUB_SOURCE_DIR) + "/tests/config/testdata/ser2net";

// The "OK: ..." summary of `ttyhub --check -c path`, or "" if it failed.
std::string CheckSummary(const std::string& path) {
  std::string out;
  if (Daemon::RunToCompletion({"--check", "-c", path}, &out, Deadline::Seconds(20)) != 0) {
    ADD_FAILURE() << "--check -c " << path << " failed:\n" << out;
    return "";
  }
  const size_t ok = out.find(": OK: ");
  return ok == std::string::npos ? "" : out.substr(ok);
}

TEST(Ser2netConfigTest, CheckTakesBothFormatsAndConvertRoundTrips) {
  TempDir dir;
  for (const char* name : {"seed-article.conf", "debian-ser2net-supported.yaml",
                           "ser2net.8-v3.conf", "ser2net.yaml.5-options.yaml"}) {
    SCOPED_TRACE(name);
    const std::string source = kTestData + "/" + name;
    const std::string summary = CheckSummary(source);
    EXPECT_THAT(summary, HasSubstr(": OK: "));
    std::string yaml;
    // stdout and stderr together: the notices come first, on stderr.
    ASSERT_EQ(Daemon::RunToCompletion({"convert", source}, &yaml, Deadline::Seconds(20)), 0)
        << yaml;
    const size_t start = yaml.find("# ttyhub configuration converted");
    ASSERT_NE(start, std::string::npos) << yaml;
    const std::string converted = dir.File(std::string(name) + ".ttyhub.yaml");
    std::ofstream(converted) << yaml.substr(start);
    EXPECT_EQ(CheckSummary(converted), summary);
  }
}

TEST(Ser2netConfigTest, CheckPrintsNoticesAndRefusesWhatTtyhubCannotDo) {
  std::string out;
  const std::string supported = kTestData + "/debian-ser2net-supported.yaml";
  EXPECT_EQ(Daemon::RunToCompletion({"--check", "-c", supported}, &out, Deadline::Seconds(20)), 0);
  EXPECT_THAT(out, HasSubstr(absl::StrCat(supported,
                                          ":25: notice: 'telnet-brk-on-sync: true' has no effect "
                                          "on a raw port")));
  // Debian's file as the package installs it: one device per speed, shared
  // ser2net's way (open: on_connect on each port).
  const std::string debian = kTestData + "/debian-ser2net.yaml";
  EXPECT_EQ(Daemon::RunToCompletion({"--check", "-c", debian}, &out, Deadline::Seconds(20)), 0)
      << out;
  EXPECT_THAT(out, HasSubstr(absl::StrCat(debian, ": OK: 4 ports")));
  EXPECT_THAT(out, HasSubstr(absl::StrCat(debian,
                                          ":37: notice: its device is also used by another "
                                          "connection with other settings")));
  // What ttyhub cannot do is still refused at its line.
  const std::string unsupported = kTestData + "/ser2net.yaml.5-unsupported.yaml";
  EXPECT_EQ(Daemon::RunToCompletion({"--check", "-c", unsupported}, &out, Deadline::Seconds(20)),
            1);
  EXPECT_THAT(out, HasSubstr(absl::StrCat("ttyhub: ", unsupported, ": invalid")));
  EXPECT_EQ(Daemon::RunToCompletion({"convert", unsupported}, &out, Deadline::Seconds(20)), 1);
  EXPECT_THAT(out, Not(HasSubstr("ports:")));
}

TEST(Ser2netConfigTest, ConvertUsage) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(Daemon::RunToCompletion({"convert"}, &out, Deadline::Seconds(10)), 2);
  EXPECT_THAT(out, HasSubstr("usage: ttyhub convert FILE"));
  const std::string native = dir.File("native.yaml");
  std::ofstream(native) << "ports:\n  - {name: a, device: sim:echo, listen: [{port: 7000}]}\n";
  EXPECT_EQ(Daemon::RunToCompletion({"convert", native}, &out, Deadline::Seconds(10)), 1);
  EXPECT_THAT(out, HasSubstr("is a ttyhub configuration already"));
  EXPECT_EQ(Daemon::RunToCompletion({"convert", "/nonexistent.conf"}, &out, Deadline::Seconds(10)),
            1);
  EXPECT_THAT(out, HasSubstr("/nonexistent.conf: cannot open configuration file"));
}

// A ser2net.conf on a test pty: the banner, then bytes both ways. ser2net
// files cannot name a lock directory, so the daemon takes the pty's UUCP lock
// in the machine's lock directory (/run/lock/LCK..N), and removes it on exit.
TEST(Ser2netConfigTest, DaemonServesASer2netConf) {
  TempDir dir;
  TestPty pty;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(
      daemon.Start(absl::StrCat("# ser2net.conf\n"
                                "BANNER:b1:ser2net port \\p device \\d (\\s)\\r\\n\n"
                                "DEVICE:dev0:",
                                pty.slave_path(),
                                "\n"
                                "127.0.0.1,",
                                port, ":raw:600:dev0:19200 EVEN LOCAL b1 chardelay-scale=25\n")));
  EXPECT_TRUE(daemon.WaitForLog("notice: 'chardelay-scale=25' is ignored", Deadline::Seconds(10)))
      << daemon.Log();
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  std::string got;
  const std::string banner = absl::StrCat("ser2net port 127.0.0.1,", port, " device ",
                                          pty.slave_path(), " (19200E81)\r\n");
  ASSERT_TRUE(client->ReadExactly(&got, banner.size(), Deadline::Seconds(10)));
  EXPECT_EQ(got, banner);
  ASSERT_TRUE(pty.WriteAll("from the device\n", Deadline::Seconds(10)));
  got.clear();
  ASSERT_TRUE(client->ReadUntil(&got, "from the device\n", Deadline::Seconds(10))) << got;
  ASSERT_TRUE(client->SendAll("from the client", Deadline::Seconds(10)));
  std::string typed;
  ASSERT_TRUE(pty.ReadUntil(&typed, "from the client", Deadline::Seconds(10))) << typed;
  // ser2net's max-connections default (1): a second client is turned away.
  auto second = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(second, nullptr);
  std::string refused;
  EXPECT_TRUE(second->ReadUntilClosed(&refused, Deadline::Seconds(10)));
  EXPECT_THAT(refused, HasSubstr("is full (1 clients)"));
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

// kickolduser: a new client takes the port; the old one is told and closed.
TEST(Ser2netConfigTest, KickolduserHandsThePortToTheNewClient) {
  TempDir dir;
  TestPty pty;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(
      absl::StrCat("127.0.0.1,", port, ":raw:0:", pty.slave_path(), ":9600 LOCAL kickolduser\n")));
  auto first = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->SendAll("one", Deadline::Seconds(10)));
  std::string typed;
  ASSERT_TRUE(pty.ReadUntil(&typed, "one", Deadline::Seconds(10)));  // it is being served
  auto second = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(second, nullptr);
  std::string told;
  EXPECT_TRUE(first->ReadUntilClosed(&told, Deadline::Seconds(10)));
  EXPECT_THAT(told, HasSubstr("(when_full: kick_oldest); disconnecting"));
  ASSERT_TRUE(second->SendAll("two", Deadline::Seconds(10)));
  ASSERT_TRUE(pty.ReadUntil(&typed, "two", Deadline::Seconds(10))) << typed;
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

// The same banner as ser2net 4 would send, from a ser2net.yaml with an echo
// connector (no device, no lock).
const char* EchoYaml() {
  return "%YAML 1.1\n"
         "---\n"
         "define: &banner \\r\\nser2net port \\p device \\d [\\B] name \\N \\o \\s \\z "
         "\\101\\r\\n\n"
         "connection: &echo1\n"
         "  accepter: tcp,127.0.0.1,PORT\n"
         "  connector: echo\n"
         "  options:\n"
         "    banner: *banner\n"
         "    max-connections: 2\n";
}

std::string EchoYamlOn(uint16_t port) {
  std::string yaml = EchoYaml();
  yaml.replace(yaml.find("PORT"), 4, std::to_string(port));
  return yaml;
}

constexpr char kEchoBanner[] =
    "\r\nser2net port tcp,127.0.0.1,PORT device echo [] name echo1 echo1 s z A\r\n";

std::string EchoBannerOn(uint16_t port) {
  std::string banner = kEchoBanner;
  banner.replace(banner.find("PORT"), 4, std::to_string(port));
  return banner;
}

TEST(Ser2netConfigTest, DaemonServesASer2netYaml) {
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(EchoYamlOn(port)));
  auto client = TcpClient::Connect(port, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  const std::string banner = EchoBannerOn(port);
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, banner.size(), Deadline::Seconds(10)));
  EXPECT_EQ(got, banner);
  ASSERT_TRUE(client->SendAll("echo me", Deadline::Seconds(10)));
  got.clear();
  EXPECT_TRUE(client->ReadUntil(&got, "echo me", Deadline::Seconds(10))) << got;
  EXPECT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0);
}

// ser2net itself, when installed, sends the same banner for that file: the
// expectation above is ser2net's behaviour, not a guess.
TEST(Ser2netConfigTest, RealSer2netSendsTheSameBanner) {
  const std::string ser2net = "/usr/sbin/ser2net";
  if (access(ser2net.c_str(), X_OK) != 0) GTEST_SKIP() << ser2net << " is not installed";
  TempDir dir;
  const uint16_t port = FreeTcpPorts(1)[0];
  const std::string config = dir.File("ser2net.yaml");
  std::ofstream(config) << EchoYamlOn(port);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // -n: stay in the foreground; -u: no UUCP locks; -P: no system pid file.
    execl(ser2net.c_str(), "ser2net", "-n", "-u", "-c", config.c_str(), "-P",
          dir.File("ser2net.pid").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::unique_ptr<TcpClient> client;
  for (Deadline d = Deadline::Seconds(20); !client && !d.Expired();) {
    client = TcpClient::Connect(port, Deadline(std::chrono::milliseconds(200)));
    int status;
    if (!client && waitpid(pid, &status, WNOHANG) == pid) break;
  }
  std::string got;
  const std::string banner = EchoBannerOn(port);
  const bool read = client && client->ReadExactly(&got, banner.size(), Deadline::Seconds(10));
  kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
  ASSERT_NE(client, nullptr) << "ser2net did not listen on " << port;
  ASSERT_TRUE(read) << got;
  EXPECT_EQ(got, banner);
}

}  // namespace
}  // namespace ttyhub::testing
