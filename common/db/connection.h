// One MySQL connection with a cache of prepared statements. Every statement
// that takes input is a prepared statement with bound parameters; SQL text is
// always a constant written in a store/ file. Driver exceptions stop here and
// come back as absl::Status.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/db_options.h"
#include "common/db/sql_value.h"

namespace sql {
class Connection;
class PreparedStatement;
}  // namespace sql

namespace crm::db {

class Connection {
 public:
  // Opens a connection with UTC session time, utf8mb4 and autocommit on.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const DbOptions& options);
  // Use Open(); public only so std::make_unique can reach it.
  explicit Connection(std::unique_ptr<sql::Connection> conn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // INSERT/UPDATE/DELETE: returns the number of affected rows.
  absl::StatusOr<int64_t> Exec(const std::string& sql,
                               const std::vector<Param>& params = {});
  // SELECT: returns all rows.
  absl::StatusOr<Rows> Query(const std::string& sql,
                             const std::vector<Param>& params = {});
  // The first row, or NOT_FOUND with `what` in the message.
  absl::StatusOr<Row> QueryOne(const std::string& sql,
                               const std::vector<Param>& params,
                               std::string_view what);
  // A statement without parameters and without caching: DDL from migrations,
  // session settings.
  absl::Status ExecRaw(const std::string& sql);
  // AUTO_INCREMENT id produced by the last INSERT on this connection.
  absl::StatusOr<int64_t> LastInsertId();

  absl::Status Begin();
  absl::Status Commit();
  absl::Status Rollback();
  bool in_transaction() const { return in_transaction_; }

  // Round trip to the server; false when the connection is dead.
  bool Ping();
  // Set when a statement failed because the connection is gone; the pool
  // discards such a connection instead of reusing it.
  bool broken() const { return broken_; }
  absl::Time last_used() const { return last_used_; }
  void Touch(absl::Time now) { last_used_ = now; }

 private:
  absl::StatusOr<sql::PreparedStatement*> Prepare(const std::string& sql);
  // Not cached: closed when *out goes (statements with many parameters).
  absl::StatusOr<sql::PreparedStatement*> PrepareOnce(
      const std::string& sql, std::unique_ptr<sql::PreparedStatement>* out);
  absl::Status Bind(sql::PreparedStatement* stmt,
                    const std::vector<Param>& params);
  absl::Status Fail(int code, const std::string& state,
                    const std::string& message);

  std::unique_ptr<sql::Connection> conn_;
  // Prepared statements by SQL text, least recently used first in `lru_`.
  // Bounded: IN lists make one text per list length, and each cached
  // statement holds a server-side handle (the server caps them all at
  // max_prepared_stmt_count). Statements with many parameters are not
  // cached at all (connection.cc: kMaxCachedParams).
  static constexpr size_t kMaxCachedStatements = 256;
  struct CachedStatement {
    std::unique_ptr<sql::PreparedStatement> stmt;
    std::list<std::string>::iterator lru;
  };
  std::map<std::string, CachedStatement> statements_;
  std::list<std::string> lru_;
  bool in_transaction_ = false;
  bool broken_ = false;
  absl::Time last_used_ = absl::InfinitePast();
};

}  // namespace crm::db
