// Hot reload (issue 11, section 2), end to end: the daemon on real ptys,
// its configuration file rewritten and SIGHUP sent, as an operator (or
// `systemctl reload`) would; clients on loopback TCP, the JSON API by curl.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mkdir(dir_.File("locks").c_str(), 0755), 0);
    const auto ports = FreeTcpPorts(8);
    admin_ = ports[0];
    tcp_.assign(ports.begin() + 1, ports.end());
  }
  std::string Header() const {
    return absl::StrCat("lock_dir: ", dir_.File("locks"), "\nadmin: {listen: \"127.0.0.1:", admin_,
                        "\"}\nports:\n");
  }
  // Rewrites the file and sends SIGHUP; waits for the reload's log lines.
  void Reload(const std::string& yaml) {
    std::ofstream(dir_.File("ttyhub.yaml")) << yaml;
    const size_t from = daemon_.Log().size();
    ASSERT_EQ(kill(daemon_.pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon_.WaitForLog("reload (SIGHUP): ", Deadline::Seconds(20), from))
        << daemon_.Log().substr(from);
    // The last line of one reload: give the whole report time to be logged.
    reload_log_ = WaitForQuiet(from);
  }
  std::string WaitForQuiet(size_t from) {
    std::string last;
    const Deadline deadline = Deadline::Seconds(10);
    while (!deadline.Expired()) {
      poll(nullptr, 0, 100);
      const std::string now = daemon_.Log().substr(from);
      if (now == last) return now;
      last = now;
    }
    return last;
  }
  nlohmann::json Port(const std::string& name) {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/ports/", name)},
                              "", &out, Deadline::Seconds(20));
    return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
  }
  std::string Listen(uint16_t port, const std::string& extra = "") const {
    return absl::StrCat("{port: \"127.0.0.1:", port, "\"", extra, "}");
  }

  TempDir dir_;
  Daemon daemon_{dir_};
  uint16_t admin_ = 0;
  std::vector<uint16_t> tcp_;
  std::string reload_log_;
};

