// Transactions: an RAII guard, and RunInTransaction(), which is what store/
// code normally calls. RunInTransaction retries the whole unit of work on
// deadlock, lock-wait timeout and on a connection lost before COMMIT (the
// server rolled it back, so running it again is safe). A connection lost
// during COMMIT is not retried: the outcome is unknown, and the caller gets
// UNAVAILABLE (idempotency keys make the client's retry safe).
#pragma once

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/pool.h"

namespace crm::db {

// Rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) {
    other.conn_ = nullptr;
  }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  absl::Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

struct RetryPolicy {
  int max_attempts = 4;
  absl::Duration first_backoff = absl::Milliseconds(5);
};

// Whether a failed attempt may run again (see the file comment).
bool ShouldRetry(const absl::Status& status, bool failed_in_commit);

absl::Status RunInTransaction(
    ConnectionPool& pool, const std::function<absl::Status(Connection&)>& work,
    RetryPolicy policy = {});

// The same, for work that produces a value.
template <typename T>
absl::StatusOr<T> RunInTransactionFor(
    ConnectionPool& pool,
    const std::function<absl::StatusOr<T>(Connection&)>& work,
    RetryPolicy policy = {}) {
  std::optional<T> result;
  absl::Status status = RunInTransaction(
      pool,
      [&](Connection& conn) -> absl::Status {
        absl::StatusOr<T> r = work(conn);
        if (!r.ok()) return r.status();
        result = std::move(*r);
        return absl::OkStatus();
      },
      policy);
  if (!status.ok()) return status;
  return std::move(*result);
}

// Borrows a connection for non-transactional reads, retrying once when the
// borrowed connection turns out to be dead.
absl::Status WithConnection(
    ConnectionPool& pool, const std::function<absl::Status(Connection&)>& work);

}  // namespace crm::db
