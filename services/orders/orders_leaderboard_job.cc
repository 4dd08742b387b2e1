#include "services/orders/orders_leaderboard_job.h"

#include <set>
#include <utility>

#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/orders/store/board_pending_store.h"
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

absl::StatusOr<std::optional<int64_t>> RebuildPendingUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis, Leaderboards& boards,
    const BusinessCalendar& calendar, absl::Time before,
    absl::Duration lock_ttl) {
  constexpr int kMaxPendingPerRound = 1000;
  std::vector<board_pending_store::PendingBump> pending;
  RETURN_IF_ERROR(db::WithConnection(pool, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(pending, board_pending_store::AddedBefore(
                                  c, before, kMaxPendingPerRound));
    return absl::OkStatus();
  }));
  if (pending.empty()) return std::optional<int64_t>(0);
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kLeaderboardLockKey, lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  // Every period a pending bump counts in; RebuildOne does both metrics.
  std::set<std::pair<PeriodKind, std::string>> seen;
  std::vector<Period> periods;
  std::vector<int64_t> ids;
  for (const board_pending_store::PendingBump& b : pending) {
    ids.push_back(b.id);
    for (PeriodKind k : BoardPeriodKinds()) {
      Period period = PeriodContaining(k, b.day);
      if (seen.insert({k, period.key}).second) periods.push_back(period);
    }
  }
  for (const Period& period : periods) {
    ASSIGN_OR_RETURN(int64_t n, RebuildOne(pool, boards, calendar, period));
    (void)n;
    ASSIGN_OR_RETURN(bool ours, lock->Extend(lock_ttl));
    if (!ours) return absl::AbortedError("lost the leaderboard leader lock");
  }
  // The marks were read before the rebuilds, so their signings and
  // payments (committed with them) are in the totals just written.
  RETURN_IF_ERROR(db::WithConnection(pool, [&](db::Connection& c) {
    return board_pending_store::Remove(c, ids);
  }));
  (void)lock->Release();
  log::Info("orders: leaderboards rebuilt for bumps that did not apply",
            {{"bumps", static_cast<int64_t>(ids.size())},
             {"periods", static_cast<int64_t>(periods.size())}});
  return std::optional<int64_t>(static_cast<int64_t>(periods.size()));
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
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::optional<int64_t>> n = RebuildMissingUnderLock(
      *pool_, redis_, boards_, options_.calendar,
      DefaultBoardPeriods(options_.calendar, now), options_.lock_ttl);
  if (n.ok() && n->has_value()) {
    absl::StatusOr<std::optional<int64_t>> repaired = RebuildPendingUnderLock(
        *pool_, redis_, boards_, options_.calendar,
        now - options_.pending_grace, options_.lock_ttl);
    if (!repaired.ok()) {
      n = repaired.status();
    } else if (!repaired->has_value()) {
      n = std::optional<int64_t>();  // another replica holds the lock
    } else {
      n = std::optional<int64_t>(**n + **repaired);
    }
  }
  server::RecordJobRun("orders_leaderboards",
                       !n.ok()           ? "error"
                       : !n->has_value() ? "skipped"
                                         : "ok",
                       absl::Now() - started);
  return n;
}

}  // namespace crm::orders
