// The parts of common/db that need no server: statement splitting, error
// mapping, DATETIME text, retry decisions.
#include <gtest/gtest.h>

#include "common/db/migrations.h"
#include "common/db/sql_error.h"
#include "common/db/sql_value.h"
#include "common/db/transaction.h"

namespace crm::db {
namespace {

TEST(SplitSqlTest, SplitsOnSemicolonsOutsideQuotesAndComments) {
  auto stmts = SplitSqlStatements(
      "-- header; with a semicolon\n"
      "CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b');\n"
      "/* block; comment */ INSERT INTO a VALUES (\"q;\");\n"
      "# hash comment;\n"
      "  \n");
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[0],
            "-- header; with a semicolon\nCREATE TABLE a (x VARCHAR(10) "
            "DEFAULT 'a;b')");
  EXPECT_EQ(stmts[1], "/* block; comment */ INSERT INTO a VALUES (\"q;\")");
}

TEST(SplitSqlTest, EscapedQuoteAndTrailingStatementWithoutSemicolon) {
  auto stmts = SplitSqlStatements("INSERT INTO a VALUES ('it\\'s;'); SELECT 1");
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[1], "SELECT 1");
}

TEST(SqlErrorTest, Mapping) {
  EXPECT_EQ(StatusFromMysqlError(1062, "23000", "Duplicate entry").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromMysqlError(1213, "40001", "Deadlock").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromMysqlError(1205, "HY000", "Lock wait").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromMysqlError(2013, "HY000", "Lost").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromMysqlError(1064, "42000", "syntax").code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(MysqlErrorOf(StatusFromMysqlError(1213, "40001", "Deadlock")),
            1213);
  EXPECT_EQ(MysqlErrorOf(absl::AbortedError("domain race")), 0);
}

TEST(RetryTest, OnlyDatabaseAnswersAreRetried) {
  EXPECT_TRUE(
      ShouldRetry(StatusFromMysqlError(1213, "40001", "Deadlock"), false));
  EXPECT_TRUE(ShouldRetry(StatusFromMysqlError(2006, "HY000", "gone"), false));
  EXPECT_FALSE(ShouldRetry(StatusFromMysqlError(2006, "HY000", "gone"),
                           true));  // during COMMIT
  EXPECT_FALSE(ShouldRetry(absl::AbortedError("lost the claim race"), false));
  EXPECT_FALSE(ShouldRetry(StatusFromMysqlError(1062, "23000", "dup"), false));
}

TEST(DateTimeTest, RoundTripsMicroseconds) {
  const absl::Time t = absl::FromUnixMicros(1764088000123456);
  const std::string text = FormatDateTime(t);
  EXPECT_EQ(text, "2025-11-25 16:26:40.123456");
  absl::Time back;
  ASSERT_TRUE(ParseDateTime(text, &back));
  EXPECT_EQ(back, t);
  ASSERT_TRUE(ParseDateTime("2025-11-25 16:26:40", &back));
  EXPECT_EQ(back, absl::FromUnixSeconds(1764088000));
  EXPECT_FALSE(ParseDateTime("yesterday", &back));
}

}  // namespace
}  // namespace crm::db
