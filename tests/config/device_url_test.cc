// Network device URLs: what is accepted, how it is normalized, and the exact
// errors for what is not.
#include "config/device_url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

std::string Error(absl::string_view text) {
  auto url = ParseDeviceUrl(text);
  EXPECT_FALSE(url.ok()) << text;
  return std::string(url.status().message());
}

TEST(DeviceUrlTest, SchemesHostsAndPorts) {
  auto tcp = ParseDeviceUrl("tcp://127.0.0.1:7001");
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  EXPECT_EQ(tcp->protocol, Protocol::kRaw);
  EXPECT_EQ(tcp->host, "127.0.0.1");
  EXPECT_EQ(tcp->port, 7001);

  auto telnet = ParseDeviceUrl("Telnet://[::1]:23");
  ASSERT_TRUE(telnet.ok()) << telnet.status();
  EXPECT_EQ(telnet->protocol, Protocol::kTelnet);
  EXPECT_EQ(telnet->host, "::1");
  EXPECT_EQ(FormatHostPort(telnet->host, telnet->port), "[::1]:23");

  auto rfc = ParseDeviceUrl("rfc2217://LOCALHOST:65535");
  ASSERT_TRUE(rfc.ok()) << rfc.status();
  EXPECT_EQ(rfc->protocol, Protocol::kRfc2217);
  EXPECT_EQ(rfc->host, "127.0.0.1");
  EXPECT_EQ(rfc->port, 65535);
}

TEST(DeviceUrlTest, WhatLooksLikeAUrl) {
  EXPECT_TRUE(LooksLikeDeviceUrl("tcp://x"));
  EXPECT_TRUE(LooksLikeDeviceUrl("ssh://x"));
  EXPECT_FALSE(LooksLikeDeviceUrl("/dev/ttyUSB0"));
  EXPECT_FALSE(LooksLikeDeviceUrl("pty:/run/x"));
  EXPECT_FALSE(LooksLikeDeviceUrl("://x"));
  EXPECT_FALSE(LooksLikeDeviceUrl("/weird/path://x"));
}

TEST(DeviceUrlTest, ErrorsSayWhatToWrite) {
  EXPECT_EQ(Error("ssh://127.0.0.1:22"),
            "unknown scheme 'ssh' in 'ssh://127.0.0.1:22' (use tcp://, telnet:// or rfc2217://)");
  EXPECT_EQ(Error("tcp://127.0.0.1"), "'tcp://127.0.0.1' needs a port, like tcp://127.0.0.1:7001");
  EXPECT_EQ(Error("tcp://127.0.0.1:"),
            "'tcp://127.0.0.1:' needs a port, like tcp://127.0.0.1:7001");
  EXPECT_EQ(Error("tcp://127.0.0.1:0"),
            "'tcp://127.0.0.1:0': port '0' is not a number from 1 to "
            "65535");
  EXPECT_EQ(Error("tcp://127.0.0.1:65536"),
            "'tcp://127.0.0.1:65536': port '65536' is not a number from 1 to 65535");
  EXPECT_EQ(Error("tcp://127.0.0.1:+80"),
            "'tcp://127.0.0.1:+80': port '+80' is not a number from 1 to 65535");
  EXPECT_EQ(Error("tcp://:7001"), "'tcp://:7001' has no host, like tcp://127.0.0.1:7001");
  EXPECT_THAT(Error("tcp://console.example:7001"),
              HasSubstr("host 'console.example' is not a numeric IPv4 address"));
  EXPECT_THAT(Error("tcp://256.1.1.1:7001"), HasSubstr("host '256.1.1.1' is not a numeric"));
  EXPECT_EQ(Error("tcp://::1:7001"),
            "'tcp://::1:7001': write an IPv6 address in brackets, like tcp://[::1]:7001");
  EXPECT_EQ(Error("tcp://[::1]"),
            "'tcp://[::1]' needs a port after the address, like tcp://[::1]:7001");
  EXPECT_EQ(Error("tcp://[::zz]:1"), "'tcp://[::zz]:1': '::zz' is not an IPv6 address");
  EXPECT_EQ(Error("tcp://[::1:1"), "'tcp://[::1:1': '[' without ']' around the IPv6 address");
  EXPECT_EQ(Error("tcp://127.0.0.1:7001/x"),
            "'tcp://127.0.0.1:7001/x' has more than HOST:PORT after the scheme (write it like "
            "tcp://127.0.0.1:7001)");
  EXPECT_THAT(Error("telnet://user@127.0.0.1:23"), HasSubstr("more than HOST:PORT"));
}

}  // namespace
}  // namespace ttyhub