// Twenty reloads that change, add and remove other ports while a verified
// stream runs through an unchanged one: its client stays connected and
// gets every byte once, in order.
TEST_F(ReloadTest, AnUnchangedPortLosesNoByteAcrossTwentyReloads) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  auto config = [&](int i) {
    std::string y = Header() + absl::StrCat("  - name: steady\n    device: ", dir_.File("dev"),
                                            "\n    listen: [", Listen(tcp_[0]), "]\n");
    absl::StrAppend(&y, "  - name: churn\n    device: sim:echo\n    listen: [",
                    Listen(tcp_[1], absl::StrCat(", max_clients: ", 2 + i % 2)), "]\n");
    if (i % 2 == 1) {
      absl::StrAppend(&y, "  - name: extra\n    device: sim:echo\n    listen: [", Listen(tcp_[2]),
                      "]\n");
    }
    return y;
  };
  ASSERT_TRUE(daemon_.Start(config(0)));
  auto client = TcpClient::Connect(tcp_[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  constexpr size_t kChunk = 64 * 1024;
  std::string got;
  for (int i = 1; i <= 20; ++i) {
    Reload(config(i));
    ASSERT_TRUE(absl::StrContains(reload_log_, "port churn: listener")) << reload_log_;
    ASSERT_FALSE(absl::StrContains(reload_log_, "reload (SIGHUP): port steady")) << reload_log_;
    std::vector<std::string> part;
    ASSERT_TRUE(StreamToReaders(pty, {client.get()}, Pattern((i - 1) * kChunk, kChunk, 1), &part,
                                Deadline::Seconds(20)))
        << "reload " << i;
    got += part[0];
  }
  uint64_t skipped = 0;
  ASSERT_TRUE(MatchesWithOneGap(got, 20 * kChunk, 1, &skipped));
  EXPECT_EQ(skipped, 0u);
  EXPECT_EQ(got.size(), 20 * kChunk);
  const nlohmann::json j = Port("steady");
  EXPECT_EQ(j["counters"].value("connections_accepted", 0), 1) << "one connection throughout";
  EXPECT_EQ(j.value("clients_rw", 0), 1);
  EXPECT_EQ(j["counters"].value("disconnects_reload", 9), 0);
}

TEST_F(ReloadTest, SerialSettingsApplyLiveAndOnlyTheChangedListenerIsRebound) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  auto config = [&](const std::string& serial, int max_clients) {
    return Header() +
           absl::StrCat("  - name: p\n    device: ", dir_.File("dev"), "\n    serial: ", serial,
                        "\n    listen: [", Listen(tcp_[0]), ", ",
                        Listen(tcp_[1], absl::StrCat(", max_clients: ", max_clients)), "]\n");
  };
  ASSERT_TRUE(daemon_.Start(config("9600n81", 4)));
  auto kept = TcpClient::Connect(tcp_[0], Deadline::Seconds(10));
  auto moved = TcpClient::Connect(tcp_[1], Deadline::Seconds(10));
  ASSERT_TRUE(kept && moved);
  Reload(config("115200e71", 8));
  EXPECT_TRUE(absl::StrContains(
      reload_log_, absl::StrCat("port p: serial 9600N81 flow none -> 115200E71 flow none; listener "
                                "127.0.0.1:",
                                tcp_[1], " changed: rebound")))
      << reload_log_;
  EXPECT_EQ(Port("p").value("serial", ""), "115200E71");
  // The client of the changed listener is told why and closed...
  std::string bye;
  ASSERT_TRUE(moved->ReadUntilClosed(&bye, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(bye,
                                "ttyhub: port p has a changed listener by a configuration "
                                "reload"))
      << bye;
  // ...the other one stays, and both listeners serve.
  auto again = TcpClient::Connect(tcp_[1], Deadline::Seconds(10));
  ASSERT_TRUE(again);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {kept.get(), again.get()}, "after the reload\r\n", &got,
                              Deadline::Seconds(10)));
  const nlohmann::json j = Port("p");
  EXPECT_EQ(j["counters"].value("disconnects_reload", 0), 1);
  ASSERT_EQ(j["listeners"].size(), 2u);
  EXPECT_EQ(j["listeners"][1].value("max_clients", 0), 8);
}

TEST_F(ReloadTest, RemovedPortsSayWhyAddedPortsServeChangedDevicesRestart) {
  TestPty a, b;
  a.LinkAs(dir_.File("a"));
  b.LinkAs(dir_.File("b"));
  const std::string before =
      Header() + absl::StrCat("  - name: gone\n    device: sim:echo\n    listen: [",
                              Listen(tcp_[0]), "]\n  - name: moving\n    device: ", dir_.File("a"),
                              "\n    listen: [", Listen(tcp_[1]), "]\n");
  ASSERT_TRUE(daemon_.Start(before));
  auto on_gone = TcpClient::Connect(tcp_[0], Deadline::Seconds(10));
  auto on_moving = TcpClient::Connect(tcp_[1], Deadline::Seconds(10));
  ASSERT_TRUE(on_gone && on_moving);
  const std::string after =
      Header() + absl::StrCat("  - name: moving\n    device: ", dir_.File("b"), "\n    listen: [",
                              Listen(tcp_[1]),
                              "]\n  - name: new\n    device: sim:echo\n"
                              "    listen: [",
                              Listen(tcp_[0]), "]\n");
  Reload(after);
  std::string bye;
  ASSERT_TRUE(on_gone->ReadUntilClosed(&bye, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(bye, "ttyhub: port gone was removed from the configuration"))
      << bye;
  bye.clear();
  ASSERT_TRUE(on_moving->ReadUntilClosed(&bye, Deadline::Seconds(10)));
  EXPECT_TRUE(absl::StrContains(bye, "ttyhub: port moving is restarting (device ")) << bye;
  EXPECT_TRUE(absl::StrContains(reload_log_, "port gone: removed")) << reload_log_;
  EXPECT_TRUE(absl::StrContains(reload_log_, "port new: added on worker")) << reload_log_;
  EXPECT_TRUE(absl::StrContains(reload_log_, "port moving: restarted (device ")) << reload_log_;
  // The new port took the removed one's TCP port, and echoes.
  auto on_new = TcpClient::Connect(tcp_[0], Deadline::Seconds(10));
  ASSERT_TRUE(on_new);
  ASSERT_TRUE(on_new->SendAll("ping", Deadline::Seconds(5)));
  std::string echo;
  ASSERT_TRUE(on_new->ReadExactly(&echo, 4, Deadline::Seconds(5)));
  EXPECT_EQ(echo, "ping");
  // The restarted port reads its new device.
  auto back = TcpClient::Connect(tcp_[1], Deadline::Seconds(10));
  ASSERT_TRUE(back);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(b, {back.get()}, "from device b\r\n", &got, Deadline::Seconds(10)));
  EXPECT_TRUE(Port("gone").is_null() || Port("gone").is_discarded());
}

