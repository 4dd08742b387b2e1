// Reading RedisOptions from flags and environment, and validating them.
#include "common/redis/redis_options.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crm::redis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ConfigReader Reader(std::vector<std::string> flags,
                    std::map<std::string, std::string> env = {}) {
  return ConfigReader(
      std::move(flags),
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
}

TEST(RedisOptionsTest, Defaults) {
  ConfigReader reader = Reader({});
  const RedisOptions o = RedisOptions::Read(reader);
  ASSERT_TRUE(reader.Finish().ok()) << reader.Finish();
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.password, "");
  EXPECT_EQ(o.db, 0);
  EXPECT_EQ(o.pool_size, 8);
  EXPECT_EQ(o.connect_timeout, absl::Seconds(2));
  EXPECT_EQ(o.command_timeout, absl::Seconds(2));
  EXPECT_EQ(o.key_prefix, "crm:");
  EXPECT_TRUE(o.Validate().ok());
}

TEST(RedisOptionsTest, FlagsAndEnvironment) {
  ConfigReader reader = Reader(
      {"--redis_host=redis.internal", "--redis_port=6380", "--redis_db=3",
       "--redis_pool_size=16", "--redis_command_timeout=250ms"},
      {{"CRM_REDIS_PASSWORD", "s3cret"},
       {"CRM_REDIS_CONNECT_TIMEOUT", "5s"},
       {"CRM_REDIS_KEY_PREFIX", "test:"}});
  const RedisOptions o = RedisOptions::Read(reader);
  ASSERT_TRUE(reader.Finish().ok()) << reader.Finish();
  EXPECT_EQ(o.host, "redis.internal");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.password, "s3cret");
  EXPECT_EQ(o.db, 3);
  EXPECT_EQ(o.pool_size, 16);
  EXPECT_EQ(o.connect_timeout, absl::Seconds(5));
  EXPECT_EQ(o.command_timeout, absl::Milliseconds(250));
  EXPECT_EQ(o.key_prefix, "test:");
}

TEST(RedisOptionsTest, PasswordIsMaskedInDescribe) {
  ConfigReader reader = Reader({"--redis_password=s3cret"});
  RedisOptions::Read(reader);
  EXPECT_THAT(reader.Describe(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(reader.Describe(), HasSubstr("redis_password=***"));
}

TEST(RedisOptionsTest, BadValuesAreAllReported) {
  ConfigReader reader =
      Reader({"--redis_port=not-a-port", "--redis_pool_size=0", "--redis_db=-1",
              "--redis_connect_timeout=soon"},
             {{"CRM_REDIS_COMMAND_TIMEOUT", "-1s"}});
  RedisOptions::Read(reader);
  const absl::Status status = reader.Finish();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("redis_port"));
  EXPECT_THAT(status.message(), HasSubstr("redis_pool_size"));
  EXPECT_THAT(status.message(), HasSubstr("redis_db"));
  EXPECT_THAT(status.message(), HasSubstr("redis_connect_timeout"));
  EXPECT_THAT(status.message(), HasSubstr("redis_command_timeout"));
}

TEST(RedisOptionsTest, PortOutOfRange) {
  ConfigReader reader = Reader({"--redis_port=70000"});
  RedisOptions::Read(reader);
  EXPECT_THAT(reader.Finish().message(), HasSubstr("redis_port"));
}

TEST(RedisOptionsTest, ValidateRejectsWhatTheReaderCannot) {
  RedisOptions o;
  o.connect_timeout = absl::ZeroDuration();
  EXPECT_THAT(o.Validate().message(), HasSubstr("redis_connect_timeout"));

  o = RedisOptions();
  o.command_timeout = absl::Microseconds(10);
  EXPECT_THAT(o.Validate().message(), HasSubstr("redis_command_timeout"));

  o = RedisOptions();
  o.host = "";
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);

  o = RedisOptions();
  o.pool_size = 0;
  EXPECT_THAT(o.Validate().message(), HasSubstr("redis_pool_size"));

  o = RedisOptions();
  o.port = 0;
  EXPECT_THAT(o.Validate().message(), HasSubstr("redis_port"));
}

}  // namespace
}  // namespace crm::redis
