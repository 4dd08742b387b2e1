#include "common/db/connection.h"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"

namespace crm::db {
namespace {

// get_driver_instance() is not thread-safe on first use.
sql::Driver* Driver() {
  static std::once_flag once;
  static sql::Driver* driver = nullptr;
  std::call_once(once,
                 [] { driver = sql::mysql::get_mysql_driver_instance(); });
  return driver;
}

// Statements with more parameters than this (multi-row INSERTs, long IN
// lists) are prepared for one execution and closed, not cached: the
// connector keeps every cached statement's bind buffers, and batch writes
// make one text per row count (1..100 rows of 27 columns for leads) — tens
// of megabytes per connection if they were all kept.
constexpr size_t kMaxCachedParams = 64;

int Seconds(absl::Duration d) {
  return static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(d)));
}

}  // namespace

Connection::Connection(std::unique_ptr<sql::Connection> conn)
    : conn_(std::move(conn)) {}

Connection::~Connection() {
  // Statements must go before the connection that owns them.
  statements_.clear();
  try {
    if (conn_) conn_->close();
  } catch (const sql::SQLException&) {
    // Closing a dead connection can throw; nothing to do about it.
  }
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const DbOptions& options) {
  try {
    sql::ConnectOptionsMap props;
    props["hostName"] = sql::SQLString(options.host);
    props["port"] = options.port;
    props["userName"] = sql::SQLString(options.user);
    props["password"] = sql::SQLString(options.password);
    if (!options.schema.empty())
      props["schema"] = sql::SQLString(options.schema);
    props["OPT_CONNECT_TIMEOUT"] = Seconds(options.connect_timeout);
    props["OPT_READ_TIMEOUT"] = Seconds(options.io_timeout);
    props["OPT_WRITE_TIMEOUT"] = Seconds(options.io_timeout);
    // We reconnect ourselves (pool); a silent driver reconnect would lose
    // session state and transactions without telling us.
    props["OPT_RECONNECT"] = false;
    props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    std::unique_ptr<sql::Connection> raw(Driver()->connect(props));
    auto conn = std::make_unique<Connection>(std::move(raw));
    if (absl::Status s = conn->ExecRaw("SET time_zone = '+00:00'"); !s.ok())
      return s;
    if (absl::Status s =
            conn->ExecRaw("SET SESSION sql_mode = "
                          "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                          "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
        !s.ok()) {
      return s;
    }
    conn->conn_->setAutoCommit(true);
    return conn;
  } catch (const sql::SQLException& e) {
    return StatusFromMysqlError(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::Status Connection::Fail(int code, const std::string& state,
                              const std::string& message) {
  if (IsConnectionLost(code) || code == 0) broken_ = true;
  return StatusFromMysqlError(code, state, message);
}

absl::StatusOr<sql::PreparedStatement*> Connection::Prepare(
    const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    lru_.splice(lru_.end(), lru_, it->second.lru);
    return it->second.stmt.get();
  }
  if (statements_.size() >= kMaxCachedStatements) {
    statements_.erase(lru_.front());  // closes the server-side statement
    lru_.pop_front();
  }
  try {
    std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(sql));
    sql::PreparedStatement* raw = stmt.get();
    lru_.push_back(sql);
    statements_.emplace(
        sql, CachedStatement{std::move(stmt), std::prev(lru_.end())});
    return raw;
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::StatusOr<sql::PreparedStatement*> Connection::PrepareOnce(
    const std::string& sql, std::unique_ptr<sql::PreparedStatement>* out) {
  try {
    out->reset(conn_->prepareStatement(sql));
    return out->get();
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::Status Connection::Bind(sql::PreparedStatement* stmt,
                              const std::vector<Param>& params) {
  try {
    stmt->clearParameters();
    for (size_t i = 0; i < params.size(); ++i) {
      const unsigned idx = static_cast<unsigned>(i + 1);
      const Param::Value& v = params[i].value();
      if (std::holds_alternative<std::monostate>(v)) {
        stmt->setNull(idx, 0);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        stmt->setInt64(idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        stmt->setDouble(idx, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        stmt->setString(idx, sql::SQLString(*s));
      } else if (const auto* t = std::get_if<absl::Time>(&v)) {
        stmt->setDateTime(idx, sql::SQLString(FormatDateTime(*t)));
      }
    }
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::StatusOr<int64_t> Connection::Exec(const std::string& sql,
                                         const std::vector<Param>& params) {
  std::unique_ptr<sql::PreparedStatement> once;
  absl::StatusOr<sql::PreparedStatement*> stmt =
      params.size() > kMaxCachedParams ? PrepareOnce(sql, &once) : Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = Bind(*stmt, params); !s.ok()) return s;
  try {
    return static_cast<int64_t>((*stmt)->executeUpdate());
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::StatusOr<Rows> Connection::Query(const std::string& sql,
                                       const std::vector<Param>& params) {
  std::unique_ptr<sql::PreparedStatement> once;
  absl::StatusOr<sql::PreparedStatement*> stmt =
      params.size() > kMaxCachedParams ? PrepareOnce(sql, &once) : Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = Bind(*stmt, params); !s.ok()) return s;
  try {
    std::unique_ptr<sql::ResultSet> rs((*stmt)->executeQuery());
    sql::ResultSetMetaData* meta = rs->getMetaData();
    const unsigned n = meta->getColumnCount();
    auto columns = std::make_shared<std::map<std::string, int>>();
    for (unsigned i = 1; i <= n; ++i) {
      (*columns)[meta->getColumnLabel(i).asStdString()] =
          static_cast<int>(i - 1);
    }
    Rows rows;
    while (rs->next()) {
      std::vector<std::optional<std::string>> values(n);
      for (unsigned i = 1; i <= n; ++i) {
        if (!rs->isNull(i)) values[i - 1] = rs->getString(i).asStdString();
      }
      rows.emplace_back(columns, std::move(values));
    }
    return rows;
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::StatusOr<Row> Connection::QueryOne(const std::string& sql,
                                         const std::vector<Param>& params,
                                         std::string_view what) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty())
    return absl::NotFoundError(absl::StrCat(std::string(what), " not found"));
  return std::move(rows->front());
}

absl::Status Connection::ExecRaw(const std::string& sql) {
  try {
    std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
    stmt->execute(sql);
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return Fail(e.getErrorCode(), e.getSQLState(), e.what());
  }
}

absl::StatusOr<int64_t> Connection::LastInsertId() {
  auto rows = Query("SELECT LAST_INSERT_ID() AS id");
  if (!rows.ok()) return rows.status();
  return rows->front().Int("id");
}

absl::Status Connection::Begin() {
  absl::Status s = ExecRaw("START TRANSACTION");
  if (s.ok()) in_transaction_ = true;
  return s;
}

absl::Status Connection::Commit() {
  in_transaction_ = false;
  return ExecRaw("COMMIT");
}

absl::Status Connection::Rollback() {
  in_transaction_ = false;
  return ExecRaw("ROLLBACK");
}

bool Connection::Ping() {
  try {
    std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
    std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery("SELECT 1"));
    return rs->next();
  } catch (const sql::SQLException&) {
    broken_ = true;
    return false;
  }
}

}  // namespace crm::db
