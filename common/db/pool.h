// A bounded, thread-safe pool of MySQL connections.
//
// Borrow() hands out at most pool_size connections at once and waits up to
// borrow_timeout for one to come back (then RESOURCE_EXHAUSTED). A connection
// that sat idle is pinged first; a dead one (server restarted, killed,
// timed out) is replaced by a fresh one, so the pool heals by itself after
// the server comes back. Connections that saw a connection error are
// discarded when returned.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/connection.h"
#include "common/db/db_options.h"

namespace crm::db {

class ConnectionPool;

// RAII lease: returns the connection to the pool when it goes out of scope.
class PooledConnection {
 public:
  PooledConnection(ConnectionPool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&&) = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  Connection* operator->() { return conn_.get(); }
  Connection& operator*() { return *conn_; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  // Opens one connection eagerly so bad credentials fail at start-up.
  static absl::StatusOr<std::shared_ptr<ConnectionPool>> Create(
      DbOptions options, std::shared_ptr<const Clock> clock = DefaultClock());
  explicit ConnectionPool(DbOptions options,
                          std::shared_ptr<const Clock> clock);

  absl::StatusOr<PooledConnection> Borrow();

  const DbOptions& options() const { return options_; }

  struct Stats {
    int open = 0;  // connections that exist (idle + borrowed)
    int idle = 0;
    int borrowed = 0;
    // Borrow() callers blocked right now waiting for a connection.
    int waiters = 0;
    // Since the pool was made: borrows that had to wait (none free and
    // pool_size open), their total wait, and those that gave up after
    // borrow_timeout (RESOURCE_EXHAUSTED).
    int64_t waits_total = 0;
    absl::Duration wait_time_total;
    int64_t timeouts_total = 0;
  };
  Stats stats() const;

 private:
  friend class PooledConnection;
  void Return(std::unique_ptr<Connection> conn);

  const DbOptions options_;
  const std::shared_ptr<const Clock> clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle + borrowed + being opened
  // Wait accounting for stats(); guarded by mu_.
  int waiters_ = 0;
  int64_t waits_total_ = 0;
  absl::Duration wait_time_total_;
  int64_t timeouts_total_ = 0;
};

}  // namespace crm::db
