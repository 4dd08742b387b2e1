// common/db against the real MariaDB: pool bounds, healing after killed
// connections, transactions, deadlock retry, duplicate keys, the bounded
// prepared-statement cache.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/db/connection.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "tests/testing/test_db.h"

namespace crm::db {
namespace {

using ::testing::HasSubstr;

class DbPoolTest : public ::testing::Test {
 protected:
  std::shared_ptr<ConnectionPool> MakePool(int size,
                                           absl::Duration borrow_timeout) {
    DbOptions o = schema_.Options(size);
    o.borrow_timeout = borrow_timeout;
    auto pool = ConnectionPool::Create(o);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return *pool;
  }

  void Exec(ConnectionPool& pool, const std::string& sql) {
    auto conn = pool.Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecRaw(sql).ok()) << sql;
  }

  testing::TestSchema schema_{"dbpool"};
};

TEST_F(DbPoolTest, BadCredentialsFailAtCreate) {
  DbOptions o = schema_.Options();
  o.password = "definitely-wrong";
  auto pool = ConnectionPool::Create(o);
  EXPECT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(),
            absl::StatusCode::kInternal);  // access denied, not retryable
}

TEST_F(DbPoolTest, ExhaustedPoolTimesOutThenRecovers) {
  auto pool = MakePool(2, absl::Milliseconds(200));
  auto a = pool->Borrow();
  auto b = pool->Borrow();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(pool->stats().borrowed, 2);
  const absl::Time start = absl::Now();
  auto c = pool->Borrow();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));
  // A waiter is woken as soon as a connection comes back.
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto d = pool->Borrow();
    got = d.ok();
  });
  { auto released = std::move(*a); }
  waiter.join();
  EXPECT_TRUE(got);
  EXPECT_LE(pool->stats().open, 2);
}

