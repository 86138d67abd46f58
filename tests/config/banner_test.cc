#include "config/banner.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(BannerTest, ExpandsEveryEscape) {
  BannerContext ctx{"p0", "/dev/ttyUSB0", 20000, "9600N81"};
  auto out = ExpandBanner(R"(\N on \d at \p: \s/\B\r\n\t\\\x41\e)", ctx);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "p0 on /dev/ttyUSB0 at 20000: 9600N81/9600N81\r\n\t\\A\x1b");
}

TEST(BannerTest, BareLineFeedsBecomeCrLf) {
  auto out = ExpandBanner("line one\nline two\r\nend\n", BannerContext{});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "line one\r\nline two\r\nend\r\n");
}

TEST(BannerTest, RejectsBadEscapes) {
  EXPECT_EQ(ValidateBanner(R"(hello \q)").message(),
            "unknown banner escape '\\q' (known: \\r \\n \\t \\a \\b \\f \\v \\e \\\\ \\xHH \\N "
            "\\d \\p \\B \\s)");
  EXPECT_EQ(ValidateBanner("trailing \\").message(),
            "banner ends with a lone backslash (use \\\\)");
  EXPECT_FALSE(ValidateBanner(R"(\x4)").ok());
  EXPECT_FALSE(ValidateBanner(R"(\xZZ)").ok());
  EXPECT_TRUE(ValidateBanner("plain").ok());
}

}  // namespace
}  // namespace ttyhub
