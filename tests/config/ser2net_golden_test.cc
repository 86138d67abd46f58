// Real ser2net configurations, converted: the seed article's ser2net.conf,
// Debian's /etc/ser2net.yaml as the package installs it, and the examples of
// ser2net's man pages, in tests/config/testdata/ser2net/. Each input either
// converts to its reviewed NAME.expected.yaml (with the notices in
// NAME.expected-notices.txt) or fails with exactly NAME.expected-errors.txt.
// The converted YAML must load to the same configuration ttyhub runs when it
// is pointed at the ser2net file itself (the round trip).
//
// To rewrite the expected files after a deliberate change, run this test with
// TTYHUB_UPDATE_GOLDEN=1, then review the diff line by line.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "config/config_format.h"
#include "config/config_loader.h"
#include "config/converted_config.h"
#include "config/ser2net_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

const std::string kDir = std::string(TTYHUB_SOURCE_DIR) + "/tests/config/testdata/ser2net";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

bool Updating() { return std::getenv("TTYHUB_UPDATE_GOLDEN") != nullptr; }

// Compares `got` with the expected file, or rewrites it when updating.
void ExpectFile(const std::string& path, const std::string& got) {
  if (Updating()) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(Exists(path)) << path << " is missing; run with TTYHUB_UPDATE_GOLDEN=1";
  EXPECT_EQ(got, ReadFile(path)) << "differs from " << path;
}

// Everything but where things were read from.
void ExpectSameConfig(Config a, Config b) {
  for (Config* c : {&a, &b}) {
    c->source.clear();
    c->admin.where.clear();
    for (PortConfig& p : c->ports) {
      p.where.clear();
      for (ListenerConfig& l : p.listeners) l.where.clear();
    }
  }
  EXPECT_EQ(a.workers, b.workers);
  EXPECT_EQ(a.shutdown_timeout, b.shutdown_timeout);
  EXPECT_EQ(a.log_level, b.log_level);
  EXPECT_EQ(a.lock_dir, b.lock_dir);
  EXPECT_TRUE(a.admin == b.admin);
  ASSERT_EQ(a.ports.size(), b.ports.size());
  for (size_t i = 0; i < a.ports.size(); ++i) {
    EXPECT_TRUE(a.ports[i] == b.ports[i]) << "port " << i << ": " << a.ports[i].name;
  }
}

std::vector<std::string> Inputs() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".expected") == std::string::npos) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Ser2netGoldenTest, TheRealFilesAreAllThere) {
  const std::vector<std::string> names = Inputs();
  for (const char* wanted :
       {"seed-article.conf", "seed-article-all-ports.conf", "debian-ser2net.yaml",
        "debian-ser2net-supported.yaml", "ser2net.yaml.5-connections.yaml",
        "ser2net.yaml.5-options.yaml", "ser2net.yaml.5-unsupported.yaml", "ser2net.8-v3.conf",
        "ser2net.8-v3-unsupported.conf"}) {
    EXPECT_THAT(names, ::testing::Contains(wanted));
  }
}

TEST(Ser2netGoldenTest, DebiansFileIsTheOneThePackageInstalls) {
  // The copy must stay byte for byte what Debian 12's ser2net 4.3.11-1 ships.
  const std::string copy = ReadFile(kDir + "/debian-ser2net.yaml");
  EXPECT_THAT(copy, ::testing::StartsWith("%YAML 1.1\n---\n# This is a ser2net configuration"));
  EXPECT_EQ(std::count(copy.begin(), copy.end(), '\n'), 58);
  if (Exists("/etc/ser2net.yaml") &&
      ReadFile("/etc/ser2net.yaml").find("con0096") != std::string::npos) {
    EXPECT_EQ(copy, ReadFile("/etc/ser2net.yaml"));
  }
}

