// RedisPool against the real test Redis: round trips, errors, exhaustion,
// and recovery from connections the server closed.
#include "common/redis/redis_pool.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

namespace crm::redis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RedisOptions TestOptions() {
  const crm::testing::TestRedis redis = crm::testing::RedisFromEnv();
  RedisOptions o;
  o.host = redis.host;
  o.port = redis.port;
  o.pool_size = 4;
  o.key_prefix = crm::testing::UniqueName("redis_pool") + ":";
  return o;
}

std::unique_ptr<RedisPool> NewPool(const RedisOptions& options) {
  absl::StatusOr<std::unique_ptr<RedisPool>> pool = RedisPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

// A loopback port with nothing listening: bind an ephemeral port, close it.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = TestOptions();
    pool_ = NewPool(options_);
    ASSERT_NE(pool_, nullptr);
  }

  void TearDown() override {
    // Keys of this test only (the prefix is unique and has no glob chars).
    pool_
        ->Command({"EVAL",
                   "for _, k in ipairs(redis.call('keys', ARGV[1])) do "
                   "redis.call('del', k) end return 0",
                   "0", options_.key_prefix + "*"})
        .IgnoreError();
  }

  // Kills one connection of the pool under test from outside, as a Redis
  // restart or an operator would. Only that connection: tests of other
  // suites share this server.
  void KillClient(int64_t id) {
    std::unique_ptr<RedisPool> killer = NewPool(options_);
    ASSERT_NE(killer, nullptr);
    absl::StatusOr<Reply> killed =
        killer->Command({"CLIENT", "KILL", "ID", absl::StrCat(id)});
    ASSERT_TRUE(killed.ok()) << killed.status();
    EXPECT_EQ(killed->integer, 1);
  }

  RedisOptions options_;
  std::unique_ptr<RedisPool> pool_;
};

TEST_F(RedisPoolTest, RoundTripIsBinarySafe) {
  // Spaces, CRLF and NUL would break a formatted command line.
  const std::string key = pool_->Key("odd key\r\n*1");
  const std::string value("v a\0l\r\nue", 10);
  absl::StatusOr<Reply> set = pool_->Command({"SET", key, value});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, Reply::Status("OK"));

  absl::StatusOr<Reply> get = pool_->Command({"GET", key});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(*get, Reply::String(value));

  absl::StatusOr<Reply> missing = pool_->Command({"GET", pool_->Key("none")});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisPoolTest, KeyAppliesThePrefix) {
  EXPECT_EQ(pool_->Key("a:b"), options_.key_prefix + "a:b");
}

