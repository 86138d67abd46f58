// Finding a console's listener, protocol and own client in the admin API's
// JSON, and the ~s and listing text; malformed JSON is "not found".
#include "tools/ctl/console_lookup.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/ctl/console_status.h"

namespace ttyhub::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kPort = R"({
  "name": "sw1", "device": "/dev/ttyUSB0", "state": "open", "device_error": "",
  "serial": "115200N81", "flow": "none", "clients_rw": 2, "clients_ro": 1,
  "listeners": [
    {"address": "unix:/run/ttyhub/sw1.sock", "protocol": "telnet", "access": "rw"},
    {"address": "127.0.0.1:7101", "protocol": "raw", "access": "ro"},
    {"address": "[::]:7001", "protocol": "rfc2217", "access": "rw"},
    {"address": "garbage"},
    {"address": "1.2.3.4:99999", "protocol": "raw", "access": "rw"}
  ],
  "writer": 3,
  "clients": [
    {"id": 3, "peer": "uid 1000 pid 4242", "access": "rw", "writer": true},
    {"id": 5, "peer": "uid 0 pid 77", "access": "rw", "writer": false},
    {"id": 6, "peer": "127.0.0.1:40000", "access": "ro", "writer": false}
  ]
})";

TEST(ConsoleLookupTest, Listeners) {
  const auto port = nlohmann::ordered_json::parse(kPort);
  const std::vector<ListenerInfo> l = ListenersOf(port);
  ASSERT_EQ(l.size(), 3u) << "unparsable listeners are left out";
  EXPECT_TRUE(l[0].is_unix);
  EXPECT_EQ(l[0].unix_path, "/run/ttyhub/sw1.sock");
  EXPECT_EQ(l[0].protocol, WireProtocol::kTelnet);
  EXPECT_EQ(l[1].host, "127.0.0.1");
  EXPECT_EQ(l[1].tcp_port, 7101);
  EXPECT_EQ(l[1].protocol, WireProtocol::kRaw);
  EXPECT_EQ(l[2].host, "::");
  EXPECT_EQ(l[2].tcp_port, 7001);
  EXPECT_EQ(l[2].protocol, WireProtocol::kTelnet) << "rfc2217 is telnet to a console client";
}

TEST(ConsoleLookupTest, ChoosesAnRwListenerOrAnRoOneForReadOnly) {
  const auto port = nlohmann::ordered_json::parse(kPort);
  EXPECT_EQ(ChooseTcpListener(port, false)->tcp_port, 7001);
  EXPECT_EQ(ChooseTcpListener(port, true)->tcp_port, 7101);
  const auto unix_only = nlohmann::ordered_json::parse(
      R"({"listeners": [{"address": "unix:/x.sock", "protocol": "raw", "access": "rw"}]})");
  EXPECT_FALSE(ChooseTcpListener(unix_only, false));
}

TEST(ConsoleLookupTest, OwnClientByPeer) {
  const auto port = nlohmann::ordered_json::parse(kPort);
  EXPECT_EQ(FindClientByPeer(port, UnixPeerText(0, 77)), 5u);
  EXPECT_EQ(FindClientByPeer(port, "127.0.0.1:40000"), 6u);
  EXPECT_FALSE(FindClientByPeer(port, "uid 0 pid 7"));
}

TEST(ConsoleLookupTest, MalformedJsonIsNotFound) {
  for (const char* text : {"null", "[]", "{\"listeners\": 3, \"clients\": {}}",
                           R"({"clients": [{"peer": 3, "id": "x"}, 7],
                               "listeners": [{"address": 5}, null]})"}) {
    const auto j = nlohmann::ordered_json::parse(text);
    EXPECT_TRUE(ListenersOf(j).empty()) << text;
    EXPECT_FALSE(ChooseTcpListener(j, false)) << text;
    EXPECT_FALSE(FindClientByPeer(j, "3")) << text;
    EXPECT_EQ(FindPort(j, "sw1"), nullptr) << text;
    EXPECT_THAT(RenderConsoleStatus(j, std::nullopt, "x"), HasSubstr("port ?: ?"));
  }
}

