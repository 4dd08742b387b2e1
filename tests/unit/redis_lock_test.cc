// Pure parts of the Redis lock: token generation and the Lua script text.
#include <set>
#include <string>

#include "absl/time/time.h"
#include "common/redis/lock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crm::redis {
namespace {

using ::testing::HasSubstr;

TEST(LockTokenTest, Is32LowercaseHexDigits) {
  absl::StatusOr<std::string> token = NewLockToken();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->size(), 32u);
  EXPECT_THAT(*token, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_TRUE(IsLockToken(*token));
}

TEST(LockTokenTest, TokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    absl::StatusOr<std::string> token = NewLockToken();
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_TRUE(seen.insert(*token).second) << "repeated token " << *token;
  }
}

TEST(LockTokenTest, EveryHexDigitShowsUp) {
  // A generator stuck on a few values (e.g. formatting only the low bits)
  // would miss some digits over 100 tokens of 32 digits each.
  std::set<char> digits;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> token = NewLockToken();
    ASSERT_TRUE(token.ok());
    digits.insert(token->begin(), token->end());
  }
  EXPECT_EQ(digits.size(), 16u);
}

TEST(LockTokenTest, IsLockTokenRejectsOtherShapes) {
  EXPECT_FALSE(IsLockToken(""));
  EXPECT_FALSE(IsLockToken(std::string(31, 'a')));
  EXPECT_FALSE(IsLockToken(std::string(33, 'a')));
  EXPECT_FALSE(IsLockToken(std::string(32, 'A')));  // uppercase
  EXPECT_FALSE(IsLockToken(std::string(31, 'a') + "g"));
  EXPECT_FALSE(IsLockToken(std::string(31, 'a') + " "));
  EXPECT_TRUE(IsLockToken(std::string(32, '0')));
}

TEST(LockTtlTest, WholeMillisecondsAtLeastOne) {
  EXPECT_EQ(*TtlMillis(absl::Seconds(3)), 3000);
  EXPECT_EQ(*TtlMillis(absl::Milliseconds(1)), 1);
  EXPECT_EQ(*TtlMillis(absl::Microseconds(1500)), 1);
  EXPECT_EQ(TtlMillis(absl::Microseconds(999)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TtlMillis(absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TtlMillis(absl::Seconds(-1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LockScriptTest, ReleaseComparesTokenBeforeDelete) {
  EXPECT_EQ(kReleaseScript,
            "if redis.call('get',KEYS[1])==ARGV[1] then "
            "return redis.call('del',KEYS[1]) else return 0 end");
}

TEST(LockScriptTest, ExtendComparesTokenBeforePexpire) {
  EXPECT_THAT(std::string(kExtendScript),
              HasSubstr("redis.call('get',KEYS[1])==ARGV[1]"));
  EXPECT_THAT(std::string(kExtendScript),
              HasSubstr("redis.call('pexpire',KEYS[1],ARGV[2])"));
  EXPECT_THAT(std::string(kExtendScript), HasSubstr("else return 0"));
}

}  // namespace
}  // namespace crm::redis
