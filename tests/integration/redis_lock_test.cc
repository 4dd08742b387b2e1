// DistributedLock against the real test Redis: mutual exclusion under
// contention, ownership checks on release/extend, and expiry.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/redis/lock.h"
#include "common/redis/redis_pool.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_redis.h"

namespace crm::redis {
namespace {

class RedisLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lock_ = std::make_unique<DistributedLock>(pool_.get());
  }

  // The raw value of a lock key, bypassing the lock API.
  std::optional<std::string> Get(const std::string& full_key) {
    absl::StatusOr<Reply> r = pool_->Command({"GET", full_key});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && !r->is_nil() ? std::optional(r->str) : std::nullopt;
  }

  std::optional<LockHandle> MustTry(const std::string& key,
                                    absl::Duration ttl) {
    absl::StatusOr<std::optional<LockHandle>> h = lock_->TryAcquire(key, ttl);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? std::move(*h) : std::nullopt;
  }

  crm::testing::TestRedisPool pool_{"redis_lock"};
  std::unique_ptr<DistributedLock> lock_;
};

TEST_F(RedisLockTest, SecondTryFailsWhileHeldAndSucceedsAfterRelease) {
  std::optional<LockHandle> first = MustTry("job", absl::Seconds(10));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(IsLockToken(first->token()));
  EXPECT_EQ(first->key(), pool_->Key("job"));
  EXPECT_EQ(Get(first->key()), first->token());

  EXPECT_FALSE(MustTry("job", absl::Seconds(10)).has_value());

  absl::StatusOr<bool> released = first->Release();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_TRUE(*released);
  EXPECT_FALSE(first->held());
  EXPECT_EQ(Get(pool_->Key("job")), std::nullopt);
  EXPECT_TRUE(MustTry("job", absl::Seconds(10)).has_value());
}

TEST_F(RedisLockTest, DestructorReleases) {
  {
    std::optional<LockHandle> h = MustTry("scoped", absl::Seconds(10));
    ASSERT_TRUE(h.has_value());
  }
  EXPECT_EQ(Get(pool_->Key("scoped")), std::nullopt);
}

TEST_F(RedisLockTest, MovedFromHandleDoesNotRelease) {
  std::optional<LockHandle> h = MustTry("moved", absl::Seconds(10));
  ASSERT_TRUE(h.has_value());
  const std::string token = h->token();
  std::optional<LockHandle> other;
  {
    LockHandle moved = std::move(*h);
    h.reset();  // destroying the moved-from handle must not release
    EXPECT_EQ(Get(pool_->Key("moved")), token);
    other.emplace(std::move(moved));
  }
  EXPECT_EQ(Get(pool_->Key("moved")), token);
  EXPECT_TRUE(other->held());
  other.reset();
  EXPECT_EQ(Get(pool_->Key("moved")), std::nullopt);
}

TEST_F(RedisLockTest, MoveAssignmentReleasesTheOverwrittenLock) {
  std::optional<LockHandle> a = MustTry("a", absl::Seconds(10));
  std::optional<LockHandle> b = MustTry("b", absl::Seconds(10));
  ASSERT_TRUE(a.has_value() && b.has_value());
  *a = std::move(*b);
  EXPECT_EQ(Get(pool_->Key("a")), std::nullopt);
  EXPECT_EQ(a->key(), pool_->Key("b"));
  EXPECT_TRUE(Get(pool_->Key("b")).has_value());
}

TEST_F(RedisLockTest, ExpiresAtItsTtl) {
  std::optional<LockHandle> h = MustTry("short", absl::Milliseconds(100));
  ASSERT_TRUE(h.has_value());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(Get(pool_->Key("short")), std::nullopt);
  std::optional<LockHandle> next = MustTry("short", absl::Seconds(10));
  EXPECT_TRUE(next.has_value());
}

TEST_F(RedisLockTest, ExpiredHolderCannotReleaseOrExtendTheNextHolders) {
  std::optional<LockHandle> old = MustTry("k", absl::Milliseconds(100));
  ASSERT_TRUE(old.has_value());
  absl::SleepFor(absl::Milliseconds(300));
  std::optional<LockHandle> current = MustTry("k", absl::Seconds(10));
  ASSERT_TRUE(current.has_value());

  absl::StatusOr<bool> extended = old->Extend(absl::Seconds(60));
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_FALSE(*extended);

  absl::StatusOr<bool> released = old->Release();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_FALSE(*released);
  EXPECT_EQ(Get(pool_->Key("k")), current->token());

  // The current holder's ttl was not touched by the old holder's Extend.
  absl::StatusOr<Reply> pttl = pool_->Command({"PTTL", pool_->Key("k")});
  ASSERT_TRUE(pttl.ok());
  EXPECT_LE(pttl->integer, 10000);
  EXPECT_GT(pttl->integer, 0);
}

TEST_F(RedisLockTest, ExtendProlongsOnlyTheOwnersLock) {
  std::optional<LockHandle> h = MustTry("ext", absl::Milliseconds(200));
  ASSERT_TRUE(h.has_value());
  absl::StatusOr<bool> extended = h->Extend(absl::Seconds(30));
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_TRUE(*extended);
  absl::SleepFor(absl::Milliseconds(400));  // past the original ttl
  EXPECT_EQ(Get(pool_->Key("ext")), h->token());
  absl::StatusOr<Reply> pttl = pool_->Command({"PTTL", pool_->Key("ext")});
  ASSERT_TRUE(pttl.ok());
  EXPECT_GT(pttl->integer, 20000);

  EXPECT_EQ(h->Extend(absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(h->Release().ok());
  EXPECT_EQ(h->Extend(absl::Seconds(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(h->Release().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RedisLockTest, AcquireWaitsForRelease) {
  std::optional<LockHandle> h = MustTry("wait", absl::Seconds(10));
  ASSERT_TRUE(h.has_value());
  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(100));
    h.reset();
  });
  absl::StatusOr<LockHandle> got =
      lock_->Acquire("wait", absl::Seconds(10), absl::Seconds(10));
  releaser.join();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->held());
}

TEST_F(RedisLockTest, AcquireGivesUpWithAbortedAfterTheWait) {
  std::optional<LockHandle> h = MustTry("busy", absl::Seconds(10));
  ASSERT_TRUE(h.has_value());
  const absl::Time start = absl::Now();
  absl::StatusOr<LockHandle> got =
      lock_->Acquire("busy", absl::Seconds(10), absl::Milliseconds(150));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kAborted) << got.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));
}

TEST_F(RedisLockTest, RejectsTtlBelowOneMillisecond) {
  EXPECT_EQ(lock_->TryAcquire("bad", absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisLockTest, MutualExclusionUnderContention) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 50;
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0};
  std::atomic<int> errors{0};
  int counter = 0;  // deliberately not atomic: only the lock protects it
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        absl::StatusOr<LockHandle> h =
            lock_->Acquire("hot", absl::Seconds(10), absl::Seconds(60));
        if (!h.ok()) {
          errors.fetch_add(1);
          continue;
        }
        if (inside.exchange(true)) overlaps.fetch_add(1);
        const int seen = counter;
        std::this_thread::yield();  // widen the window for a lost update
        counter = seen + 1;
        inside.store(false);
        absl::StatusOr<bool> released = h->Release();
        if (!released.ok() || !*released) errors.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(counter, kThreads * kRounds);
}

}  // namespace
}  // namespace crm::redis
