// The admin API end to end, with real peers: curl as the HTTP client and
// promtool validating the metrics. Values are checked against bytes the test
// actually moved.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

using ::testing::HasSubstr;

class AdminApiTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& admin_extra = "") {
    pty_.LinkAs(dir_.File("dev0"));
    const auto ports = FreeTcpPorts(3);
    rw_port_ = ports[0];
    ro_port_ = ports[1];
    admin_port_ = ports[2];
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", admin_port_, "\"", admin_extra, "}\n",
        "ports:\n  - name: p0\n    device: ", dir_.File("dev0"),
        "\n    serial: 115200n81\n    listen:\n"
        "      - {port: \"127.0.0.1:",
        rw_port_, "\", access: rw}\n", "      - {port: \"127.0.0.1:", ro_port_, "\", access: ro}\n",
        "  - name: quiet\n    device: sim:echo\n    listen: [{port: \"127.0.0.1:", ports[2] + 1,
        "\"}]\n")));
  }

  std::string Url(const std::string& path) {
    return absl::StrCat("http://127.0.0.1:", admin_port_, path);
  }

  // curl; returns the HTTP status, body in *body. POSTs are sent as JSON, as
  // the API requires, unless `headers` say otherwise.
  int Curl(const std::string& method, const std::string& path, std::string* body,
           const std::string& data = "", const std::string& token = "",
           const std::vector<std::string>& headers = {}) {
    std::vector<std::string> args = {
        "-s", "-S", "-X", method, "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"};
    if (!data.empty()) {
      args.push_back("--data-binary");
      args.push_back(data);
    }
    if (!token.empty()) {
      args.push_back("-H");
      args.push_back("Authorization: Bearer " + token);
    }
    const bool typed = std::any_of(headers.begin(), headers.end(), [](const std::string& h) {
      return absl::StartsWithIgnoreCase(h, "Content-Type:");
    });
    if (method == "POST" && !typed) {
      args.push_back("-H");
      args.push_back("Content-Type: application/json");
    }
    for (const std::string& h : headers) {
      args.push_back("-H");
      args.push_back(h);
    }
    args.push_back(Url(path));
    std::string out;
    if (RunProgram("curl", args, "", &out, Deadline::Seconds(20)) != 0) {
      ADD_FAILURE() << "curl failed: " << out;
      return -1;
    }
    const size_t nl = out.rfind('\n');
    int status = -1;
    absl::SimpleAtoi(out.substr(nl + 1), &status);
    *body = out.substr(0, nl);
    return status;
  }

  nlohmann::json GetJson(const std::string& path) {
    std::string body;
    EXPECT_EQ(Curl("GET", path, &body), 200) << body;
    return nlohmann::json::parse(body, nullptr, false);
  }

  // Sample values by series ("name{labels}") from Prometheus text.
  static std::map<std::string, double> ParseMetrics(const std::string& text) {
    std::map<std::string, double> out;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      if (line.empty() || line[0] == '#') continue;
      const size_t sp = line.rfind(' ');
      double v = 0;
      if (sp != absl::string_view::npos && absl::SimpleAtod(line.substr(sp + 1), &v)) {
        out[std::string(line.substr(0, sp))] = v;
      }
    }
    return out;
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t rw_port_ = 0, ro_port_ = 0, admin_port_ = 0;
};

