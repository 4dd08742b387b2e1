// SortedSet helpers against the real test Redis, as a leaderboard.
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/redis/redis_pool.h"
#include "common/redis/sorted_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_redis.h"

namespace crm::redis {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RedisSortedSetTest : public ::testing::Test {
 protected:
  void SetUp() override { zset_ = std::make_unique<SortedSet>(pool_.get()); }

  crm::testing::TestRedisPool pool_{"redis_zset"};
  std::unique_ptr<SortedSet> zset_;
};

TEST_F(RedisSortedSetTest, RanksByDescendingScore) {
  const std::string board = "rank:2026-11:signed";
  EXPECT_TRUE(*zset_->ZAdd(board, "alice", 300));
  EXPECT_TRUE(*zset_->ZAdd(board, "bob", 500));
  EXPECT_TRUE(*zset_->ZAdd(board, "carol", 100));
  EXPECT_TRUE(*zset_->ZAdd(board, "dave", 300));    // tie with alice
  EXPECT_FALSE(*zset_->ZAdd(board, "carol", 150));  // update, not new

  absl::StatusOr<std::vector<ScoredMember>> all =
      zset_->ZRevRangeWithScores(board, 0, -1);
  ASSERT_TRUE(all.ok()) << all.status();
  // Ties are ordered by member, descending, as Redis does.
  EXPECT_THAT(
      *all,
      ElementsAre(ScoredMember{"bob", 500}, ScoredMember{"dave", 300},
                  ScoredMember{"alice", 300}, ScoredMember{"carol", 150}));
  EXPECT_THAT(*zset_->ZRevRangeWithScores(board, 0, 1),
              ElementsAre(ScoredMember{"bob", 500}, ScoredMember{"dave", 300}));
  EXPECT_THAT(*zset_->ZRevRangeWithScores(board, -1, -1),
              ElementsAre(ScoredMember{"carol", 150}));
  EXPECT_THAT(*zset_->ZRevRangeWithScores(board, 10, 20), IsEmpty());

  EXPECT_EQ(*zset_->ZRevRank(board, "bob"), 0);
  EXPECT_EQ(*zset_->ZRevRank(board, "carol"), 3);
  EXPECT_EQ(*zset_->ZRevRank(board, "nobody"), std::nullopt);
  EXPECT_EQ(*zset_->ZCard(board), 4);
}

TEST_F(RedisSortedSetTest, IncrementsAndScores) {
  const std::string board = "rank:today";
  EXPECT_EQ(*zset_->ZScore(board, "alice"), std::nullopt);
  EXPECT_EQ(*zset_->ZIncrBy(board, "alice", 2.5), 2.5);
  EXPECT_EQ(*zset_->ZIncrBy(board, "alice", 0.25), 2.75);
  EXPECT_EQ(*zset_->ZIncrBy(board, "alice", -1), 1.75);
  EXPECT_EQ(*zset_->ZScore(board, "alice"), 1.75);
  // Money in minor units stays exact well beyond 32 bits.
  EXPECT_EQ(*zset_->ZIncrBy(board, "bob", 123456789012345.0),
            123456789012345.0);
  EXPECT_EQ(*zset_->ZScore(board, "bob"), 123456789012345.0);
  EXPECT_EQ(*zset_->ZIncrBy(board, "carol", 0.1), 0.1);
}

TEST_F(RedisSortedSetTest, RemoveAndDelete) {
  const std::string board = "rank:tmp";
  ASSERT_TRUE(zset_->ZAdd(board, "a", 1).ok());
  ASSERT_TRUE(zset_->ZAdd(board, "b", 2).ok());
  EXPECT_TRUE(*zset_->ZRem(board, "a"));
  EXPECT_FALSE(*zset_->ZRem(board, "a"));
  EXPECT_EQ(*zset_->ZCard(board), 1);
  EXPECT_TRUE(*zset_->Delete(board));
  EXPECT_FALSE(*zset_->Delete(board));
  EXPECT_EQ(*zset_->ZCard(board), 0);
  EXPECT_THAT(*zset_->ZRevRangeWithScores(board, 0, -1), IsEmpty());
}

TEST_F(RedisSortedSetTest, KeysCarryThePrefix) {
  ASSERT_TRUE(zset_->ZAdd("rank:p", "a", 1).ok());
  absl::StatusOr<Reply> type = pool_->Command({"TYPE", pool_->Key("rank:p")});
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->str, "zset");
}

TEST_F(RedisSortedSetTest, BadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(zset_->ZAdd("rank:bad", "a", nan).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zset_->ZIncrBy("rank:bad", "a", nan).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A key of another type is a Redis error, not a crash or a bogus score.
  ASSERT_TRUE(pool_->Command({"SET", pool_->Key("str"), "x"}).ok());
  absl::StatusOr<bool> added = zset_->ZAdd("str", "a", 1);
  EXPECT_TRUE(IsRedisError(added.status(), "WRONGTYPE")) << added.status();
}

TEST_F(RedisSortedSetTest, InfinityIsAValidScore) {
  const double inf = std::numeric_limits<double>::infinity();
  ASSERT_TRUE(zset_->ZAdd("rank:inf", "top", inf).ok());
  ASSERT_TRUE(zset_->ZAdd("rank:inf", "bottom", -inf).ok());
  EXPECT_THAT(
      *zset_->ZRevRangeWithScores("rank:inf", 0, -1),
      ElementsAre(ScoredMember{"top", inf}, ScoredMember{"bottom", -inf}));
}

}  // namespace
}  // namespace crm::redis
