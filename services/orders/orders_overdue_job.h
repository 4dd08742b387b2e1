// Overdue detection (seed 000: the pending-collection list).
//
// One pass as of a time marks every signed installment whose due date is
// before that day and that is not fully paid as overdue, once, and appends
// an InstallmentOverdue event per installment in the same transaction
// (batches of `batch`). The scheduled job runs a pass every `interval`
// under the Redis leader lock "lock:orders:overdue"; the admin RPC
// RunOverdueCheck(as_of) runs the same pass under the same lock.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"
#include "services/orders/domain/periods.h"

namespace crm::orders {

inline constexpr char kOverdueLockKey[] = "lock:orders:overdue";

struct OverdueJobOptions {
  absl::Duration interval = absl::Minutes(30);
  absl::Duration lock_ttl = absl::Minutes(2);
  int batch = 200;
  // "Past due" is judged on as_of's business day (ADR 0035).
  BusinessCalendar calendar;
};

// Installments newly marked overdue; nullopt when another process holds
// the lock. Without Redis the pass runs unguarded (it is idempotent).
absl::StatusOr<std::optional<int64_t>> RunOverdueUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis,
    const OverdueJobOptions& options, absl::Time as_of, absl::Time now);

class OverdueJob {
 public:
  OverdueJob(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
             std::shared_ptr<const Clock> clock, OverdueJobOptions options);
  ~OverdueJob();
  void Start();
  void Stop();
  absl::StatusOr<bool> RunOnce();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  OverdueJobOptions options_;
  events::BackgroundLoop loop_;
};

}  // namespace crm::orders