TEST_F(AdminApiTest, MetricsPassPromtoolAndMatchTheBytesMoved) {
  StartDaemon();
  auto rw = TcpClient::Connect(rw_port_, Deadline::Seconds(10));
  auto ro = TcpClient::Connect(ro_port_, Deadline::Seconds(10));
  ASSERT_NE(rw, nullptr);
  ASSERT_NE(ro, nullptr);
  ASSERT_TRUE(daemon_.WaitForLog("(ro) connected", Deadline::Seconds(10)));
  constexpr size_t kDown = 100000, kUp = 5000;
  const std::string down = Pattern(0, kDown, 1);
  ASSERT_TRUE(pty_.WriteAll(down, Deadline::Seconds(10)));
  std::string got_rw, got_ro, at_device;
  ASSERT_TRUE(rw->ReadExactly(&got_rw, kDown, Deadline::Seconds(20)));
  ASSERT_TRUE(ro->ReadExactly(&got_ro, kDown, Deadline::Seconds(20)));
  ASSERT_TRUE(rw->SendAll(Pattern(0, kUp, 2), Deadline::Seconds(10)));
  ASSERT_TRUE(ro->SendAll("ignored", Deadline::Seconds(10)));
  ASSERT_TRUE(pty_.ReadExactly(&at_device, kUp, Deadline::Seconds(20)));

  // The ro bytes are counted once the daemon has read them; poll until then.
  std::map<std::string, double> m;
  std::string text;
  const std::string p0 = "{port=\"p0\",worker=\"0\"}";
  Deadline settle = Deadline::Seconds(10);
  do {
    ASSERT_EQ(Curl("GET", "/metrics", &text), 200);
    m = ParseMetrics(text);
  } while (m["ttyhub_port_discarded_ro_bytes_total" + p0] < 7 && !settle.Expired());

  std::string lint;
  EXPECT_EQ(RunProgram("promtool", {"check", "metrics"}, text, &lint, Deadline::Seconds(30)), 0)
      << lint;
  EXPECT_EQ(m["ttyhub_port_device_rx_bytes_total" + p0], kDown);
  EXPECT_EQ(m["ttyhub_port_device_tx_bytes_total" + p0], kUp);
  EXPECT_EQ(m["ttyhub_port_client_tx_bytes_total" + p0], 2 * kDown);
  EXPECT_EQ(m["ttyhub_port_client_tx_rw_bytes_total" + p0], kDown);
  EXPECT_EQ(m["ttyhub_port_client_tx_ro_bytes_total" + p0], kDown);
  EXPECT_EQ(m["ttyhub_port_client_rx_bytes_total" + p0], kUp);
  EXPECT_EQ(m["ttyhub_port_discarded_ro_bytes_total" + p0], 7);
  EXPECT_EQ(m["ttyhub_port_connections_accepted_total" + p0], 2);
  EXPECT_EQ(m["ttyhub_port_clients{port=\"p0\",worker=\"0\",access=\"rw\"}"], 1);
  EXPECT_EQ(m["ttyhub_port_clients{port=\"p0\",worker=\"0\",access=\"ro\"}"], 1);
  EXPECT_EQ(m["ttyhub_port_device_up" + p0], 1);
  // A pty has no UART counters: reported unavailable, the error series absent.
  EXPECT_EQ(m["ttyhub_port_uart_counters_available" + p0], 0);
  EXPECT_EQ(m.count("ttyhub_port_uart_parity_errors_total" + p0), 0u);
  // Every device read was delivered to two clients.
  EXPECT_GE(m["ttyhub_port_delivery_latency_seconds_count" + p0], 2);
  EXPECT_EQ(m["ttyhub_port_delivery_latency_seconds_bucket{port=\"p0\",worker=\"0\",le=\"+Inf\"}"],
            m["ttyhub_port_delivery_latency_seconds_count" + p0]);
  EXPECT_GE(m["ttyhub_worker_inbox_messages_total{worker=\"0\"}"], 1);
  EXPECT_EQ(m["ttyhub_port_device_up{port=\"quiet\",worker=\"1\"}"], 1);
}

TEST_F(AdminApiTest, JsonApiListsShowsKicksAndChangesSettingsLive) {
  StartDaemon();
  auto rw = TcpClient::Connect(rw_port_, Deadline::Seconds(10));
  auto ro = TcpClient::Connect(ro_port_, Deadline::Seconds(10));
  ASSERT_NE(rw, nullptr);
  ASSERT_NE(ro, nullptr);
  ASSERT_TRUE(daemon_.WaitForLog("(ro) connected", Deadline::Seconds(10)));

  const nlohmann::json all = GetJson("/api/v1/ports");
  ASSERT_EQ(all["ports"].size(), 2u);
  EXPECT_EQ(all["ports"][0]["name"], "p0");
  EXPECT_EQ(all["ports"][0]["clients_rw"], 1);
  EXPECT_EQ(all["ports"][0]["clients_ro"], 1);
  EXPECT_TRUE(all["ports"][0]["uart"].is_null());
  EXPECT_EQ(all["workers"].size(), 2u);

  // The client list names each peer by the address the client really has.
  sockaddr_in me{};
  socklen_t len = sizeof(me);
  getsockname(ro->fd(), reinterpret_cast<sockaddr*>(&me), &len);
  const std::string ro_peer = absl::StrCat("127.0.0.1:", ntohs(me.sin_port));
  const nlohmann::json p0 = GetJson("/api/v1/ports/p0");
  ASSERT_EQ(p0["clients"].size(), 2u);
  uint64_t ro_id = 0;
  for (const auto& c : p0["clients"]) {
    if (c["peer"] == ro_peer) {
      EXPECT_EQ(c["access"], "ro");
      ro_id = c["id"];
    }
  }
  ASSERT_NE(ro_id, 0u) << p0.dump(2);

  // Kick the viewer: it sees the connection end; the rw client does not.
  std::string body;
  EXPECT_EQ(Curl("POST", absl::StrCat("/api/v1/ports/p0/clients/", ro_id, "/disconnect"), &body),
            200)
      << body;
  std::string rest;
  EXPECT_TRUE(ro->ReadUntilClosed(&rest, Deadline::Seconds(10)));

  // Change settings live: the tty really changes, the rw client stays.
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"serial": "19200o72"})"), 200)
      << body;
  EXPECT_EQ(nlohmann::json::parse(body)["serial"], "19200O72");
  const int slave = open(pty_.slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(slave, 0);
  termios t{};
  ASSERT_EQ(tcgetattr(slave, &t), 0);
  close(slave);
  EXPECT_EQ(cfgetospeed(&t), static_cast<speed_t>(B19200));
  EXPECT_NE(t.c_cflag & CSTOPB, 0u);
  ASSERT_TRUE(pty_.WriteAll("still here", Deadline::Seconds(5)));
  std::string got;
  ASSERT_TRUE(rw->ReadUntil(&got, "still here", Deadline::Seconds(10)));
  EXPECT_EQ(GetJson("/api/v1/ports/p0")["serial"], "19200O72");
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"flow": "rtscts"})"), 200);
  EXPECT_EQ(nlohmann::json::parse(body)["flow"], "rtscts");
  EXPECT_EQ(nlohmann::json::parse(body)["serial"], "19200O72");
}

