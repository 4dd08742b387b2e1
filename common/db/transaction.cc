#include "common/db/transaction.h"

#include <thread>

#include "common/db/sql_error.h"
#include "common/log/log.h"

namespace crm::db {

absl::StatusOr<Transaction> Transaction::Begin(Connection& conn) {
  if (absl::Status s = conn.Begin(); !s.ok()) return s;
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr && conn_->in_transaction()) (void)conn_->Rollback();
}

absl::Status Transaction::Commit() {
  absl::Status s = conn_->Commit();
  conn_ = nullptr;
  return s;
}

bool ShouldRetry(const absl::Status& status, bool failed_in_commit) {
  // Only the database's own answers are retried; an ABORTED produced by
  // domain code ("lost a race") goes back to the client as it is.
  if (MysqlErrorOf(status) == 0) return false;
  if (status.code() == absl::StatusCode::kAborted) return true;
  return status.code() == absl::StatusCode::kUnavailable && !failed_in_commit;
}

absl::Status RunInTransaction(
    ConnectionPool& pool, const std::function<absl::Status(Connection&)>& work,
    RetryPolicy policy) {
  absl::Duration backoff = policy.first_backoff;
  absl::Status last;
  for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    bool in_commit = false;
    {
      absl::StatusOr<PooledConnection> conn = pool.Borrow();
      if (!conn.ok()) return conn.status();
      absl::StatusOr<Transaction> tx = Transaction::Begin(**conn);
      if (!tx.ok()) {
        last = tx.status();
      } else {
        last = work(**conn);
        if (last.ok()) {
          in_commit = true;
          last = tx->Commit();
        }
      }
    }
    if (last.ok() || !ShouldRetry(last, in_commit)) return last;
    // Only the database's own "try again" answers get here; work's domain
    // errors are returned above.
    log::Warn("db transaction retry",
              {{"attempt", attempt}, {"error", last.ToString()}});
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(backoff));
    backoff *= 2;
  }
  return last;
}

absl::Status WithConnection(
    ConnectionPool& pool,
    const std::function<absl::Status(Connection&)>& work) {
  absl::Status last;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    absl::StatusOr<PooledConnection> conn = pool.Borrow();
    if (!conn.ok()) return conn.status();
    last = work(**conn);
    if (last.code() != absl::StatusCode::kUnavailable || !(*conn)->broken())
      return last;
  }
  return last;
}

}  // namespace crm::db
