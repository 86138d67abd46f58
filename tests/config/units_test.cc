#include "config/units.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(UnitsTest, ByteSizes) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("256KiB"), 256u * 1024);
  EXPECT_EQ(*ParseByteSize("1 MiB"), 1024u * 1024);
  EXPECT_EQ(*ParseByteSize("2m"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseByteSize("1GiB"), 1024ull * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("12XB").status().message(),
            "unknown size unit 'XB' in '12XB' (use B, KiB, MiB or GiB)");
  EXPECT_FALSE(ParseByteSize("KiB").ok());
  EXPECT_FALSE(ParseByteSize("-1").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
  EXPECT_FALSE(ParseByteSize("18014398509481984GiB").ok());  // overflows 64 bits
}

TEST(UnitsTest, Durations) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("600"), milliseconds(600'000));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30'000));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("10m"), milliseconds(600'000));
  EXPECT_EQ(*ParseDuration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(ParseDuration("5 days").status().message(),
            "unknown duration unit 'days' in '5 days' (use ms, s, m or h)");
  EXPECT_FALSE(ParseDuration("100000000h").ok());
}

TEST(UnitsTest, Microseconds) {
  using std::chrono::microseconds;
  EXPECT_EQ(*ParseMicroseconds("100us"), microseconds(100));
  EXPECT_EQ(*ParseMicroseconds("100\u00b5s"), microseconds(100));
  EXPECT_EQ(*ParseMicroseconds("2ms"), microseconds(2000));
  EXPECT_EQ(*ParseMicroseconds(" 1 s "), microseconds(1'000'000));
  EXPECT_EQ(ParseMicroseconds("100").status().message(),
            "'100' needs a unit: us, ms or s (for example 100us)");
  EXPECT_EQ(ParseMicroseconds("3ns").status().message(),
            "unknown duration unit 'ns' in '3ns' (use us, ms or s)");
  EXPECT_FALSE(ParseMicroseconds("us").ok());
  EXPECT_FALSE(ParseMicroseconds("99999999999s").ok());
}

}  // namespace
}  // namespace ttyhub
