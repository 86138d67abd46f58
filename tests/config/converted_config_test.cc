// A converted configuration: printed as native YAML, loaded through the native
// loader, with the loader's positions turned into source lines.
#include "config/converted_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

TEST(YamlScalarTest, PlainWhenItReadsBackTheSame) {
  for (const char* plain :
       {"9600n81", "/dev/ttyS0", "127.0.0.1:2000", "ttyS0", "600s", "raw",
        "/dev/serial/by-path/pci-0000:00:1d.0-usb-0:1.2:1.0-port0", "con-1.b"}) {
    EXPECT_EQ(YamlScalar(plain), plain);
  }
}

TEST(YamlScalarTest, QuotedOtherwise) {
  EXPECT_EQ(YamlScalar(""), "''");
  EXPECT_EQ(YamlScalar("on"), "'on'");  // YAML 1.1's boolean
  EXPECT_EQ(YamlScalar("No"), "'No'");
  EXPECT_EQ(YamlScalar("[::1]:2000"), "'[::1]:2000'");
  EXPECT_EQ(YamlScalar("a b"), "'a b'");
  EXPECT_EQ(YamlScalar("it's"), "'it''s'");
  EXPECT_EQ(YamlScalar(".hidden"), "'.hidden'");
  EXPECT_EQ(YamlScalar("x:"), "'x:'");
  EXPECT_EQ(YamlScalar("a,b"), "'a,b'");  // a comma ends a value in a flow mapping
  EXPECT_EQ(YamlScalar("#x"), "'#x'");
  EXPECT_EQ(YamlScalar("\\r\\n"), "'\\r\\n'");
}

ConvertedConfig TwoPorts(uint16_t first_tcp, uint16_t second_tcp) {
  ConvertedConfig c;
  c.source = "src.conf";
  c.format = "test";
  for (int i = 0; i < 2; ++i) {
    ConvertedPort p;
    p.line = 10 + 2 * i;
    p.comment = "a port";
    p.keys = {{"name", i == 0 ? "a" : "b", 0, ""}, {"device", i == 0 ? "/dev/a" : "/dev/b", 0, ""}};
    ConvertedListener l;
    l.line = p.line;
    l.keys = {{"port", std::to_string(i == 0 ? first_tcp : second_tcp), 0, "the port"}};
    p.listeners.push_back(l);
    c.ports.push_back(p);
  }
  return c;
}

TEST(ConvertedConfigTest, LoaderErrorsNameSourceLines) {
  const absl::StatusOr<Config> c = LoadConvertedConfig(TwoPorts(2000, 2000));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "src.conf:12: ports[1].listen[0].port: TCP port 2000 is already used by src.conf:10: "
            "ports[0].listen[0]");
}

TEST(ConvertedConfigTest, LoadedWhereAndSourceNameSourceLines) {
  const absl::StatusOr<Config> c = LoadConvertedConfig(TwoPorts(2000, 2001));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->source, "src.conf");
  ASSERT_EQ(c->ports.size(), 2u);
  EXPECT_EQ(c->ports[1].where, "src.conf:12: ports[1]");
  EXPECT_EQ(c->ports[1].listeners[0].where, "src.conf:12: ports[1].listen[0]");
  EXPECT_EQ(c->ports[1].listeners[0].port, 2001);
}

TEST(ConvertedConfigTest, RenderedTextAndItsLineMap) {
  ConvertedConfig c = TwoPorts(2000, 2001);
  c.ports[0].keys.push_back({"serial", "9600e81", 4, "DEFAULT:speed:9600\x01 EVEN"});
  c.ports[0].keys.push_back({"local", "false", 0, "false"});  // repeats the value: no comment
  const RenderedConfig r = RenderConvertedConfig(c);
  EXPECT_THAT(r.text, HasSubstr("\n  # a port\n  - name: a\n    device: /dev/a\n"
                                "    serial: 9600e81  # DEFAULT:speed:9600? EVEN\n"
                                "    local: false\n    listen:\n"
                                "      - port: 2000  # the port\n"));
  ASSERT_EQ(r.source_lines.size(),
            static_cast<size_t>(std::count(r.text.begin(), r.text.end(), '\n')));
  // The serial line came from line 4, the port's other lines from line 10.
  size_t serial_line = 0;
  for (size_t i = 0, line = 1; i < r.text.size(); ++i) {
    if (r.text.compare(i, 11, "    serial:") == 0) serial_line = line;
    if (r.text[i] == '\n') ++line;
  }
  ASSERT_GT(serial_line, 0u);
  EXPECT_EQ(r.source_lines[serial_line - 1], 4);
  EXPECT_EQ(r.source_lines[serial_line], 10);
}

}  // namespace
}  // namespace ttyhub
