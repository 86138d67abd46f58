// `ttyhub --pidfile FILE` (issue 11): the file names the running daemon and
// is removed when it exits; a file that cannot be written stops the start.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

TEST(PidFileTest, NamesTheDaemonWhileItRunsAndGoesWithIt) {
  TempDir dir;
  Daemon daemon(dir);
  const std::string pidfile = dir.File("ttyhub.pid");
  const auto port = FreeTcpPorts(1)[0];
  ASSERT_TRUE(daemon.Start(
      absl::StrCat("ports:\n  - {name: e, device: sim:echo, listen: [{port: \"127.0.0.1:", port,
                   "\"}]}\n"),
      {"--pidfile", pidfile}));
  std::ifstream in(pidfile);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), absl::StrCat(daemon.pid(), "\n"));
  ASSERT_EQ(daemon.Stop(SIGTERM, Deadline::Seconds(20)), 0);
  EXPECT_NE(access(pidfile.c_str(), F_OK), 0) << "removed on exit";
}

TEST(PidFileTest, AnUnwritablePidFileIsAClearError) {
  TempDir dir;
  std::string out;
  const auto port = FreeTcpPorts(1)[0];
  const std::string config = dir.File("c.yaml");
  std::ofstream(config) << "lock_dir: off\nports:\n  - {name: e, device: sim:echo, listen: [{port: "
                           "\"127.0.0.1:"
                        << port << "\"}]}\n";
  const int rc = Daemon::RunToCompletion(
      {"-c", config, "--pidfile", dir.File("no-such-dir/ttyhub.pid")}, &out, Deadline::Seconds(20));
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("cannot start: --pidfile " + dir.File("no-such-dir/ttyhub.pid")),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace ttyhub::testing
