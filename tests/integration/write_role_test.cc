// Write roles (issue 12, section 2), end to end: rw clients of exclusive
// and takeover listeners on loopback TCP, a real pty as the device (so what
// reaches the device is read back exactly), the JSON API by curl.
#include <poll.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

class WriteRoleTest : public ::testing::Test {
 protected:
  void Start(const std::string& mode) {
    pty_.LinkAs(dir_.File("dev"));
    const auto ports = FreeTcpPorts(3);
    admin_ = ports[0];
    tcp_ = ports[1];
    shared_ = ports[2];
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", admin_, "\"}\nports:\n  - name: sw1\n    device: ",
        dir_.File("dev"), "\n    listen:\n      - {port: \"127.0.0.1:", tcp_, "\", write: ", mode,
        "}\n      - {port: \"127.0.0.1:", shared_, "\"}\n")));
  }
  nlohmann::json Port() {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/ports/sw1")},
                              "", &out, Deadline::Seconds(20));
    return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
  }
  // Waits until the JSON API shows `n` clients.
  void WaitForClients(int n) {
    const Deadline deadline = Deadline::Seconds(10);
    while (!deadline.Expired()) {
      const auto j = Port();
      if (j.is_object() && j.value("clients_rw", 0) == n) return;
      poll(nullptr, 0, deadline.PollMs(20));
    }
    ADD_FAILURE() << "never " << n << " clients: " << Port().dump();
  }
  // Sends `text` from `client`; true if it reached the device (read back
  // from the pty), false if nothing arrived within a second.
  bool Types(TcpClient& client, const std::string& text) {
    EXPECT_TRUE(client.SendAll(text, Deadline::Seconds(5)));
    std::string got;
    pty_.ReadSome(&got, text.size(), Deadline(std::chrono::milliseconds(1000)));
    return got == text;
  }
  uint64_t Id(const nlohmann::json& j, size_t i) { return j["clients"][i].value("id", 0); }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t admin_ = 0, tcp_ = 0, shared_ = 0;
};

TEST_F(WriteRoleTest, ExclusiveFirstWriterHoldsTheRoleUntilItLeaves) {
  Start("exclusive");
  auto first = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(first);
  WaitForClients(1);
  auto second = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(second);
  std::string told;
  ASSERT_TRUE(
      second->ReadUntil(&told, "you are a viewer until it leaves\r\n", Deadline::Seconds(10)))
      << told;
  EXPECT_TRUE(absl::StrContains(told, "ttyhub: port sw1 is being written by client #1 (127.0.0.1:"))
      << told;
  EXPECT_TRUE(Types(*first, "show run\r"));
  EXPECT_FALSE(Types(*second, "reload\r")) << "a viewer's input never reaches the device";
  nlohmann::json j = Port();
  EXPECT_EQ(j.value("writer", uint64_t{0}), Id(j, 0));
  EXPECT_TRUE(j["clients"][0].value("writer", false));
  EXPECT_FALSE(j["clients"][1].value("writer", true));
  // Both see the device's output.
  std::vector<std::string> got;
  ASSERT_TRUE(
      StreamToReaders(pty_, {first.get(), second.get()}, "Router#", &got, Deadline::Seconds(10)));
  // The writer leaves: the viewer is told it writes now, and does.
  first.reset();
  std::string now;
  ASSERT_TRUE(
      second->ReadUntil(&now, "you hold the write role on port sw1 now\r\n", Deadline::Seconds(10)))
      << now;
  EXPECT_TRUE(Types(*second, "exit\r"));
  j = Port();
  EXPECT_EQ(j.value("writer", uint64_t{0}), Id(j, 0));
  // A client of a shared listener on the same port always writes.
  auto shared = TcpClient::Connect(shared_, Deadline::Seconds(10));
  ASSERT_TRUE(shared);
  WaitForClients(2);
  EXPECT_TRUE(Types(*shared, "also me\r"));
}

