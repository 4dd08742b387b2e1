#include "common/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crm {
namespace {

using ::testing::HasSubstr;

ConfigReader Reader(std::vector<std::string> args,
                    std::map<std::string, std::string> env = {}) {
  return ConfigReader(
      std::move(args),
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
}

TEST(ConfigTest, FlagWinsOverEnvAndEnvOverDefault) {
  ConfigReader c = Reader({"--db_host=flaghost"}, {{"CRM_DB_HOST", "envhost"},
                                                   {"CRM_DB_PORT", "3307"}});
  EXPECT_EQ(c.String("db_host", "default"), "flaghost");
  EXPECT_EQ(c.Int("db_port", 3306, 1, 65535), 3307);
  EXPECT_EQ(c.String("db_name", "fallback"), "fallback");
  EXPECT_TRUE(c.Finish().ok());
}

TEST(ConfigTest, ReportsEveryProblemAtOnce) {
  ConfigReader c = Reader({"--db_port=abc", "--pool=0", "--typo_flag=1"},
                          {{"CRM_TTL", "soon"}});
  c.Int("db_port", 3306, 1, 65535);
  c.Int("pool", 8, 1, 64);
  c.Duration("ttl", absl::Minutes(1));
  c.RequiredString("token_key");
  absl::Status s = c.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("db_port: not an integer"));
  EXPECT_THAT(s.message(), HasSubstr("pool: 0 is outside [1, 64]"));
  EXPECT_THAT(s.message(), HasSubstr("ttl: not a duration"));
  EXPECT_THAT(s.message(), HasSubstr("token_key: required"));
  EXPECT_THAT(s.message(), HasSubstr("--typo_flag: unknown flag"));
}

TEST(ConfigTest, BoolsDurationsAndPositionals) {
  ConfigReader c =
      Reader({"seed", "--verbose", "--grace=30s", "--enabled=false"});
  EXPECT_TRUE(c.Bool("verbose", false));
  EXPECT_FALSE(c.Bool("enabled", true));
  EXPECT_EQ(c.Duration("grace", absl::Seconds(1)), absl::Seconds(30));
  EXPECT_EQ(c.positional(), std::vector<std::string>{"seed"});
  EXPECT_TRUE(c.Finish().ok());
}

TEST(ConfigTest, SecretsAreMaskedInDescribe) {
  ConfigReader c = Reader({"--db_password=hunter2", "--db_user=crm"});
  c.Secret("db_password", "");
  c.String("db_user", "");
  EXPECT_THAT(c.Describe(), HasSubstr("db_password=***"));
  EXPECT_THAT(c.Describe(), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(c.Describe(), HasSubstr("db_user=crm"));
}

TEST(ConfigTest, NegativeDurationRejected) {
  ConfigReader c = Reader({"--grace=-5s"});
  c.Duration("grace", absl::Seconds(1));
  EXPECT_THAT(c.Finish().message(), HasSubstr("grace: must not be negative"));
}

TEST(ConfigTest, EnvNameIsUpperCasedWithPrefix) {
  EXPECT_EQ(ConfigReader::EnvName("db_host"), "CRM_DB_HOST");
}

}  // namespace
}  // namespace crm

namespace crm {
namespace {

TEST(ConfigOneOfTest, AcceptsAllowedValuesAndNamesTheChoicesOtherwise) {
  ConfigReader ok(std::vector<std::string>{"--mode=manager"},
                  [](const std::string&) { return std::nullopt; });
  EXPECT_EQ(ok.OneOf("mode", "pool", {"pool", "manager"}), "manager");
  EXPECT_TRUE(ok.Finish().ok());
  ConfigReader bad(std::vector<std::string>{"--mode=boss"},
                   [](const std::string&) { return std::nullopt; });
  bad.OneOf("mode", "pool", {"pool", "manager"});
  absl::Status s = bad.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("mode: must be one of pool, manager"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace crm
