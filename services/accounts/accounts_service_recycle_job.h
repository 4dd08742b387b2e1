// The scheduled recycle job (seed 004: 私海客户到期自动掉入公海).
//
// Every `interval` (default 10 min) each replica tries the Redis leader
// lock "lock:accounts:recycle"; the one that gets it runs one recycle pass
// as of now (RecycleStore::Run, the same code as the RunRecycle RPC),
// extending the lock after each batch and stopping if it lost it. The
// others skip the round. The round then recomputes customer tiers over
// the sliding window (TierStore::RecomputeAll, as the RecomputeTiers RPC). The
// pass is idempotent in MySQL, so the lock only avoids duplicate work.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"
#include "services/accounts/store/recycle_store.h"

namespace crm::accounts {

inline constexpr char kRecycleLockKey[] = "lock:accounts:recycle";

struct RecycleJobOptions {
  absl::Duration interval = absl::Minutes(10);
  // The lock outlives a stuck holder by at most this; extended per batch.
  absl::Duration lock_ttl = absl::Minutes(2);
  RecycleOptions recycle;
  // Tests only: runs inside the lock, before the pass.
  std::function<void()> on_pass_start;
};

// Takes the leader lock (when `redis` is set) and runs one pass as of
// `as_of`. nullopt when another process holds the lock. Without Redis the
// pass runs unguarded (it is idempotent).
absl::StatusOr<std::optional<RecycleResult>> RunRecycleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const RecycleJobOptions& options,
    absl::Time as_of);

class RecycleJob {
 public:
  RecycleJob(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
             std::shared_ptr<const Clock> clock, RecycleJobOptions options);
  ~RecycleJob();

  // Starts the loop: a round right away, then one per interval.
  void Start();
  void Stop();

  // One round: returns true when this job held the lock and ran a pass.
  absl::StatusOr<bool> RunOnce();

  int64_t passes() const { return passes_.load(); }

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  RecycleJobOptions options_;
  std::atomic<int64_t> passes_{0};
  events::BackgroundLoop loop_;
};

}  // namespace crm::accounts
