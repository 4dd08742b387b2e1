// The scheduled lead recycle (seed 004: 线索未及时跟进自动回收).
//
// Every `interval` (default 10 min) each replica tries the Redis leader
// lock "lock:leads:recycle"; the holder runs one pass as of now
// (PoolStore::Recycle, the same code as RunLeadRecycle), extending the
// lock after each batch. The pass is idempotent in MySQL; the lock only
// avoids duplicate work.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"

namespace crm::leads {

inline constexpr char kRecycleLockKey[] = "lock:leads:recycle";

struct RecycleJobOptions {
  absl::Duration interval = absl::Minutes(10);
  absl::Duration lock_ttl = absl::Minutes(2);
  absl::Duration recycle_after = absl::Hours(48);
};

// One pass under the leader lock as of `as_of`: the recycled lead ids, or
// nullopt when another process holds the lock. Without Redis (none
// configured, or unreachable) it runs unguarded.
absl::StatusOr<std::optional<std::vector<int64_t>>> RunRecycleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const RecycleJobOptions& options,
    absl::Time as_of);

class RecycleJob {
 public:
  RecycleJob(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
             std::shared_ptr<const Clock> clock, RecycleJobOptions options);
  ~RecycleJob();
  void Start();
  void Stop();
  // One round: true when this job held the lock and ran a pass.
  absl::StatusOr<bool> RunOnce();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  RecycleJobOptions options_;
  events::BackgroundLoop loop_;
};

}  // namespace crm::leads
