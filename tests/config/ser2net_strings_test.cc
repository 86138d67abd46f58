// ser2net banners and trace file names translated into ttyhub templates. The
// banner tests expand the translation with ttyhub's own ExpandBanner and
// compare the bytes with what ser2net sends (ser2net 4.3.11's output was
// checked by hand for the ser2net.yaml cases: \p "tcp,127.0.0.1,47611", \d
// "serialdev, /dev/pts/14, 9600n81,local", \B ",9600N81,CLOCAL", \s "s",
// \z "z", \101 "A").
#include "config/ser2net_strings.h"

#include "config/banner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

Ser2netStringContext ConfContext() {
  Ser2netStringContext ctx;
  ctx.dialect = Ser2netDialect::kConf;
  ctx.port_name = "ttyS0";
  ctx.connection_name = "ttyS0";
  ctx.accepter_text = "2000";
  ctx.accepter_is_bare_port = true;
  ctx.serial_text = "9600N81";
  return ctx;
}

Ser2netStringContext YamlContext() {
  Ser2netStringContext ctx;
  ctx.dialect = Ser2netDialect::kYaml;
  ctx.port_name = "con1";
  ctx.connection_name = "con1";
  ctx.accepter_text = "tcp,localhost,2000";
  ctx.connector_text = "serialdev, /dev/ttyS0, 9600n81,local";
  ctx.serial_text = "9600N81";
  ctx.serial_flags = ",CLOCAL";
  return ctx;
}

// What a client of listener port 2000 on /dev/ttyS0 at 9600N81 receives.
std::string Sent(const std::string& ser2net, const Ser2netStringContext& ctx) {
  const absl::StatusOr<std::string> tmpl = TranslateSer2netBanner(ser2net, ctx);
  EXPECT_TRUE(tmpl.ok()) << tmpl.status();
  if (!tmpl.ok()) return "";
  EXPECT_TRUE(ValidateBanner(*tmpl).ok()) << *tmpl;
  BannerContext b;
  b.port_name = ctx.port_name;
  b.device = "/dev/ttyS0";
  b.tcp_port = 2000;
  b.serial = "9600N81";
  return *ExpandBanner(*tmpl, b);
}

TEST(Ser2netBannerTest, Ser2net3Escapes) {
  const Ser2netStringContext ctx = ConfContext();
  EXPECT_EQ(*TranslateSer2netBanner("port \\p device \\d \\s\\r\\n", ctx),
            "port \\p device \\d \\s\\r\\n");
  EXPECT_EQ(Sent("port \\p device \\d \\s \\B\\r\\n", ctx),
            "port 2000 device /dev/ttyS0 9600N81 9600N81\r\n");
  // C escapes; \? \' \" are the characters; an unknown escape is its letter.
  EXPECT_EQ(Sent("\\a\\b\\f\\t\\v\\\\\\?\\'\\\"\\z\\N", ctx), "\a\b\f\t\v\\?'\"zN");
  // A line feed is sent alone, as ser2net sends it (ttyhub would add a CR to a bare one).
  EXPECT_EQ(Sent("one\\ntwo\nthree", ctx), "one\ntwo\nthree");
  // Octal needs three digits and hex two, or what came so far is dropped,
  // as ser2net's own expansion drops it (the rest is read as text).
  EXPECT_EQ(Sent("\\101\\033[0m\\7x\\12y", ctx), "A\x1b[0mxy");
  EXPECT_EQ(Sent("\\x41\\x4g\\xqz", ctx), "Agqz");
  EXPECT_EQ(Sent("end\\x4", ctx), "end\x04");
  EXPECT_EQ(Sent("end\\", ctx), "end");  // a trailing backslash is dropped
  EXPECT_EQ(Sent("\\xff\\x80", ctx), "\xff\x80");
}

TEST(Ser2netBannerTest, Ser2net3PortSpecAndDeviceAlias) {
  Ser2netStringContext ctx = ConfContext();
  ctx.accepter_text = "127.0.0.1,2000";
  ctx.accepter_is_bare_port = false;
  ctx.device_alias = "console1";
  EXPECT_EQ(Sent("\\p on \\o (\\d)", ctx), "127.0.0.1,2000 on console1 (/dev/ttyS0)");
  ctx.device_alias.clear();
  EXPECT_EQ(Sent("\\o", ctx), "/dev/ttyS0");
}

