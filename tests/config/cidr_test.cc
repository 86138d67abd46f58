// Networks for allow:/deny: parsing, and matching IPv4, IPv6 and
// IPv4-mapped peers.
#include "config/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

sockaddr_storage V4(const char* ip) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, ip, &in->sin_addr);
  return ss;
}
sockaddr_storage V6(const char* ip) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  inet_pton(AF_INET6, ip, &in6->sin6_addr);
  return ss;
}
bool In(const char* net, const sockaddr_storage& peer) {
  auto n = ParseCidr(net);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() && CidrContains(*n, reinterpret_cast<const sockaddr*>(&peer));
}

TEST(CidrTest, MatchesIpv4Ipv6AndMappedPeers) {
  EXPECT_TRUE(In("10.0.0.0/8", V4("10.200.3.4")));
  EXPECT_FALSE(In("10.0.0.0/8", V4("11.0.0.1")));
  EXPECT_TRUE(In("192.0.2.7", V4("192.0.2.7")));
  EXPECT_FALSE(In("192.0.2.7", V4("192.0.2.8")));
  EXPECT_TRUE(In("192.168.16.0/20", V4("192.168.31.255")));
  EXPECT_FALSE(In("192.168.16.0/20", V4("192.168.32.0")));
  EXPECT_TRUE(In("0.0.0.0/0", V4("203.0.113.9")));
  EXPECT_TRUE(In("2001:db8::/32", V6("2001:db8:1::5")));
  EXPECT_FALSE(In("2001:db8::/32", V6("2001:db9::5")));
  EXPECT_TRUE(In("::1", V6("::1")));
  // An IPv4 client of an IPv6 socket: ::ffff:10.1.2.3 is 10.1.2.3.
  EXPECT_TRUE(In("10.0.0.0/8", V6("::ffff:10.1.2.3")));
  EXPECT_FALSE(In("::/0", V6("::ffff:10.1.2.3"))) << "a mapped peer is an IPv4 peer";
  EXPECT_FALSE(In("10.0.0.0/8", V6("2001:db8::1")));
}

TEST(CidrTest, RejectsWhatIsNotANetwork) {
  EXPECT_FALSE(ParseCidr("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseCidr("::/129").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/-1").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/8x").ok());
  EXPECT_FALSE(ParseCidr("example.com").ok());
  EXPECT_FALSE(ParseCidr("").ok());
  const auto host_bits = ParseCidr("10.1.2.3/8");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_NE(host_bits.status().message().find("host bits"), absl::string_view::npos);
  EXPECT_EQ(ParseCidr("2001:db8::/32")->prefix, 32);
  EXPECT_EQ(ParseCidr("192.0.2.7")->prefix, 32);
}

}  // namespace
}  // namespace ttyhub
