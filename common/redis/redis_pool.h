// A thread-safe, bounded pool of synchronous hiredis connections.
//
// Connections are opened lazily, up to options.pool_size. A connection whose
// context reports an error after a command (I/O error, timeout, protocol
// error) is closed instead of being returned, and an idle connection is
// checked for a peer close before it is lent out, so a Redis restart or a
// CLIENT KILL costs at most the one command that was in flight on it.
//
// Retry policy: the pool never re-sends a command on its own. A command that
// failed on a broken connection may or may not have run (the server can die
// after executing it), so only the caller knows whether re-sending is safe;
// it gets UNAVAILABLE and the next command gets a fresh connection.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_options.h"
#include "common/redis/reply.h"

struct redisContext;  // hiredis

namespace crm::redis {

struct ContextDeleter {
  void operator()(redisContext* context) const;
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

class RedisPool {
 public:
  // Move-only loan of one connection, returned to the pool when destroyed.
  // Use it to run several commands on the same connection (e.g. a blocking
  // read with a longer timeout). Not thread-safe; the pool must outlive it.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    // Runs one command; argv[0] is the command name. Arguments are sent as
    // binary-safe bulk strings (never formatted into a command line).
    // Errors: UNAVAILABLE when the connection fails (it is then discarded),
    // DEADLINE_EXCEEDED when the server did not answer within the command
    // timeout (also discarded: a late reply would desynchronise it), and
    // ErrorReplyToStatus() for Redis error replies.
    absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);

    // As Command, but with a socket timeout of `timeout` for this one
    // command (e.g. XREADGROUP BLOCK needs longer than the default).
    absl::StatusOr<Reply> CommandWithTimeout(
        const std::vector<std::string>& argv, absl::Duration timeout);

    // The server-side id of this connection (CLIENT ID); for tests and ops.
    absl::StatusOr<int64_t> ClientId();

   private:
    friend class RedisPool;
    Lease(RedisPool* pool, ContextPtr context);
    void ReturnToPool();

    RedisPool* pool_ = nullptr;
    ContextPtr context_;
  };

  struct Stats {
    int open = 0;  // connections that exist (idle + lent + being opened)
    int idle = 0;
  };

  // INVALID_ARGUMENT when the options are unusable. Does not connect: a
  // service may start while Redis is down and recover when it comes back.
  static absl::StatusOr<std::unique_ptr<RedisPool>> Create(
      RedisOptions options);

  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;
  // All leases must have been returned.
  ~RedisPool();

  // Lends a connection, opening one if fewer than pool_size exist. Waits up
  // to `wait` for a connection to come back when all are lent; then fails
  // with RESOURCE_EXHAUSTED. UNAVAILABLE when a new connection cannot be
  // opened (or AUTH/SELECT fails).
  absl::StatusOr<Lease> Borrow(absl::Duration wait);

  // Borrows (waiting up to command_timeout), runs one command, returns the
  // connection. See Lease::Command for the errors.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);

  // options().key_prefix + key. Every helper in common/redis applies it to
  // the keys it is given; Command() does not (it cannot tell keys from
  // other arguments), so raw commands must call Key() themselves.
  std::string Key(std::string_view key) const;

  const RedisOptions& options() const { return options_; }
  Stats stats() const;

 private:
  explicit RedisPool(RedisOptions options);

  absl::StatusOr<ContextPtr> Connect() const;
  // Takes back a healthy connection, or drops a broken one (nullptr).
  void Return(ContextPtr context);

  const RedisOptions options_;
  // std::mutex rather than absl::Mutex: Debian's absl is not built with
  // ThreadSanitizer, which then cannot see absl::Mutex hand-offs, while
  // pthread-based std::mutex is understood, so the pool can be TSan-checked.
  mutable std::mutex mu_;
  std::condition_variable returned_;  // signalled when a slot frees up
  std::vector<ContextPtr> idle_;      // guarded by mu_
  int open_ = 0;                      // guarded by mu_
};

}  // namespace crm::redis