TEST(Ser2netBannerTest, Ser2net4Escapes) {
  const Ser2netStringContext ctx = YamlContext();
  EXPECT_EQ(Sent("\\r\\nser2net port \\p device \\d [\\B] (Debian GNU/Linux)\\r\\n\\r\\n", ctx),
            "\r\nser2net port tcp,localhost,2000 device serialdev, /dev/ttyS0, 9600n81,local "
            "[,9600N81,CLOCAL] (Debian GNU/Linux)\r\n\r\n");
  EXPECT_EQ(Sent("\\N \\o \\s", ctx), "con1 con1 s");
  Ser2netStringContext renamed = ctx;
  renamed.connection_name = "con 1";
  EXPECT_EQ(Sent("\\N", renamed), "con 1");
  Ser2netStringContext echo = ctx;
  echo.echo = true;
  echo.connector_text = "echo";
  EXPECT_EQ(Sent("[\\d][\\B]", echo), "[echo][]");
}

TEST(Ser2netBannerTest, WhatTtyhubBannersCannotShowIsAnError) {
  for (const char* escape : {"\\Y", "\\H", "\\e", "\\U", "\\q"}) {
    const absl::StatusOr<std::string> t = TranslateSer2netBanner(escape, ConfContext());
    ASSERT_FALSE(t.ok()) << escape;
    EXPECT_THAT(t.status().message(), HasSubstr("is not supported yet in ttyhub banners"));
  }
  EXPECT_FALSE(TranslateSer2netBanner("\\T", YamlContext()).ok());
  EXPECT_EQ(*TranslateSer2netBanner("\\T", ConfContext()), "T");  // not an escape in ser2net 3
  EXPECT_EQ(TranslateSer2netBanner("from \\I", ConfContext()).status().message(),
            "\\I (the client's address) is not supported yet in ttyhub banners");
}

TEST(Ser2netFilenameTest, TheSeedsTracefiles) {
  Ser2netStringContext ctx = ConfContext();
  ctx.accepter_text = "2007";
  EXPECT_EQ(*TranslateSer2netFilename("/tmp/tw-\\p-\\Y-\\M-\\D-\\H:\\i:\\s.\\U", ctx),
            "/tmp/tw-2007-\\Y-\\M-\\D-\\H:\\i:\\s.\\U");
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/\\d-\\o.log", ctx), "/var/log/\\d-\\d.log");
  ctx.device_alias = "by-name/console1";
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/\\o", ctx), "/var/log/console1");
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/50%-\\N", ctx), "/var/log/50%%-N");
}

TEST(Ser2netFilenameTest, Ser2net4Escapes) {
  const Ser2netStringContext ctx = YamlContext();
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/trace-\\N-\\o-\\T-\\s", ctx),
            "/var/log/trace-%n-%n-\\H:\\i:\\S-s");
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/\\d", ctx), "/var/log/ttyS0, 9600n81,local");
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/\\p", ctx), "/var/log/tcp,localhost,2000");
  EXPECT_EQ(*TranslateSer2netFilename("/var/log/\\B", ctx), "/var/log/,9600N81,CLOCAL");
}

TEST(Ser2netFilenameTest, Errors) {
  const Ser2netStringContext ctx = ConfContext();
  EXPECT_EQ(TranslateSer2netFilename("trace", ctx).status().message(),
            "as a ttyhub log path 'trace': must be an absolute path such as "
            "/var/log/ttyhub/%n.log, got 'trace'");
  EXPECT_EQ(TranslateSer2netFilename("/tmp/a\\nb", ctx).status().message(),
            "a file name cannot hold the control character 0x0a");
  EXPECT_THAT(TranslateSer2netFilename("/tmp/\\I", ctx).status().message(),
              HasSubstr("has no meaning for a console log"));
  EXPECT_THAT(TranslateSer2netFilename("/tmp/../etc/x", ctx).status().message(), HasSubstr("'..'"));
}

}  // namespace
}  // namespace ttyhub