TEST(ConsoleLookupTest, FindPortByName) {
  const auto ports = nlohmann::ordered_json::parse(R"({"ports": [{"name": "a"}, {"name": "b"}]})");
  ASSERT_NE(FindPort(ports, "b"), nullptr);
  EXPECT_EQ(JsonString(*FindPort(ports, "b"), "name"), "b");
  EXPECT_EQ(FindPort(ports, "c"), nullptr);
}

TEST(ConsoleLookupTest, PortNames) {
  EXPECT_TRUE(IsValidPortName("sw1"));
  EXPECT_TRUE(IsValidPortName("rack-4.sw_1"));
  EXPECT_FALSE(IsValidPortName(""));
  EXPECT_FALSE(IsValidPortName(".."));
  EXPECT_FALSE(IsValidPortName("../etc/x"));
  EXPECT_FALSE(IsValidPortName("a b"));
  EXPECT_FALSE(IsValidPortName(std::string(65, 'a')));
}

TEST(ConsoleStatusTest, SaysWhoWritesAndWhoYouAre) {
  const auto port = nlohmann::ordered_json::parse(kPort);
  const std::string s = RenderConsoleStatus(port, 5, "unix:/run/ttyhub/sw1.sock, telnet");
  EXPECT_THAT(s, HasSubstr("port sw1: /dev/ttyUSB0, open, 115200N81, flow none\n"));
  EXPECT_THAT(s, HasSubstr("clients: 2 rw, 1 ro\n"));
  EXPECT_THAT(s, HasSubstr("writing: client #3 (uid 1000 pid 4242) holds the write role\n"));
  EXPECT_THAT(s, HasSubstr("you: client #5 (uid 0 pid 77), rw, viewer"));
  EXPECT_THAT(s, HasSubstr("connection: unix:/run/ttyhub/sw1.sock, telnet\n"));
  EXPECT_THAT(s, Not(HasSubstr("device:")));
  EXPECT_THAT(RenderConsoleStatus(port, 3, ""), HasSubstr("rw, holds the write role"));
  EXPECT_THAT(RenderConsoleStatus(port, 6, ""), HasSubstr("ro, read-only"));
  EXPECT_THAT(RenderConsoleStatus(port, std::nullopt, ""), HasSubstr("you: not found"));

  auto shared = port;
  shared.erase("writer");
  EXPECT_THAT(RenderConsoleStatus(shared, 5, ""),
              HasSubstr("writing: every rw client (write: shared)"));
  auto nobody = port;
  nobody["writer"] = nullptr;
  nobody["device_error"] = "locked by pid 9 (minicom)";
  const std::string n = RenderConsoleStatus(nobody, 5, "");
  EXPECT_THAT(n, HasSubstr("writing: nobody holds the write role"));
  EXPECT_THAT(n, HasSubstr("device: locked by pid 9 (minicom)"));
}

TEST(ConsoleStatusTest, ListsApiPortsAndLooseSockets) {
  const auto ports = nlohmann::ordered_json::parse(std::string(R"({"ports": [)") + kPort + "]}");
  const std::string t = RenderConsoleList(&ports, "/run/ttyhub", {"sw1.sock", "lab.sock"});
  EXPECT_THAT(t, HasSubstr("PORT  STATE  REACHABLE AT"));
  EXPECT_THAT(t, HasSubstr("sw1   open   unix /run/ttyhub/sw1.sock (telnet); tcp 127.0.0.1:7101 "
                           "(raw, ro); tcp [::]:7001 (telnet, rw)"));
  EXPECT_THAT(t, HasSubstr("lab   ?      unix /run/ttyhub/lab.sock"));
  EXPECT_EQ(t.find("sw1.sock"), t.rfind("sw1.sock")) << "a socket the API named is listed once";
  EXPECT_THAT(RenderConsoleList(nullptr, "/d", {"x.sock"}),
              HasSubstr("x     ?      unix /d/x.sock"));
  EXPECT_EQ(RenderConsoleList(nullptr, "/d", {}), "");
}

}  // namespace
}  // namespace ttyhub::ctl