TEST_F(DbPoolTest, KilledConnectionsAreReplaced) {
  auto pool = MakePool(3, absl::Seconds(2));
  std::vector<int64_t> ids;
  {
    std::vector<PooledConnection> held;
    for (int i = 0; i < 3; ++i) {
      auto c = pool->Borrow();
      ASSERT_TRUE(c.ok());
      auto row = (*c)->QueryOne("SELECT CONNECTION_ID() AS id", {}, "id");
      ids.push_back(row->Int("id"));
      held.push_back(std::move(*c));
    }
  }
  // Kill every pooled connection from the outside (what a server restart or
  // an idle timeout does).
  auto admin = Connection::Open(testing::AdminOptions());
  ASSERT_TRUE(admin.ok());
  for (int64_t id : ids) {
    ASSERT_TRUE((*admin)->ExecRaw(absl::StrCat("KILL CONNECTION ", id)).ok());
  }
  // A read through WithConnection survives: the dead one is detected and
  // replaced.
  for (int i = 0; i < 6; ++i) {
    absl::Status s = WithConnection(*pool, [](Connection& c) -> absl::Status {
      return c.Query("SELECT 1 AS one").status();
    });
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_LE(pool->stats().open, 3);
}

TEST_F(DbPoolTest, TransactionCommitsOrRollsBack) {
  auto pool = MakePool(2, absl::Seconds(2));
  Exec(*pool, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  EXPECT_TRUE(RunInTransaction(*pool, [](Connection& c) {
                return c.Exec("INSERT INTO t VALUES (?, ?)", {1, "a"}).status();
              }).ok());
  absl::Status failed =
      RunInTransaction(*pool, [](Connection& c) -> absl::Status {
        auto s = c.Exec("INSERT INTO t VALUES (?, ?)", {2, "b"});
        if (!s.ok()) return s.status();
        return absl::FailedPreconditionError("domain rule says no");
      });
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  auto conn = pool->Borrow();
  auto rows = (*conn)->Query("SELECT id FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Int("id"), 1);
}

TEST_F(DbPoolTest, DuplicateKeyIsAlreadyExists) {
  auto pool = MakePool(1, absl::Seconds(2));
  Exec(*pool, "CREATE TABLE t (id INT PRIMARY KEY)");
  auto conn = pool->Borrow();
  ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES (?)", {7}).ok());
  auto dup = (*conn)->Exec("INSERT INTO t VALUES (?)", {7});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE((*conn)->broken());
}

TEST_F(DbPoolTest, DeadlockVictimIsRetriedAndBothCommit) {
  auto pool = MakePool(4, absl::Seconds(2));
  Exec(*pool, "CREATE TABLE acct (id INT PRIMARY KEY, n INT NOT NULL)");
  Exec(*pool, "INSERT INTO acct VALUES (1, 0), (2, 0)");
  // Two transactions lock the rows in opposite order; the barrier makes
  // both hold their first lock before asking for the second.
  std::atomic<int> first_locks{0};
  std::atomic<int> attempts{0};
  auto work = [&](int first, int second) {
    return RunInTransaction(
        *pool, [&, first, second](Connection& c) -> absl::Status {
          const int attempt = attempts.fetch_add(1);
          auto s = c.Exec("UPDATE acct SET n = n + 1 WHERE id = ?", {first});
          if (!s.ok()) return s.status();
          if (attempt < 2) {
            first_locks.fetch_add(1);
            while (first_locks.load() < 2) std::this_thread::yield();
          }
          return c.Exec("UPDATE acct SET n = n + 1 WHERE id = ?", {second})
              .status();
        });
  };
  absl::Status a, b;
  std::thread t1([&] { a = work(1, 2); });
  std::thread t2([&] { b = work(2, 1); });
  t1.join();
  t2.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_GE(attempts.load(), 3);  // the deadlock victim ran again
  auto conn = pool->Borrow();
  auto rows = (*conn)->Query("SELECT SUM(n) AS total FROM acct");
  EXPECT_EQ(rows->front().Int("total"), 4);
}

TEST_F(DbPoolTest, DroppedLeaseMidTransactionIsRolledBack) {
  auto pool = MakePool(1, absl::Seconds(2));
  Exec(*pool, "CREATE TABLE t (id INT PRIMARY KEY)");
  {
    auto conn = pool->Borrow();
    ASSERT_TRUE((*conn)->Begin().ok());
    ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES (?)", {1}).ok());
  }  // returned without commit
  auto conn = pool->Borrow();
  EXPECT_TRUE((*conn)->Query("SELECT id FROM t")->empty());
}

TEST_F(DbPoolTest, TypedValuesRoundTrip) {
  auto pool = MakePool(1, absl::Seconds(2));
  Exec(*pool,
       "CREATE TABLE v (id BIGINT PRIMARY KEY, s VARCHAR(50), t DATETIME(6), d "
       "DOUBLE, n VARCHAR(5))");
  const absl::Time t = absl::FromUnixMicros(1764088000123456);
  auto conn = pool->Borrow();
  ASSERT_TRUE((*conn)
                  ->Exec("INSERT INTO v VALUES (?, ?, ?, ?, ?)",
                         {int64_t{9007199254740993}, "华东 'quoted' \"x\"", t,
                          2.5, nullptr})
                  .ok());
  auto row = (*conn)->QueryOne("SELECT * FROM v", {}, "row");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->Int("id"), 9007199254740993);
  EXPECT_EQ(row->String("s"), "华东 'quoted' \"x\"");
  EXPECT_EQ(row->Time("t"), t);
  EXPECT_DOUBLE_EQ(row->Double("d"), 2.5);
  EXPECT_TRUE(row->IsNull("n"));
  auto missing =
      (*conn)->QueryOne("SELECT * FROM v WHERE id = ?", {1}, "thing 1");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("thing 1 not found"));
}

// Batch writes and IN lists make one SQL text per row count: the cache of
// prepared statements is bounded, the least recently used are closed on
// the server, and an evicted statement is simply prepared again.
TEST_F(DbPoolTest, PreparedStatementCacheIsBounded) {
  auto pool = MakePool(1, absl::Seconds(5));
  auto conn = pool->Borrow();
  ASSERT_TRUE(conn.ok());
  auto closed = [&]() -> int64_t {
    auto row = (*conn)->QueryOne(
        "SELECT VARIABLE_VALUE AS n FROM information_schema.SESSION_STATUS "
        "WHERE VARIABLE_NAME = 'COM_STMT_CLOSE'",
        {}, "status");
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() ? row->Int("n") : -1;
  };
  const int64_t before = closed();
  for (int i = 0; i < 300; ++i) {
    auto row = (*conn)->QueryOne(absl::StrCat("SELECT ? + ", i, " AS n"),
                                 {int64_t{1000}}, "sum");
    ASSERT_TRUE(row.ok()) << row.status();
    EXPECT_EQ(row->Int("n"), 1000 + i);
  }
  // 300 texts (plus the status query) through a cache of 256.
  EXPECT_GE(closed() - before, 300 + 1 - 256);
  auto again = (*conn)->QueryOne("SELECT ? + 0 AS n", {int64_t{7}}, "sum");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->Int("n"), 7);
  // A statement with many parameters (a batch insert, a long IN list) is
  // prepared for its execution only, and works every time.
  std::string sql = "SELECT COUNT(*) AS n FROM (SELECT 1 AS x) t WHERE 1 IN (";
  std::vector<Param> many;
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&sql, i == 0 ? "?" : ",?");
    many.emplace_back(int64_t{i});
  }
  sql += ")";
  for (int round = 0; round < 3; ++round) {
    auto row = (*conn)->QueryOne(sql, many, "count");
    ASSERT_TRUE(row.ok()) << row.status();
    EXPECT_EQ(row->Int("n"), 1);
  }
}

}  // namespace
}  // namespace crm::db