// Bad input never crashes: every real file, cut short, with bytes changed or
// lines repeated at random (seeded, so a failure repeats), read as either
// format, converts, or fails with errors.
TEST(Ser2netGoldenTest, MangledFilesFailCleanly) {
  std::mt19937 rng(20261201);
  constexpr char kNasty[] = ":,\\*(){}[]&#'\"\n\r\t\0 =;!%-9xA";
  int converted = 0, refused = 0;
  for (const std::string& name : Inputs()) {
    const std::string text = ReadFile(kDir + "/" + name);
    for (int i = 0; i < 200; ++i) {
      std::string m = text;
      const size_t at = m.empty() ? 0 : rng() % m.size();
      switch (rng() % 4) {
        case 0:
          m.resize(at);
          break;
        case 1:
          for (int k = 0; k < 1 + static_cast<int>(rng() % 6) && !m.empty(); ++k) {
            m[rng() % m.size()] = kNasty[rng() % (sizeof(kNasty) - 1)];
          }
          break;
        case 2: {
          const size_t end = m.find('\n', at);
          m.insert(at, m.substr(at, end == std::string::npos ? std::string::npos : end - at + 1));
          break;
        }
        default:
          m.erase(at, rng() % 64);
      }
      for (const ConfigFormat f : {ConfigFormat::kSer2netConf, ConfigFormat::kSer2netYaml}) {
        const absl::StatusOr<ConvertedConfig> c = ConvertSer2netConfig(m, name, f);
        if (!c.ok()) {
          EXPECT_FALSE(c.status().message().empty());
          ++refused;
          continue;
        }
        ++converted;
        (void)RenderConvertedConfig(*c);
        const absl::StatusOr<Config> loaded = LoadConvertedConfig(*c);
        if (!loaded.ok()) {
          EXPECT_FALSE(loaded.status().message().empty());
        }
      }
    }
  }
  // Both outcomes happen, so both paths were exercised.
  EXPECT_GT(converted, 100);
  EXPECT_GT(refused, 100);
}

class Ser2netGoldenFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Ser2netGoldenFileTest, ConvertsToTheReviewedFile) {
  const std::string name = GetParam();
  const std::string path = kDir + "/" + name;
  const std::string text = ReadFile(path);
  const ConfigFormat format = DetectConfigFormat(text);
  ASSERT_NE(format, ConfigFormat::kTtyhub) << name << " is not detected as a ser2net file";
  EXPECT_EQ(format, name.find(".conf") != std::string::npos ? ConfigFormat::kSer2netConf
                                                            : ConfigFormat::kSer2netYaml);

  const std::string errors_file = kDir + "/" + name + ".expected-errors.txt";
  const absl::StatusOr<ConvertedConfig> converted = ConvertSer2netConfig(text, name, format);
  if (Exists(errors_file)) {
    ASSERT_FALSE(converted.ok()) << name << " converted, but should fail as " << errors_file
                                 << " says";
    ExpectFile(errors_file, std::string(converted.status().message()) + "\n");
    return;
  }
  ASSERT_TRUE(converted.ok()) << converted.status();
  const RenderedConfig rendered = RenderConvertedConfig(*converted);
  ExpectFile(kDir + "/" + name + ".expected.yaml", rendered.text);
  std::string notices = absl::StrJoin(converted->notices, "\n");
  if (!notices.empty()) notices += "\n";
  ExpectFile(kDir + "/" + name + ".expected-notices.txt", notices);

  // The round trip: the printed YAML, loaded as a ttyhub file, is what ttyhub
  // runs from the ser2net file.
  const absl::StatusOr<Config> from_yaml = LoadConfigText(rendered.text, "converted.yaml");
  ASSERT_TRUE(from_yaml.ok()) << from_yaml.status();
  std::vector<std::string> load_notices;
  const absl::StatusOr<Config> from_ser2net = LoadConfigFile(path, &load_notices);
  ASSERT_TRUE(from_ser2net.ok()) << from_ser2net.status();
  ExpectSameConfig(*from_yaml, *from_ser2net);
  EXPECT_EQ(from_ser2net->source, path);
  // What LoadConfigFile reports is what convert reports (with the path as named).
  ASSERT_EQ(load_notices.size(), converted->notices.size());
}

// Test names from file names: "seed-article.conf" -> "seed_article_conf".
std::string TestName(const ::testing::TestParamInfo<std::string>& param) {
  std::string n = param.param;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(RealFiles, Ser2netGoldenFileTest, ::testing::ValuesIn(Inputs()), TestName);

}  // namespace
}  // namespace ttyhub
