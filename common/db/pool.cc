#include "common/db/pool.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace crm::db {

PooledConnection::~PooledConnection() {
  if (conn_ != nullptr && pool_ != nullptr) pool_->Return(std::move(conn_));
}

ConnectionPool::ConnectionPool(DbOptions options,
                               std::shared_ptr<const Clock> clock)
    : options_(std::move(options)), clock_(std::move(clock)) {}

absl::StatusOr<std::shared_ptr<ConnectionPool>> ConnectionPool::Create(
    DbOptions options, std::shared_ptr<const Clock> clock) {
  if (options.pool_size < 1)
    return absl::InvalidArgumentError("db_pool_size: must be >= 1");
  auto pool =
      std::make_shared<ConnectionPool>(std::move(options), std::move(clock));
  auto first = Connection::Open(pool->options_);
  if (!first.ok()) return first.status();
  (*first)->Touch(pool->clock_->Now());
  std::lock_guard<std::mutex> lock(pool->mu_);
  pool->idle_.push_back(std::move(*first));
  pool->open_ = 1;
  return pool;
}

absl::StatusOr<PooledConnection> ConnectionPool::Borrow() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto available = [&] {
      return !idle_.empty() || open_ < options_.pool_size;
    };
    bool got = available();
    if (!got) {
      // Blocked: counted for the pool metrics (waiters, wait time).
      ++waiters_;
      const absl::Time started = absl::Now();
      got = cv_.wait_for(
          lock, absl::ToChronoNanoseconds(options_.borrow_timeout), available);
      --waiters_;
      ++waits_total_;
      wait_time_total_ += absl::Now() - started;
      if (!got) ++timeouts_total_;
    }
    if (!got) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "database connection pool exhausted (", options_.pool_size,
          " in use for ", absl::FormatDuration(options_.borrow_timeout), ")"));
    }
    if (!idle_.empty()) {
      // Most recently used first: it is the least likely to have gone stale.
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // reserve a slot; opened below without holding the lock
    }
  }

  const absl::Time now = clock_->Now();
  if (conn != nullptr &&
      now - conn->last_used() > options_.validate_after_idle && !conn->Ping()) {
    conn.reset();  // dead: replace it in the same slot
  }
  if (conn == nullptr) {
    auto opened = Connection::Open(options_);
    if (!opened.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
      cv_.notify_one();
      return opened.status();
    }
    conn = std::move(*opened);
  }
  conn->Touch(now);
  return PooledConnection(this, std::move(conn));
}

void ConnectionPool::Return(std::unique_ptr<Connection> conn) {
  if (conn->in_transaction()) {
    // A lease dropped mid-transaction (early return): undo it, never leak
    // half a transaction to the next borrower.
    (void)conn->Rollback();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (conn->broken()) {
    --open_;
    // One dead connection usually means the server restarted or dropped
    // us: make every idle connection prove itself with a ping before reuse.
    for (auto& idle : idle_) idle->Touch(absl::InfinitePast());
  } else {
    conn->Touch(clock_->Now());
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  s.open = open_;
  s.idle = static_cast<int>(idle_.size());
  s.borrowed = open_ - s.idle;
  s.waiters = waiters_;
  s.waits_total = waits_total_;
  s.wait_time_total = wait_time_total_;
  s.timeouts_total = timeouts_total_;
  return s;
}

}  // namespace crm::db
