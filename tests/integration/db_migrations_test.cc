// Migrations: applied once, in order, even with two runners at the same
// time; a changed applied migration is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "common/db/migrations.h"
#include "tests/testing/test_db.h"

namespace crm::db {
namespace {

std::vector<Migration> Sample() {
  return {
      {"0002", "0002_add.sql",
       "ALTER TABLE things ADD COLUMN note VARCHAR(20) NULL;"},
      {"0001", "0001_init.sql",
       "CREATE TABLE things (id INT PRIMARY KEY); -- a comment; with "
       "semicolons\n"
       "INSERT INTO things VALUES (1);"},
  };
}

TEST(MigrationsTest, TwoConcurrentRunnersApplyEachMigrationOnce) {
  testing::TestSchema schema("migr");
  auto pool_a = ConnectionPool::Create(schema.Options(2));
  auto pool_b = ConnectionPool::Create(schema.Options(2));
  ASSERT_TRUE(pool_a.ok());
  ASSERT_TRUE(pool_b.ok());
  absl::StatusOr<int> a, b;
  std::thread ta([&] { a = RunMigrations(**pool_a, Sample()); });
  std::thread tb([&] { b = RunMigrations(**pool_b, Sample()); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a + *b, 2);  // one runner did both, the other found nothing to do
  auto conn = (*pool_a)->Borrow();
  auto rows =
      (*conn)->Query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].String("version"), "0001");
  auto things = (*conn)->Query("SELECT id, note FROM things");
  ASSERT_EQ(things->size(), 1u);  // the INSERT ran once
  EXPECT_EQ(*RunMigrations(**pool_a, Sample()), 0);
}

TEST(MigrationsTest, ChangedAppliedMigrationIsRefused) {
  testing::TestSchema schema("migr");
  auto pool = schema.Pool();
  ASSERT_TRUE(RunMigrations(*pool, Sample()).ok());
  std::vector<Migration> changed = Sample();
  changed[1].sql += "\nINSERT INTO things VALUES (2);";
  auto result = RunMigrations(*pool, changed);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(),
              ::testing::HasSubstr("0001_init.sql changed"));
}

TEST(MigrationsTest, FailingMigrationStopsAndIsNotRecorded) {
  testing::TestSchema schema("migr");
  auto pool = schema.Pool();
  std::vector<Migration> bad = {
      {"0001", "0001_bad.sql", "CREATE TABLE broken (id INT PRIMARY KEY,);"}};
  auto result = RunMigrations(*pool, bad);
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr("0001_bad.sql"));
  auto conn = pool->Borrow();
  EXPECT_TRUE((*conn)->Query("SELECT version FROM schema_migrations")->empty());
}

}  // namespace
}  // namespace crm::db
