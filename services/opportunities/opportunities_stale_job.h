// The stale check (seed 004: opportunities must not "die" in a rep's
// hands): every `interval` (default 1 h) each replica tries the Redis
// leader lock "lock:opportunities:stale"; the holder runs one pass as of
// now, the same code as the RunStaleCheck RPC. A pass emits
// OpportunityStale once per opportunity per stale period (remembered in
// opportunities.stale_alerted_for), so the lock only avoids duplicate
// work.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"

namespace crm::opportunities {

inline constexpr char kStaleLockKey[] = "lock:opportunities:stale";

struct StaleJobOptions {
  absl::Duration interval = absl::Hours(1);
  absl::Duration lock_ttl = absl::Minutes(2);
  int default_stale_days = 30;
  int batch_size = 500;
};

// Runs one pass as of `as_of` without a lock: the number of alerts
// emitted. `between_batches` (may be empty) runs after each batch and
// stops the pass with its error.
absl::StatusOr<int> RunStalePass(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const Clock> clock, const StaleJobOptions& options,
    absl::Time as_of, const std::function<absl::Status()>& between_batches);

// Takes the leader lock (when `redis` is set) and runs a pass; nullopt
// when another process holds the lock.
absl::StatusOr<std::optional<int>> RunStaleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const StaleJobOptions& options,
    absl::Time as_of);

class StaleJob {
 public:
  StaleJob(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
           std::shared_ptr<const Clock> clock, StaleJobOptions options);
  ~StaleJob();
  // A round right away, then one per interval.
  void Start();
  void Stop();
  // One round: true when this job held the lock and ran a pass.
  absl::StatusOr<bool> RunOnce();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  StaleJobOptions options_;
  events::BackgroundLoop loop_;
};

}  // namespace crm::opportunities
