// Leaderboards rebuild themselves when Redis comes back empty (ADR 0095).
//
// Every rebuild of (metric, period) writes the ready key
// lb:{metric:kind}:<period>:ready last; a Redis that lost its data has no
// ready keys, so the loss is seen with one EXISTS (or inside the read's
// EVAL) and no board that was only partly bumped since is ever read.
//
//  - RebuildMissingUnderLock: under the Redis leader lock
//    "lock:orders:leaderboards", rebuilds from MySQL every given period
//    whose boards (signed or received) have no ready key; periods that are
//    ready are skipped, so replicas that race do the work once.
//  - LeaderboardJob: every `interval` checks the current and previous day,
//    week and month and rebuilds what is missing, and rebuilds the boards
//    of bumps that failed (RebuildPendingUnderLock, ADR 0098); reports to
//    /metrics as job "orders_leaderboards".
//  - GetLeaderboard rebuilds the period it reads (and the previous one) on
//    the spot when the read finds no ready key (orders_service_leaderboards).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"
#include "services/orders/domain/periods.h"
#include "services/orders/leaderboards.h"

namespace crm::orders {

inline constexpr char kLeaderboardLockKey[] = "lock:orders:leaderboards";

// The periods a default rebuild covers: the previous and the current day,
// week and month as of `as_of`.
std::vector<Period> DefaultBoardPeriods(const BusinessCalendar& calendar,
                                        absl::Time as_of);

// Rebuilds both metrics' boards of each period from MySQL (no lock, no
// ready check: the admin RPC); returns the number of boards written.
absl::StatusOr<int64_t> RebuildBoardPeriods(db::ConnectionPool& pool,
                                            Leaderboards& boards,
                                            const BusinessCalendar& calendar,
                                            const std::vector<Period>& periods);

// Periods (of `periods`) rebuilt because a ready key was missing; nullopt
// when another process holds the lock.
absl::StatusOr<std::optional<int64_t>> RebuildMissingUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis, Leaderboards& boards,
    const BusinessCalendar& calendar, const std::vector<Period>& periods,
    absl::Duration lock_ttl = absl::Minutes(2));

// Rebuilds, under the same lock, the day, week and month of every bump
// still pending (ADR 0098) that was marked before `before`, then clears
// those marks; the number of periods rebuilt (0: none pending), nullopt when
// another process holds the lock. At most 1,000 marks a call.
absl::StatusOr<std::optional<int64_t>> RebuildPendingUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis, Leaderboards& boards,
    const BusinessCalendar& calendar, absl::Time before,
    absl::Duration lock_ttl = absl::Minutes(2));

struct LeaderboardJobOptions {
  // How often the ready keys are checked: at most this long after Redis
  // returns empty, the boards are back without anyone reading them.
  absl::Duration interval = absl::Seconds(30);
  absl::Duration lock_ttl = absl::Minutes(2);
  // A bump still marked pending this long after its commit failed (or its
  // process died): its boards are rebuilt. Successful bumps clear their
  // mark within milliseconds.
  absl::Duration pending_grace = absl::Minutes(1);
  BusinessCalendar calendar;
};

class LeaderboardJob {
 public:
  // `redis` must outlive the job.
  LeaderboardJob(std::shared_ptr<db::ConnectionPool> pool,
                 redis::RedisPool* redis, std::shared_ptr<const Clock> clock,
                 LeaderboardJobOptions options);
  ~LeaderboardJob();
  void Start();
  void Stop();
  // One round: periods rebuilt, or nullopt when another replica held the
  // lock. Records the round in /metrics.
  absl::StatusOr<std::optional<int64_t>> RunOnce();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<const Clock> clock_;
  LeaderboardJobOptions options_;
  Leaderboards boards_;
  events::BackgroundLoop loop_;
};

}  // namespace crm::orders
