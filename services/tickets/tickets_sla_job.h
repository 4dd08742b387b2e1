// SLA monitoring (seed 002: 时效监控 and escalation).
//
// One pass as of a time looks at every open ticket, evaluates its
// first-response clock (until the first response) and resolution clock on
// the type's business hours, pausing while waiting on the customer, and
// escalates near-breach (near_breach_percent of the budget used, default
// 80%) and breach ONCE each per clock: the `escalated` bits of the ticket
// row are set with a conditional UPDATE, and only the winner appends the
// history row "sla_near_breach" / "sla_breach" and the outbox event
// TicketSlaEscalated {ticket_id, kind, target, group_id, assignee_id,
// manager_path, due_at, type_key, priority, account_id}; the accounts
// service turns it into a task for the support manager (ADR 0066). A breach
// also marks the ticket breached. The scheduled job runs a pass every
// `interval` under the Redis leader lock "lock:tickets:sla"; the admin RPC
// RunSlaCheck(as_of) runs the same pass under the same lock.
#pragma once

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"

namespace crm::tickets {

inline constexpr char kSlaLockKey[] = "lock:tickets:sla";

struct SlaJobOptions {
  absl::Duration interval = absl::Minutes(5);
  absl::Duration lock_ttl = absl::Minutes(2);
  int batch = 200;
};

struct SlaCheckResult {
  int near_breach = 0;
  int breached = 0;
};

// nullopt when another process holds the lock. Without Redis the pass runs
// unguarded (it is idempotent).
absl::StatusOr<std::optional<SlaCheckResult>> RunSlaUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis,
    const SlaJobOptions& options, absl::Time as_of, absl::Time now);

class SlaJob {
 public:
  SlaJob(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
         std::shared_ptr<const Clock> clock, SlaJobOptions options);
  ~SlaJob();
  void Start();
  void Stop();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  SlaJobOptions options_;
  events::BackgroundLoop loop_;
};

}  // namespace crm::tickets