TEST_F(AdminApiTest, BadRequestsGetClearJsonErrors) {
  StartDaemon();
  std::string body;
  EXPECT_EQ(Curl("GET", "/api/v1/ports/nope", &body), 404);
  EXPECT_EQ(nlohmann::json::parse(body)["error"], "no port named 'nope'");
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/clients/42/disconnect", &body), 404);
  EXPECT_EQ(nlohmann::json::parse(body)["error"], "port p0 has no client 42");
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/clients/x/disconnect", &body), 400);
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"serial": "9600x81"})"), 400);
  EXPECT_EQ(nlohmann::json::parse(body)["error"],
            "serial: unknown parity 'x' in '9600x81' (use n, e, o, m or s)");
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"baud": 9600})"), 400);
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, "{not json"), 400);
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, std::string(100000, 'x')), 413);
  EXPECT_EQ(Curl("DELETE", "/metrics", &body), 405);
  EXPECT_EQ(Curl("GET", "/api/v1/ports/p0/serial", &body), 405);
  EXPECT_EQ(Curl("GET", "/../../etc/passwd", &body), 404);
  EXPECT_EQ(Curl("GET", "/api/v1/ports/%2e%2e", &body), 404);
  // Still healthy after all that.
  EXPECT_EQ(Curl("GET", "/healthz", &body), 200);
  EXPECT_EQ(nlohmann::json::parse(body)["status"], "ok");
}

TEST_F(AdminApiTest, TokenGuardsMutatingEndpoints) {
  const std::string token = "0123456789abcdef-secret";
  StartDaemon(absl::StrCat(", token: \"", token, "\""));
  std::string body;
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"serial": "9600n81"})"), 401);
  EXPECT_EQ(nlohmann::json::parse(body)["error"], "missing or wrong bearer token");
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"serial": "9600n81"})",
                 "wrong-token-wrong-token"),
            401);
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, R"({"serial": "9600n81"})", token), 200)
      << body;
  EXPECT_EQ(Curl("GET", "/api/v1/ports", &body), 200);  // reading needs no token
}

TEST_F(AdminApiTest, TokenRequiredForReadsGuardsEverythingButHealthz) {
  const std::string token = "0123456789abcdef-secret";
  StartDaemon(absl::StrCat(", token: \"", token, "\", token_required_for_reads: true"));
  std::string body;
  EXPECT_EQ(Curl("GET", "/metrics", &body), 401);
  EXPECT_EQ(Curl("GET", "/api/v1/ports", &body), 401);
  EXPECT_EQ(Curl("GET", "/api/v1/ports/p0", &body), 401);
  EXPECT_EQ(Curl("GET", "/metrics", &body, "", token), 200);
  EXPECT_EQ(Curl("GET", "/api/v1/ports/p0", &body, "", token), 200);
  EXPECT_EQ(Curl("GET", "/healthz", &body), 200);
}

// Issue 9 item 12, the demo's repro: with no token, a text/plain POST with a
// foreign Origin and Host (what a web page, or a DNS-rebound name, makes a
// browser send) changed a port's serial settings.
TEST_F(AdminApiTest, CrossSiteRequestsChangeNothing) {
  StartDaemon();
  std::string body;
  const std::string form = R"({"serial": "4800n81"})";
  const std::vector<std::string> browser = {
      "Content-Type: text/plain", "Origin: http://attacker.example",
      "Host: attacker.example:" + std::to_string(admin_port_)};
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, form, "", browser), 403) << body;
  // Each guard on its own.
  EXPECT_EQ(
      Curl("POST", "/api/v1/ports/p0/serial", &body, form, "", {"Origin: http://attacker.example"}),
      403)
      << body;
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, form, "", {"Content-Type: text/plain"}),
            415)
      << body;
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, form, "",
                 {"Host: rebound.example:" + std::to_string(admin_port_)}),
            403)
      << body;
  EXPECT_EQ(Curl("GET", "/api/v1/ports/p0", &body, "", "",
                 {"Host: rebound.example:" + std::to_string(admin_port_)}),
            403)
      << body;
  EXPECT_EQ(GetJson("/api/v1/ports/p0")["serial"], "115200N81");
  // The admin's own origin is fine.
  EXPECT_EQ(Curl("POST", "/api/v1/ports/p0/serial", &body, form, "",
                 {"Origin: http://127.0.0.1:" + std::to_string(admin_port_)}),
            200)
      << body;
  EXPECT_EQ(GetJson("/api/v1/ports/p0")["serial"], "4800N81");
}

}  // namespace
}  // namespace ttyhub::testing
