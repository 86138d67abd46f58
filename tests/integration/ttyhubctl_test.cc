// ttyhubctl end to end against a running daemon.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

using ::testing::HasSubstr;

class TtyhubctlTest : public ::testing::Test {
 protected:
  // Extra keys for the admin: mapping, starting with ", ".
  virtual std::string AdminExtra() const { return ""; }

  void SetUp() override {
    pty_.LinkAs(dir_.File("dev0"));
    const auto ports = FreeTcpPorts(2);
    data_port_ = ports[0];
    url_ = absl::StrCat("http://127.0.0.1:", ports[1]);
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", ports[1], "\"", AdminExtra(),
        "}\nports:\n  - name: sw1\n    device: ", dir_.File("dev0"),
        "\n    serial: 9600n81\n    listen: [{port: \"127.0.0.1:", data_port_, "\"}]\n")));
  }

  int Ctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {"--url", url_});
    return RunProgram(TTYHUBCTL_BINARY, args, "", out, Deadline::Seconds(20));
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t data_port_ = 0;
  std::string url_;
};

TEST_F(TtyhubctlTest, PortsShowKickSetWatch) {
  auto client = TcpClient::Connect(data_port_, Deadline::Seconds(10));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(daemon_.WaitForLog("client #1", Deadline::Seconds(10)));
  std::string out;
  ASSERT_EQ(Ctl({"ports"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("PORT"));
  EXPECT_THAT(out, HasSubstr("sw1"));
  EXPECT_THAT(out, HasSubstr("9600N81"));
  EXPECT_THAT(out, HasSubstr("open"));
  EXPECT_THAT(out, HasSubstr("n/a"));  // a pty has no UART error counters

  ASSERT_EQ(Ctl({"--json", "ports"}, &out), 0);
  const auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["ports"][0]["clients_rw"], 1);

  ASSERT_EQ(Ctl({"show", "sw1"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("clients  1"));
  EXPECT_THAT(out, HasSubstr("127.0.0.1:"));

  ASSERT_EQ(Ctl({"set", "sw1", "19200e71", "--flow", "xonxoff"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("port sw1: serial 19200E71, flow xonxoff"));
  ASSERT_EQ(Ctl({"watch", "--iterations", "2", "--interval", "0.2"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("19200E71"));

  ASSERT_EQ(Ctl({"kick", "sw1", "1"}, &out), 0) << out;
  std::string rest;
  EXPECT_TRUE(client->ReadUntilClosed(&rest, Deadline::Seconds(10)));
}

TEST_F(TtyhubctlTest, ErrorsAreClear) {
  std::string out;
  EXPECT_EQ(Ctl({"show", "nope"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("no port named 'nope' (HTTP 404)"));
  EXPECT_EQ(Ctl({"set", "sw1", "9600q81"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("unknown parity 'q'"));
  EXPECT_EQ(Ctl({"frobnicate"}, &out), 2);
  EXPECT_THAT(out, HasSubstr("unknown command 'frobnicate'"));
  // Nothing listening there.
  const uint16_t closed = FreeTcpPorts(1)[0];
  EXPECT_EQ(
      RunProgram(TTYHUBCTL_BINARY, {"--url", absl::StrCat("http://127.0.0.1:", closed), "ports"},
                 "", &out, Deadline::Seconds(20)),
      1);
  EXPECT_THAT(out, HasSubstr("cannot reach ttyhub at http://127.0.0.1:"));
  EXPECT_THAT(out, HasSubstr("admin: {listen: ...}"));
}

constexpr char kToken[] = "0123456789abcdef-secret";

class TtyhubctlTokenTest : public TtyhubctlTest {
 protected:
  std::string AdminExtra() const override {
    return absl::StrCat(", token: \"", kToken, "\", token_required_for_reads: true");
  }
};

// With token_required_for_reads, every command needs the token, and works with it.
TEST_F(TtyhubctlTokenTest, SendsTheTokenOnReadsToo) {
  std::string out;
  EXPECT_EQ(Ctl({"ports"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("missing or wrong bearer token (HTTP 401); give the admin token "
                             "with --token or $TTYHUB_TOKEN"));
  ASSERT_EQ(Ctl({"--token", kToken, "ports"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("sw1"));
  ASSERT_EQ(Ctl({"--token", kToken, "show", "sw1"}, &out), 0) << out;
  ASSERT_EQ(Ctl({"--token", kToken, "watch", "--iterations", "1"}, &out), 0) << out;
  ASSERT_EQ(Ctl({"--token", kToken, "set", "sw1", "19200e71"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("port sw1: serial 19200E71"));
  EXPECT_EQ(Ctl({"--token", "wrong-token-wrong-token", "show", "sw1"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("(HTTP 401); check the token"));
}

}  // namespace
}  // namespace ttyhub::testing