TEST_F(WriteRoleTest, TakeoverDemotesTheWriterWithoutDisconnectingIt) {
  Start("takeover");
  auto old_writer = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(old_writer);
  WaitForClients(1);
  EXPECT_TRUE(Types(*old_writer, "a"));
  auto newcomer = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(newcomer);
  std::string told;
  ASSERT_TRUE(old_writer->ReadUntil(&told, "; you are a viewer now\r\n", Deadline::Seconds(10)))
      << told;
  EXPECT_TRUE(absl::StrContains(told, "ttyhub: client #2 (127.0.0.1:")) << told;
  EXPECT_TRUE(absl::StrContains(told, "took over writing to port sw1")) << told;
  EXPECT_TRUE(Types(*newcomer, "b"));
  EXPECT_FALSE(Types(*old_writer, "c"));
  const nlohmann::json j = Port();
  EXPECT_EQ(j.value("clients_rw", 0), 2) << "the old writer is still connected";
  EXPECT_EQ(j.value("writer", uint64_t{0}), Id(j, 1));
  std::string metrics;
  ASSERT_EQ(RunProgram("curl", {"-s", "-f", absl::StrCat("http://127.0.0.1:", admin_, "/metrics")},
                       "", &metrics, Deadline::Seconds(20)),
            0);
  EXPECT_TRUE(absl::StrContains(
      metrics, absl::StrCat("ttyhub_port_writer_client{port=\"sw1\",worker=\"0\"} ", Id(j, 1))))
      << metrics;
}

}  // namespace
}  // namespace ttyhub::testing

namespace ttyhub::testing {
namespace {

TEST_F(WriteRoleTest, TtyhubctlWriterHandsTheRoleOver) {
  Start("exclusive");
  auto first = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(first);
  WaitForClients(1);
  auto second = TcpClient::Connect(tcp_, Deadline::Seconds(10));
  ASSERT_TRUE(second);
  WaitForClients(2);
  const nlohmann::json j = Port();
  const uint64_t second_id = Id(j, 1);
  std::string out;
  ASSERT_EQ(RunProgram(TTYHUBCTL_BINARY,
                       {"--url", absl::StrCat("http://127.0.0.1:", admin_), "writer", "sw1",
                        absl::StrCat(second_id)},
                       "", &out, Deadline::Seconds(30)),
            0)
      << out;
  EXPECT_EQ(out, absl::StrCat("port sw1: client ", second_id, " holds the write role\n"));
  std::string told;
  ASSERT_TRUE(first->ReadUntil(&told, "; you are a viewer now\r\n", Deadline::Seconds(10))) << told;
  EXPECT_TRUE(absl::StrContains(told, "an operator gave the write role on port sw1 to client #"))
      << told;
  told.clear();
  ASSERT_TRUE(second->ReadUntil(&told, "you hold the write role on port sw1 now\r\n",
                                Deadline::Seconds(10)))
      << told;
  EXPECT_TRUE(Types(*second, "conf t\r"));
  EXPECT_FALSE(Types(*first, "no\r"));
  EXPECT_EQ(Port().value("writer", uint64_t{0}), second_id);
  // A client that cannot hold the role is refused with the reason.
  auto shared = TcpClient::Connect(shared_, Deadline::Seconds(10));
  ASSERT_TRUE(shared);
  WaitForClients(3);
  const uint64_t shared_id = Id(Port(), 2);
  EXPECT_NE(RunProgram(TTYHUBCTL_BINARY,
                       {"--url", absl::StrCat("http://127.0.0.1:", admin_), "writer", "sw1",
                        absl::StrCat(shared_id)},
                       "", &out, Deadline::Seconds(30)),
            0);
  EXPECT_TRUE(absl::StrContains(out, "write: shared listener: it always writes")) << out;
}

}  // namespace
}  // namespace ttyhub::testing
