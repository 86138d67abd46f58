// AdminServer::Handle without sockets: the Host, cross-site, content-type and
// token checks, and routing, against a real engine with one sim:echo port.
#include "engine/admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "engine/engine.h"
#include "engine/logger.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/engine/loopback.h"
#include "tests/engine/recording_tty_control.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "0123456789abcdef-secret";

class AdminServerTest : public ::testing::Test {
 protected:
  // Starts the engine; `admin` is the body of the admin: mapping.
  void Start(const std::string& admin) {
    auto config =
        LoadConfigText(absl::StrCat("workers: 1\nadmin: {", admin,
                                    "}\nports:\n  - {name: p0, device: sim:echo, serial: 9600n81, "
                                    "listen: [{port: \"127.0.0.1:",
                                    FreeLoopbackPort(), "\"}]}\n"),
                       "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *std::move(config);
    engine_ = std::make_unique<Engine>(config_, log_, tty_);
    ASSERT_TRUE(engine_->Start().ok());
    server_ = std::make_unique<AdminServer>(config_.admin, *engine_, log_, "test");
  }
  void TearDown() override {
    server_.reset();
    if (engine_) engine_->Stop(std::chrono::seconds(1));
  }

  static AdminRequest Get(const std::string& url, const std::string& host = "127.0.0.1:8420") {
    AdminRequest r;
    r.method = "GET";
    r.url = url;
    r.host = host;
    return r;
  }
  // The POST the demo's attacker needed: a serial change, from curl-like tools.
  static AdminRequest SetSerial(const std::string& serial) {
    AdminRequest r;
    r.method = "POST";
    r.url = "/api/v1/ports/p0/serial";
    r.host = "127.0.0.1:8420";
    r.content_type = "application/json";
    r.body = absl::StrCat("{\"serial\": \"", serial, "\"}");
    return r;
  }
  std::string LiveSerial() {
    auto snap = engine_->SnapshotPort("p0", std::chrono::seconds(5));
    return snap.ok() ? FormatSerialSettings(snap->serial) : std::string(snap.status().message());
  }
  static std::string ErrorOf(const AdminResponse& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r.body;
  }

  Logger log_{LogLevel::kError};
  RecordingTtyControl tty_;
  Config config_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, RoutesAndRefusesWrongMethods) {
  Start("listen: 8420");
  EXPECT_EQ(server_->Handle(Get("/metrics")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/healthz")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/api/v1/ports")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/api/v1/ports/p0")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/api/v1/ports/nope")).status, 404);
  EXPECT_EQ(server_->Handle(Get("/api/v1/ports/..")).status, 404);
  EXPECT_EQ(server_->Handle(Get("/nothing")).status, 404);
  const AdminResponse r = server_->Handle(Get("/api/v1/ports/p0/serial"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
  AdminRequest del = Get("/metrics");
  del.method = "DELETE";
  EXPECT_EQ(server_->Handle(del).allow, "GET");
}

// Issue 9 item 12: the Host header must name this server, so that a page
// whose DNS name was rebound to 127.0.0.1 cannot talk to it.
TEST_F(AdminServerTest, HostMustNameThisServer) {
  Start("listen: 8420, allowed_hosts: [console1.example.com]");
  for (const char* host :
       {"127.0.0.1:8420", "127.0.0.1", "localhost:8420", "LOCALHOST", "[::1]:8420",
        "127.0.0.2:8420", "console1.example.com:8420", "Console1.Example.COM.", ""}) {
    EXPECT_EQ(server_->Handle(Get("/metrics", host)).status, 200) << host;
  }
  const AdminResponse rebound = server_->Handle(Get("/metrics", "attacker.example:8420"));
  EXPECT_EQ(rebound.status, 403);
  EXPECT_EQ(ErrorOf(rebound),
            "Host 'attacker.example:8420' is not a name of this admin API; if it is, add it to "
            "admin.allowed_hosts in the configuration");
  // An address that is not ours (we listen on loopback only).
  EXPECT_EQ(server_->Handle(Get("/metrics", "10.1.2.3:8420")).status, 403);
  EXPECT_EQ(server_->Handle(Get("/metrics", "console1.example.com.evil")).status, 403);
  for (const char* bad : {"a:b:c", "[::1", "[nonsense]:1", "host:99999", "host:"}) {
    EXPECT_EQ(server_->Handle(Get("/metrics", bad)).status, 400) << bad;
  }
  // Reads and writes alike.
  AdminRequest post = SetSerial("4800n81");
  post.host = "attacker.example";
  EXPECT_EQ(server_->Handle(post).status, 403);
  EXPECT_EQ(LiveSerial(), "9600N81");
}

TEST_F(AdminServerTest, OnAWildcardAddressAnyAddressLiteralIsOurs) {
  Start(absl::StrCat("listen: \"0.0.0.0:8420\", token: ", kToken));
  EXPECT_EQ(server_->Handle(Get("/metrics", "10.1.2.3:8420")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/metrics", "[fe80::1]:8420")).status, 200);
  EXPECT_EQ(server_->Handle(Get("/metrics", "rebound.example:8420")).status, 403);
}

// Issue 9 item 12: with no token (as in the demo), a text/plain POST with a
// foreign Origin changed a port's serial settings.
TEST_F(AdminServerTest, CrossSitePostsAreRefused) {
  Start("listen: 8420");
  AdminRequest form = SetSerial("4800n81");
  form.content_type = "text/plain";
  form.origin = "http://attacker.example";
  EXPECT_EQ(server_->Handle(form).status, 403);

  AdminRequest foreign = SetSerial("4800n81");
  foreign.origin = "http://attacker.example";
  AdminResponse r = server_->Handle(foreign);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorOf(r),
            "cross-origin request refused: Origin 'http://attacker.example' is not this admin "
            "API's own (http://127.0.0.1:8420)");
  foreign.origin = "null";  // sandboxed frames, file: pages
  EXPECT_EQ(server_->Handle(foreign).status, 403);
  foreign.origin = "http://127.0.0.1:9999";  // another port is another origin
  EXPECT_EQ(server_->Handle(foreign).status, 403);

  AdminRequest marked = SetSerial("4800n81");
  marked.sec_fetch_site = "cross-site";
  EXPECT_EQ(server_->Handle(marked).status, 403);
  marked.sec_fetch_site = "same-site";
  EXPECT_EQ(server_->Handle(marked).status, 403);

  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx"}) {
    AdminRequest simple = SetSerial("4800n81");
    simple.content_type = type;
    r = server_->Handle(simple);
    EXPECT_EQ(r.status, 415) << type;
  }
  EXPECT_EQ(ErrorOf(r),
            "POST bodies must be sent as Content-Type: application/json, got "
            "'application/jsonx'");
  AdminRequest kick = SetSerial("");
  kick.url = "/api/v1/ports/p0/clients/1/disconnect";
  kick.body.clear();
  kick.content_type = "text/plain";
  EXPECT_EQ(server_->Handle(kick).status, 415);
  EXPECT_EQ(LiveSerial(), "9600N81");  // nothing got through

  // What tools send (no Origin), and what the admin's own page would send.
  EXPECT_EQ(server_->Handle(SetSerial("4800n81")).status, 200);
  EXPECT_EQ(LiveSerial(), "4800N81");
  AdminRequest own = SetSerial("2400n81");
  own.origin = "http://127.0.0.1:8420";
  own.sec_fetch_site = "same-origin";
  own.content_type = "Application/JSON; charset=utf-8";
  r = server_->Handle(own);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(LiveSerial(), "2400N81");
}

TEST_F(AdminServerTest, TokenGuardsPostsAndOptionallyReads) {
  Start(absl::StrCat("listen: 8420, token: ", kToken));
  EXPECT_EQ(server_->Handle(SetSerial("4800n81")).status, 401);
  AdminRequest authorized = SetSerial("4800n81");
  authorized.authorization = absl::StrCat("Bearer ", kToken);
  EXPECT_EQ(server_->Handle(authorized).status, 200);
  EXPECT_EQ(server_->Handle(Get("/metrics")).status, 200);  // reads are open by default
  // The cross-site checks come first: a token does not make a cross-site POST fine.
  authorized.origin = "http://attacker.example";
  EXPECT_EQ(server_->Handle(authorized).status, 403);
}

TEST_F(AdminServerTest, TokenRequiredForReads) {
  Start(absl::StrCat("listen: 8420, token: ", kToken, ", token_required_for_reads: true"));
  for (const char* url : {"/metrics", "/api/v1/ports", "/api/v1/ports/p0"}) {
    const AdminResponse r = server_->Handle(Get(url));
    EXPECT_EQ(r.status, 401) << url;
    EXPECT_EQ(ErrorOf(r), "missing or wrong bearer token");
    AdminRequest with_token = Get(url);
    with_token.authorization = absl::StrCat("Bearer ", kToken);
    EXPECT_EQ(server_->Handle(with_token).status, 200) << url;
    with_token.authorization = "Bearer 0123456789abcdef-secreT";
    EXPECT_EQ(server_->Handle(with_token).status, 401) << url;
  }
  // Liveness probes carry no secrets and need none.
  EXPECT_EQ(server_->Handle(Get("/healthz")).status, 200);
}

// The console log endpoints (issue 10): routed, behind the same token rules
// as the other reads and posts. p0 does not log, so its log is a 409.
TEST_F(AdminServerTest, LogEndpointsAreRoutedAndGuarded) {
  Start(absl::StrCat("listen: 8420, token: ", kToken, ", token_required_for_reads: true"));
  const std::string bearer = absl::StrCat("Bearer ", kToken);
  AdminRequest log = Get("/api/v1/ports/p0/log");
  EXPECT_EQ(server_->Handle(log).status, 401);
  log.authorization = bearer;
  const AdminResponse no_log = server_->Handle(log);
  EXPECT_EQ(no_log.status, 409);
  EXPECT_THAT(ErrorOf(no_log), HasSubstr("port p0 does not log its console"));
  AdminRequest grep = Get("/api/v1/grep");
  grep.authorization = bearer;
  grep.query = {{"re", "x"}};
  const AdminResponse searched = server_->Handle(grep);
  EXPECT_EQ(searched.status, 200);
  EXPECT_EQ(searched.content_type, "application/x-ndjson");
  ASSERT_NE(searched.stream, nullptr);
  grep.query = {{"re", "("}};
  EXPECT_EQ(server_->Handle(grep).status, 400);

  AdminRequest reopen;
  reopen.method = "POST";
  reopen.url = "/api/v1/logs/reopen";
  reopen.host = "127.0.0.1:8420";
  EXPECT_EQ(server_->Handle(reopen).status, 415);  // not application/json
  reopen.content_type = "application/json";
  EXPECT_EQ(server_->Handle(reopen).status, 401);
  reopen.authorization = bearer;
  reopen.origin = "http://attacker.example";
  EXPECT_EQ(server_->Handle(reopen).status, 403);
  reopen.origin = "";
  const AdminResponse reopened = server_->Handle(reopen);
  EXPECT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(nlohmann::json::parse(reopened.body)["reopened"], 0);
  AdminRequest get_reopen = Get("/api/v1/logs/reopen");
  get_reopen.authorization = bearer;
  EXPECT_EQ(server_->Handle(get_reopen).allow, "POST");
}

// An error that echoes request data which is not UTF-8 is still JSON (the
// library would throw on it, which aborted the daemon before this was fixed).
TEST_F(AdminServerTest, ErrorsEchoingInvalidUtf8AreValidJson) {
  Start("listen: 8420");
  const AdminResponse r = server_->Handle(Get("/\xff\xfe/x"));
  EXPECT_EQ(r.status, 404);
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["error"], "no such endpoint: /\xef\xbf\xbd\xef\xbf\xbd/x");
}

}  // namespace
}  // namespace ttyhub
