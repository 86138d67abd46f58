// ttyhub-bench's server plans as configuration: the chain scenario's two
// servers (A serves the pty with an extra RFC 2217 listener, B's device is
// A's RFC 2217 listener) for ttyhub and ser2net, and the ports each server
// is waited on to listen.
#include "tools/bench/server_plan.h"

#include <string>

#include "gtest/gtest.h"

namespace ttyhub::bench {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Server A: the pty, a raw rw listener and an RFC 2217 listener.
ServerPlan PlanA() {
  ServerPlan plan;
  PlannedPort p;
  p.name = "p0";
  p.device_path = "/dev/pts/7";
  p.rw_tcp_port = 7001;
  p.more_listeners.push_back(PlannedListener{.tcp_port = 7004, .protocol = "rfc2217"});
  plan.ports.push_back(p);
  return plan;
}

// Server B: its device is A's RFC 2217 listener.
ServerPlan PlanB() {
  ServerPlan plan;
  PlannedPort p;
  p.name = "p0";
  p.remote_rfc2217_port = 7004;
  p.rw_tcp_port = 7101;
  plan.ports.push_back(p);
  return plan;
}

TEST(ServerPlanTest, TtyhubChainA) {
  const std::string yaml = ServerConfigText(ServerKind::kTtyhub, PlanA());
  EXPECT_NE(yaml.find("    device: /dev/pts/7\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      - {port: \"127.0.0.1:7001\", access: rw, max_clients: 1}\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("      - {port: \"127.0.0.1:7004\", protocol: rfc2217, access: rw, "
                      "max_clients: 1}\n"),
            std::string::npos)
      << yaml;
}

TEST(ServerPlanTest, TtyhubChainBConnectsToA) {
  const std::string yaml = ServerConfigText(ServerKind::kTtyhub, PlanB());
  EXPECT_NE(yaml.find("    device: rfc2217://127.0.0.1:7004\n"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("/dev/"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      - {port: \"127.0.0.1:7101\", access: rw, max_clients: 1}\n"),
            std::string::npos)
      << yaml;
}

TEST(ServerPlanTest, Ser2netChainAHasAnRfc2217ConnectionOnTheSameDevice) {
  const std::string yaml = ServerConfigText(ServerKind::kSer2netTuned, PlanA());
  EXPECT_NE(yaml.find("connection: &p0\n  accepter: tcp,127.0.0.1,7001\n"
                      "  connector: serialdev,/dev/pts/7,115200n81,local\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("connection: &p0_l1\n  accepter: telnet(rfc2217),tcp,127.0.0.1,7004\n"
                      "  connector: serialdev,/dev/pts/7,115200n81,local\n"
                      "  options:\n    max-connections: 1\n"),
            std::string::npos)
      << yaml;
  // Both connections are tuned alike.
  EXPECT_EQ(Count(yaml, "    chardelay: false\n"), 2u) << yaml;
  EXPECT_EQ(Count(yaml, "    dev-to-net-bufsize: 65536\n"), 2u) << yaml;
  EXPECT_EQ(Count(ServerConfigText(ServerKind::kSer2net, PlanA()), "chardelay"), 0u);
}

TEST(ServerPlanTest, Ser2netChainBConnectsToA) {
  const std::string yaml = ServerConfigText(ServerKind::kSer2net, PlanB());
  EXPECT_NE(yaml.find("connection: &p0\n  accepter: tcp,127.0.0.1,7101\n"
                      "  connector: telnet(rfc2217),tcp,127.0.0.1,7004\n"
                      "  options:\n    max-connections: 1\n"),
            std::string::npos)
      << yaml;
  EXPECT_EQ(yaml.find("serialdev"), std::string::npos) << yaml;
}

TEST(ServerPlanTest, Ser2netTelnetAndRawListeners) {
  ServerPlan plan = PlanA();
  plan.ports[0].more_listeners = {PlannedListener{.tcp_port = 7002, .protocol = "telnet"},
                                  PlannedListener{.tcp_port = 7003, .max_clients = 3}};
  const std::string yaml = ServerConfigText(ServerKind::kSer2net, plan);
  EXPECT_NE(yaml.find("connection: &p0_l1\n  accepter: telnet,tcp,127.0.0.1,7002\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("connection: &p0_l2\n  accepter: tcp,127.0.0.1,7003\n"
                      "  connector: serialdev,/dev/pts/7,115200n81,local\n"
                      "  options:\n    max-connections: 3\n"),
            std::string::npos)
      << yaml;
}

TEST(ServerPlanTest, EveryServerIsWaitedOnForItsFurtherListeners) {
  for (ServerKind kind : {ServerKind::kTtyhub, ServerKind::kSer2net, ServerKind::kSer2netTuned}) {
    EXPECT_EQ(ListeningPorts(kind, PlanA()), (std::vector<uint16_t>{7001, 7004}))
        << ServerName(kind);
    EXPECT_EQ(ListeningPorts(kind, PlanB()), (std::vector<uint16_t>{7101})) << ServerName(kind);
  }
}

}  // namespace
}  // namespace ttyhub::bench