TEST_F(RedisPoolTest, ErrorRepliesBecomeStatuses) {
  const std::string key = pool_->Key("str");
  ASSERT_TRUE(pool_->Command({"SET", key, "x"}).ok());
  absl::StatusOr<Reply> wrong = pool_->Command({"LPUSH", key, "y"});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(IsRedisError(wrong.status(), "WRONGTYPE")) << wrong.status();

  absl::StatusOr<Reply> unknown = pool_->Command({"NO-SUCH-COMMAND"});
  EXPECT_TRUE(IsRedisError(unknown.status(), "ERR")) << unknown.status();

  EXPECT_EQ(pool_->Command({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // An error reply leaves the connection usable.
  EXPECT_EQ(pool_->stats().open, 1);
  EXPECT_TRUE(pool_->Command({"PING"}).ok());
}

TEST_F(RedisPoolTest, ReusesIdleConnections) {
  int64_t first = 0;
  {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
    ASSERT_TRUE(lease.ok()) << lease.status();
    first = *lease->ClientId();
  }
  absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(*lease->ClientId(), first);
  EXPECT_EQ(pool_->stats().open, 1);
  EXPECT_EQ(pool_->stats().idle, 0);
}

TEST_F(RedisPoolTest, ExhaustedPoolFailsAfterTheWait) {
  std::vector<RedisPool::Lease> leases;
  for (int i = 0; i < options_.pool_size; ++i) {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(*std::move(lease));
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<RedisPool::Lease> extra =
      pool_->Borrow(absl::Milliseconds(100));
  EXPECT_EQ(extra.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
  EXPECT_EQ(pool_->stats().open, options_.pool_size);

  leases.pop_back();
  EXPECT_TRUE(pool_->Borrow(absl::ZeroDuration()).ok());
}

TEST_F(RedisPoolTest, WaiterGetsAReturnedConnection) {
  std::vector<RedisPool::Lease> leases;
  for (int i = 0; i < options_.pool_size; ++i) {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(*std::move(lease));
  }
  absl::Status waited;
  std::thread waiter([&] {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(10));
    waited = lease.status();
    if (lease.ok()) waited = lease->Command({"PING"}).status();
  });
  absl::SleepFor(absl::Milliseconds(50));
  leases.pop_back();
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited;
}

TEST_F(RedisPoolTest, ConcurrentCommandsShareTheConnections) {
  const std::string key = pool_->Key("counter");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!pool_->Command({"INCR", key}).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*pool_->Command({"GET", key}), Reply::String("1600"));
  EXPECT_LE(pool_->stats().open, options_.pool_size);
}

TEST_F(RedisPoolTest, IdleConnectionKilledByServerIsReplaced) {
  int64_t first = 0;
  {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
    ASSERT_TRUE(lease.ok()) << lease.status();
    first = *lease->ClientId();
  }
  KillClient(first);

  // No error reaches the caller: the dead idle connection is noticed before
  // it is lent out and a new one is opened.
  absl::StatusOr<Reply> ping = pool_->Command({"PING"});
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(*ping, Reply::Status("PONG"));
  absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_NE(*lease->ClientId(), first);
  EXPECT_EQ(pool_->stats().open, 1);
}

TEST_F(RedisPoolTest, ConnectionKilledWhileLentFailsOnceThenRecovers) {
  {
    absl::StatusOr<RedisPool::Lease> lease = pool_->Borrow(absl::Seconds(1));
    ASSERT_TRUE(lease.ok()) << lease.status();
    KillClient(*lease->ClientId());
    // The pool does not re-send: the caller decides whether to retry.
    absl::StatusOr<Reply> ping = lease->Command({"PING"});
    EXPECT_EQ(ping.status().code(), absl::StatusCode::kUnavailable)
        << ping.status();
    // Still broken, and says so without touching the socket again.
    EXPECT_EQ(lease->Command({"PING"}).status().code(),
              absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(pool_->stats().open, 0);  // dropped, not returned
  absl::StatusOr<Reply> ping = pool_->Command({"PING"});
  EXPECT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(pool_->stats().open, 1);
}

TEST_F(RedisPoolTest, UnreachableServerIsUnavailableAndLeaksNoSlot) {
  RedisOptions options = options_;
  options.port = UnusedPort();
  std::unique_ptr<RedisPool> pool = NewPool(options);
  ASSERT_NE(pool, nullptr);
  // More attempts than slots: a failed connect must give its slot back.
  for (int i = 0; i < 3 * options.pool_size; ++i) {
    absl::StatusOr<Reply> ping = pool->Command({"PING"});
    EXPECT_EQ(ping.status().code(), absl::StatusCode::kUnavailable)
        << ping.status();
  }
  EXPECT_EQ(pool->stats().open, 0);
}

TEST_F(RedisPoolTest, SlowReplyIsDeadlineExceededAndDropsTheConnection) {
  RedisOptions options = options_;
  options.command_timeout = absl::Milliseconds(100);
  std::unique_ptr<RedisPool> pool = NewPool(options);
  ASSERT_NE(pool, nullptr);
  // BLPOP on an empty list blocks this client only (not the server).
  absl::StatusOr<Reply> pop = pool->Command({"BLPOP", pool->Key("empty"), "5"});
  EXPECT_EQ(pop.status().code(), absl::StatusCode::kDeadlineExceeded)
      << pop.status();
  EXPECT_EQ(pool->stats().open, 0);
  EXPECT_TRUE(pool->Command({"PING"}).ok());
}

TEST_F(RedisPoolTest, CommandWithTimeoutOutwaitsTheDefaultOnce) {
  RedisOptions options = options_;
  options.command_timeout = absl::Milliseconds(100);
  std::unique_ptr<RedisPool> pool = NewPool(options);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<RedisPool::Lease> lease = pool->Borrow(absl::Seconds(1));
  ASSERT_TRUE(lease.ok()) << lease.status();
  absl::StatusOr<Reply> pop = lease->CommandWithTimeout(
      {"BLPOP", pool->Key("empty"), "0.3"}, absl::Seconds(5));
  ASSERT_TRUE(pop.ok()) << pop.status();
  EXPECT_TRUE(pop->is_nil());
  // Back to the 100ms default afterwards.
  EXPECT_EQ(
      lease->Command({"BLPOP", pool->Key("empty"), "0.5"}).status().code(),
      absl::StatusCode::kDeadlineExceeded);
}

TEST_F(RedisPoolTest, FailedAuthIsAnErrorThatHidesThePassword) {
  RedisOptions options = options_;
  options.password = "hunter2-not-the-password";
  std::unique_ptr<RedisPool> pool = NewPool(options);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<Reply> ping = pool->Command({"PING"});
  ASSERT_FALSE(ping.ok());
  EXPECT_THAT(ping.status().message(), HasSubstr("AUTH"));
  EXPECT_THAT(ping.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_EQ(pool->stats().open, 0);
}

TEST_F(RedisPoolTest, SelectsTheConfiguredDatabase) {
  RedisOptions db1 = options_;
  db1.db = 1;
  std::unique_ptr<RedisPool> pool1 = NewPool(db1);
  ASSERT_NE(pool1, nullptr);
  const std::string key = pool_->Key("db");
  ASSERT_TRUE(pool1->Command({"SET", key, "in-db-1"}).ok());
  EXPECT_TRUE(pool_->Command({"GET", key})->is_nil());
  EXPECT_EQ(*pool1->Command({"GET", key}), Reply::String("in-db-1"));
  ASSERT_TRUE(pool1->Command({"DEL", key}).ok());
}

TEST(RedisPoolCreateTest, RejectsInvalidOptions) {
  RedisOptions options;
  options.pool_size = 0;
  EXPECT_EQ(RedisPool::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::redis
