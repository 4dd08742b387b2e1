// The pool heals after the MariaDB server itself restarts. This restarts the
// shared test server, so it runs alone (the _serial_ suffix).
#include <gtest/gtest.h>

#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "tests/testing/test_db.h"
#include "tests/testing/test_env.h"

namespace crm::db {
namespace {

TEST(DbRestartTest, PoolReconnectsAfterServerRestart) {
  testing::TestSchema schema("restart");
  DbOptions o = schema.Options(3);
  o.validate_after_idle = absl::ZeroDuration();  // ping on every borrow
  auto pool = ConnectionPool::Create(o);
  ASSERT_TRUE(pool.ok());
  ASSERT_TRUE(RunInTransaction(**pool, [](Connection& c) {
                return c.ExecRaw("CREATE TABLE t (id INT PRIMARY KEY)");
              }).ok());
  {
    // Fill the pool with live connections that the restart will cut.
    std::vector<PooledConnection> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::move(*(*pool)->Borrow()));
  }
  testing::RestartMysql();
  // Every connection the pool had is dead now; work still goes through.
  for (int i = 0; i < 5; ++i) {
    absl::Status s = RunInTransaction(**pool, [i](Connection& c) {
      return c.Exec("INSERT INTO t VALUES (?)", {i}).status();
    });
    EXPECT_TRUE(s.ok()) << s;
  }
  auto conn = (*pool)->Borrow();
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ((*conn)->Query("SELECT id FROM t")->size(), 5u);
}

TEST(DbRestartTest, StaleConnectionsWithoutPingFailOnceThenHeal) {
  testing::TestSchema schema("restart");
  DbOptions o = schema.Options(2);
  o.validate_after_idle =
      absl::Hours(1);  // never ping: the query itself finds the corpse
  auto pool = ConnectionPool::Create(o);
  ASSERT_TRUE(pool.ok());
  testing::RestartMysql();
  // Reads go through WithConnection, which retries once on a dead connection.
  absl::Status s = WithConnection(**pool, [](Connection& c) {
    return c.Query("SELECT 1 AS one").status();
  });
  EXPECT_TRUE(s.ok()) << s;
  // Transactions retry a connection lost before COMMIT.
  s = RunInTransaction(**pool, [](Connection& c) {
    return c.Query("SELECT 1 AS one").status();
  });
  EXPECT_TRUE(s.ok()) << s;
}

}  // namespace
}  // namespace crm::db