TEST_F(ReloadTest, AnInvalidFileChangesNothing) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const std::string good = Header() + absl::StrCat("  - name: p\n    device: ", dir_.File("dev"),
                                                   "\n    listen: [", Listen(tcp_[0]), "]\n");
  ASSERT_TRUE(daemon_.Start(good));
  auto client = TcpClient::Connect(tcp_[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  Reload(good + "    serial: 9600x81\n  - name: p2\n    device: sim:echo\n");
  EXPECT_TRUE(absl::StrContains(reload_log_, "is invalid; nothing changed")) << reload_log_;
  EXPECT_TRUE(absl::StrContains(reload_log_, "ttyhub.yaml:")) << "file:line:col" << reload_log_;
  EXPECT_TRUE(Port("p2").is_null() || Port("p2").is_discarded());
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {client.get()}, "still here\r\n", &got, Deadline::Seconds(10)));
}

}  // namespace
}  // namespace ttyhub::testing

namespace ttyhub::testing {
namespace {

// The other triggers: `ttyhubctl reload` and POST /api/v1/reload, which
// answer with what changed, or (400) with the invalid file's errors.
TEST_F(ReloadTest, TtyhubctlAndTheApiReloadAndReport) {
  auto config = [&](const std::string& serial) {
    return Header() + absl::StrCat("  - name: p\n    device: sim:echo\n    serial: ", serial,
                                   "\n    listen: [", Listen(tcp_[0]), "]\n");
  };
  ASSERT_TRUE(daemon_.Start(config("9600n81")));
  std::ofstream(dir_.File("ttyhub.yaml")) << config("19200n81");
  std::string out;
  ASSERT_EQ(
      RunProgram(TTYHUBCTL_BINARY, {"--url", absl::StrCat("http://127.0.0.1:", admin_), "reload"},
                 "", &out, Deadline::Seconds(30)),
      0)
      << out;
  EXPECT_EQ(out, "port p: serial 9600N81 flow none -> 19200N81 flow none\n");
  EXPECT_EQ(Port("p").value("serial", ""), "19200N81");

  std::ofstream(dir_.File("ttyhub.yaml")) << config("19200x81");
  const std::string url = absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/reload");
  ASSERT_EQ(RunProgram("curl",
                       {"-s", "-i", "--max-time", "20", "-X", "POST", "-H",
                        "Content-Type: application/json", "-d", "{}", url},
                       "", &out, Deadline::Seconds(30)),
            0);
  EXPECT_TRUE(absl::StartsWith(out, "HTTP/1.1 400")) << out;
  EXPECT_TRUE(absl::StrContains(out, "ttyhub.yaml:")) << out;
  EXPECT_TRUE(absl::StrContains(out, "ports[0].serial")) << out;
  EXPECT_EQ(Port("p").value("serial", ""), "19200N81") << "nothing changed";
  std::ofstream(dir_.File("ttyhub.yaml")) << config("19200n81");
  ASSERT_EQ(
      RunProgram(TTYHUBCTL_BINARY, {"--url", absl::StrCat("http://127.0.0.1:", admin_), "reload"},
                 "", &out, Deadline::Seconds(30)),
      0);
  EXPECT_EQ(out, "nothing changed\n");
}

}  // namespace
}  // namespace ttyhub::testing
