// Telling ttyhub's YAML, ser2net.yaml and ser2net.conf apart by content.
#include "config/config_format.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(ConfigFormatTest, Ser2netConfByItsFirstLine) {
  EXPECT_EQ(DetectConfigFormat("1001:raw:600:/dev/ttyS0:9600 EVEN\n"), ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("#\n# comment\n\n   # indented comment\n"
                               "BANNER:banner1:Welcome \\p\\r\\n\n"),
            ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("CONTROLPORT:2000\n"), ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("DEFAULT:speed:115200\r\n"), ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("localhost,2000:telnet:0:/dev/ttyS0:\n"),
            ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("ipv6,::1,2000:raw:0:/dev/ttyS0:\n"), ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("3004:off:0:/dev/ttyS3:\n"), ConfigFormat::kSer2netConf);
  // A port line with a mistyped state is still one (its error then says so).
  EXPECT_EQ(DetectConfigFormat("2000:rwa:0:/dev/ttyS0:\n"), ConfigFormat::kSer2netConf);
  EXPECT_EQ(DetectConfigFormat("\xEF\xBB\xBF"
                               "1001:raw:600:/dev/ttyS0:\n"),
            ConfigFormat::kSer2netConf);
}

TEST(ConfigFormatTest, Ser2netYamlByItsTopLevelKeys) {
  EXPECT_EQ(DetectConfigFormat("%YAML 1.1\n---\ndefine: &b x\nconnection: &c\n  accepter: tcp,1\n"),
            ConfigFormat::kSer2netYaml);
  EXPECT_EQ(DetectConfigFormat("# no %YAML line\nconnection: &con1\n  accepter: tcp,2000\n"),
            ConfigFormat::kSer2netYaml);
  EXPECT_EQ(DetectConfigFormat("Connection: &con1\n"), ConfigFormat::kSer2netYaml);  // any case
  EXPECT_EQ(DetectConfigFormat("default:\r\n  name: speed\r\n"), ConfigFormat::kSer2netYaml);
  EXPECT_EQ(DetectConfigFormat("led: &l\n"), ConfigFormat::kSer2netYaml);
  // A first line with ":raw:" after a blank is YAML, not a port line.
  EXPECT_EQ(DetectConfigFormat("define: &b 'x:raw:y'\nconnection: &c\n"),
            ConfigFormat::kSer2netYaml);
}

TEST(ConfigFormatTest, EverythingElseIsTtyhubYaml) {
  EXPECT_EQ(DetectConfigFormat("ports:\n  - name: p\n"), ConfigFormat::kTtyhub);
  EXPECT_EQ(DetectConfigFormat("%YAML 1.2\n---\nworkers: 2\nports: []\n"), ConfigFormat::kTtyhub);
  EXPECT_EQ(DetectConfigFormat(""), ConfigFormat::kTtyhub);
  EXPECT_EQ(DetectConfigFormat("# only comments\n\n"), ConfigFormat::kTtyhub);
  EXPECT_EQ(DetectConfigFormat("admin: {listen: 8420}\n"), ConfigFormat::kTtyhub);
  // ttyhub's own keys win: its loader then names the stray ser2net key.
  EXPECT_EQ(DetectConfigFormat("connection: &c\nports:\n"), ConfigFormat::kTtyhub);
  // Nested keys are not top-level keys.
  EXPECT_EQ(DetectConfigFormat("ports:\n  - name: p\n    connection: x\n"), ConfigFormat::kTtyhub);
}

TEST(ConfigFormatTest, Names) {
  EXPECT_EQ(ConfigFormatName(ConfigFormat::kSer2netConf), "ser2net 3 ser2net.conf");
  EXPECT_EQ(ConfigFormatName(ConfigFormat::kSer2netYaml), "ser2net 4 ser2net.yaml");
  EXPECT_EQ(ConfigFormatName(ConfigFormat::kTtyhub), "ttyhub YAML");
}

}  // namespace
}  // namespace ttyhub
