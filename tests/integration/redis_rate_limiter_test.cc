// RateLimiter against the real test Redis.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/redis/rate_limiter.h"
#include "common/redis/redis_pool.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_redis.h"

namespace crm::redis {
namespace {

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    limiter_ = std::make_unique<RateLimiter>(pool_.get());
  }

  RateLimitDecision MustAllow(const std::string& key, int64_t limit,
                              absl::Duration window) {
    absl::StatusOr<RateLimitDecision> d = limiter_->Allow(key, limit, window);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : RateLimitDecision{};
  }

  crm::testing::TestRedisPool pool_{"redis_rl"};
  std::unique_ptr<RateLimiter> limiter_;
};

TEST_F(RedisRateLimiterTest, AllowsLimitThenDenies) {
  const absl::Duration window = absl::Seconds(30);
  for (int i = 1; i <= 3; ++i) {
    const RateLimitDecision d = MustAllow("login:u1", 3, window);
    EXPECT_TRUE(d.allowed) << "hit " << i;
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_EQ(d.retry_after, absl::ZeroDuration());
  }
  for (int i = 0; i < 2; ++i) {
    const RateLimitDecision d = MustAllow("login:u1", 3, window);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.remaining, 0);
    EXPECT_GT(d.retry_after, absl::ZeroDuration());
    EXPECT_LE(d.retry_after, window);
  }
  // Another subject has its own budget.
  EXPECT_TRUE(MustAllow("login:u2", 3, window).allowed);
}

TEST_F(RedisRateLimiterTest, ResetsAfterTheWindow) {
  const absl::Duration window = absl::Milliseconds(200);
  EXPECT_TRUE(MustAllow("import:u1", 1, window).allowed);
  const RateLimitDecision denied = MustAllow("import:u1", 1, window);
  ASSERT_FALSE(denied.allowed);
  EXPECT_LE(denied.retry_after, window);
  absl::SleepFor(denied.retry_after + absl::Milliseconds(50));
  const RateLimitDecision again = MustAllow("import:u1", 1, window);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
}

TEST_F(RedisRateLimiterTest, CounterAlwaysHasATtl) {
  MustAllow("ttl:u1", 5, absl::Seconds(10));
  MustAllow("ttl:u1", 5, absl::Seconds(10));
  absl::StatusOr<Reply> pttl = pool_->Command({"PTTL", pool_->Key("ttl:u1")});
  ASSERT_TRUE(pttl.ok());
  EXPECT_GT(pttl->integer, 0);
  EXPECT_LE(pttl->integer, 10000);

  // A counter left without a ttl (by hand, an old version...) heals.
  ASSERT_TRUE(pool_->Command({"SET", pool_->Key("ttl:u2"), "100"}).ok());
  const RateLimitDecision d = MustAllow("ttl:u2", 5, absl::Seconds(10));
  EXPECT_FALSE(d.allowed);
  EXPECT_GT(d.retry_after, absl::ZeroDuration());
  pttl = pool_->Command({"PTTL", pool_->Key("ttl:u2")});
  ASSERT_TRUE(pttl.ok());
  EXPECT_GT(pttl->integer, 0);
}

TEST_F(RedisRateLimiterTest, RejectsBadArguments) {
  EXPECT_EQ(limiter_->Allow("k", 0, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limiter_->Allow("k", 1, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::redis
