#include "services/orders/orders_leaderboard_job.h"

#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/orders/store/report_store.h"

namespace crm::orders {

std::vector<Period> DefaultBoardPeriods(const BusinessCalendar& calendar,
                                        absl::Time as_of) {
  std::vector<Period> periods;
  for (PeriodKind k : BoardPeriodKinds()) {
    Period cur = PeriodContaining(k, calendar.DayOf(as_of));
    periods.push_back(PreviousPeriod(cur));
    periods.push_back(cur);
  }
  return periods;
}

namespace {

absl::StatusOr<int64_t> RebuildOne(db::ConnectionPool& pool,
                                   Leaderboards& boards,
                                   const BusinessCalendar& calendar,
                                   const Period& period) {
  std::vector<Leaderboards::OwnerTotal> signed_totals, received_totals;
  RETURN_IF_ERROR(db::WithConnection(pool, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(signed_totals,
                     report_store::SignedByOwner(c, calendar.Start(period),
                                                 calendar.End(period)));
    ASSIGN_OR_RETURN(received_totals, report_store::ReceivedByOwner(
                                          c, period.first, period.end));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(int64_t a,
                   boards.Rebuild(BoardMetric::kSigned, period, signed_totals));
  ASSIGN_OR_RETURN(int64_t b, boards.Rebuild(BoardMetric::kReceived, period,
                                             received_totals));
  return a + b;
}

}  // namespace

absl::StatusOr<int64_t> RebuildBoardPeriods(
    db::ConnectionPool& pool, Leaderboards& boards,
    const BusinessCalendar& calendar, const std::vector<Period>& periods) {
  int64_t written = 0;
  for (const Period& period : periods) {
    ASSIGN_OR_RETURN(int64_t n, RebuildOne(pool, boards, calendar, period));
    written += n;
  }
  return written;
}

absl::StatusOr<std::optional<int64_t>> RebuildMissingUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis, Leaderboards& boards,
    const BusinessCalendar& calendar, const std::vector<Period>& periods,
    absl::Duration lock_ttl) {
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kLeaderboardLockKey, lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  int64_t rebuilt = 0;
  for (const Period& period : periods) {
    // Checked under the lock: a period another replica just rebuilt is
    // ready now and is left alone.
    ASSIGN_OR_RETURN(bool signed_ready,
                     boards.Ready(BoardMetric::kSigned, period));
    ASSIGN_OR_RETURN(bool received_ready,
                     boards.Ready(BoardMetric::kReceived, period));
    if (signed_ready && received_ready) continue;
    ASSIGN_OR_RETURN(int64_t n, RebuildOne(pool, boards, calendar, period));
    (void)n;
    ++rebuilt;
    ASSIGN_OR_RETURN(bool ours, lock->Extend(lock_ttl));
    if (!ours) return absl::AbortedError("lost the leaderboard leader lock");
  }
  (void)lock->Release();
  if (rebuilt > 0) {
    log::Info("orders: leaderboards rebuilt after their ready keys vanished",
              {{"periods", rebuilt}});
  }
  return std::optional<int64_t>(rebuilt);
}

LeaderboardJob::LeaderboardJob(std::shared_ptr<db::ConnectionPool> pool,
                               redis::RedisPool* redis,
                               std::shared_ptr<const Clock> clock,
                               LeaderboardJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(options),
      boards_(redis) {}

LeaderboardJob::~LeaderboardJob() { Stop(); }

void LeaderboardJob::Start() {
  if (redis_ == nullptr) return;
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<std::optional<int64_t>> ran = RunOnce();
      if (!ran.ok()) {
        log::Warn("orders: leaderboard check failed",
                  {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void LeaderboardJob::Stop() { loop_.Stop(); }

absl::StatusOr<std::optional<int64_t>> LeaderboardJob::RunOnce() {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::optional<int64_t>> n = RebuildMissingUnderLock(
      *pool_, redis_, boards_, options_.calendar,
      DefaultBoardPeriods(options_.calendar, clock_->Now()), options_.lock_ttl);
  server::RecordJobRun("orders_leaderboards",
                       !n.ok()           ? "error"
                       : !n->has_value() ? "skipped"
                                         : "ok",
                       absl::Now() - started);
  return n;
}

}  // namespace crm::orders
